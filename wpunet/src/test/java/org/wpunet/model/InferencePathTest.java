package org.wpunet.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Layer;

/**
 * The inference path of the networks (eval under {@link NoGrad}: batch norm + ReLU written over each
 * convolution's output, max pooling without indices) against the same eval forward with grad mode on,
 * which allocates every output, composes batch norm and ReLU, and keeps pooling indices. Batch-norm
 * statistics and affine parameters are set away from their initial 0/1 so that the normalisation
 * matters. Per element the two paths compute the same formulas in the same order (only the sign of a
 * zero ReLU output may differ), so the logits agree to 1e-6 of their largest magnitude.
 */
class InferencePathTest {
    private static final double TOLERANCE = 1e-6;

    /** Running statistics and affine parameters of every batch norm drawn from rng. */
    private static void randomiseBatchNorms(Layer model, Rng rng) {
        if (model instanceof BatchNorm2d bn) {
            int c = bn.buffer("running_mean").numel();
            try (Scope s = Scope.open()) {
                bn.buffer("running_mean").assign(rng.normalWith(Device.CPU, DType.F32, 0, 0.2, c));
                bn.buffer("running_var").assign(rng.uniformIn(Device.CPU, DType.F32, 0.5, 1.5, c));
                bn.parameter("weight").value().assign(rng.uniformIn(Device.CPU, DType.F32, 0.5, 1.5, c));
                bn.parameter("bias").value().assign(rng.normalWith(Device.CPU, DType.F32, 0, 0.2, c));
            }
        }
        for (Layer child : model.namedChildren().values()) randomiseBatchNorms(child, rng);
    }

    private static void assertPathsAgree(Layer model, Tensor x, String what) {
        model.eval();
        try (Scope s = Scope.open()) {
            Variable graph = model.forward(Variable.constant(x));
            assertTrue(graph.requiresGrad(), what + ": grad mode on records the graph (the allocating path)");
            Variable inference;
            try (NoGrad ng = NoGrad.enter()) {
                inference = model.forward(Variable.constant(x));
            }
            assertArrayEquals(graph.shape(), inference.shape());
            float[] a = graph.value().toFloatArray(), b = inference.value().toFloatArray();
            double scale = 0, err = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(a[i]));
                err = Math.max(err, Math.abs(a[i] - b[i]));
            }
            assertTrue(scale > 0.1, what + ": logits of a real size, max |y| " + scale);
            assertTrue(err <= TOLERANCE * scale, what + ": max |inference - graph| " + err + " of max |y| " + scale);
        }
    }

    @Test
    void wpuNetInferenceEqualsTheRecordedEvalForward() {
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(WpuNetTest.SMALL), new Rng(3));
             Tensor x = new Rng(4).normalWith(Device.CPU, DType.F32, 0, 1, 2, 2, 32, 48)) {
            randomiseBatchNorms(net, new Rng(5));
            assertPathsAgree(net, x, "WpuNet");
        }
    }

    @Test
    void wpuNetInferenceOnAnImageWideEnoughForTheDirectKernel() {
        // 64 columns: the top level's 3x3 convolutions take the CPU's direct kernel, whose stores
        // apply batch norm and ReLU at inference
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(WpuNetTest.SMALL), new Rng(9));
             Tensor x = new Rng(10).normalWith(Device.CPU, DType.F32, 0, 1, 1, 2, 16, 64)) {
            randomiseBatchNorms(net, new Rng(11));
            assertPathsAgree(net, x, "WpuNet 16x64");
        }
    }

    @Test
    void uNetInferenceEqualsTheRecordedEvalForward() {
        try (UNet net = new UNet(UNet.Config.defaults().withWidths(WpuNetTest.SMALL), new Rng(6));
             Tensor x = new Rng(7).normalWith(Device.CPU, DType.F32, 0, 1, 1, 1, 48, 32)) {
            randomiseBatchNorms(net, new Rng(8));
            assertPathsAgree(net, x, "UNet");
        }
    }
}
