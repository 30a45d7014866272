package org.wpunet.nn.autograd;

import org.junit.jupiter.api.Test;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.module.AdaptiveAvgPool2d;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.ConvTranspose2d;
import org.wpunet.nn.module.Dropout;
import org.wpunet.nn.module.Flatten;
import org.wpunet.nn.module.Linear;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.module.Sequential;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import org.wpunet.nn.GradCheck;

import static org.wpunet.nn.GradCheck.check;
import static org.wpunet.nn.GradCheck.rand;
import static org.wpunet.nn.GradCheck.randn;

/** Gradchecks (F64 finite differences) of the neural ops and of every layer. */
class FunctionalGradTest {
    @Test
    void convolutions() {
        ConvParams p = new ConvParams(2, 1, 1, 0, 1, 2, 0, 0);
        check("conv2d stride/pad/dilation", v -> Functional.conv2d(v[0], v[1], v[2], p), randn(1, 2, 2, 5, 6), randn(2, 3, 2, 3, 2), randn(3, 3));
        check("conv2d no bias", v -> Functional.conv2d(v[0], v[1], null, ConvParams.of(1, 1)), randn(1, 1, 2, 4, 4), randn(2, 2, 2, 3, 3));
        ConvParams t = ConvParams.of(2, 1).withOutputPadding(1, 1);
        check("conv_transpose2d", v -> Functional.convTranspose2d(v[0], v[1], v[2], t), randn(1, 1, 2, 3, 3), randn(2, 2, 3, 3, 3), randn(3, 3));
        check("conv_transpose2d k2 s2", v -> Functional.convTranspose2d(v[0], v[1], null, ConvParams.of(2, 0)), randn(1, 2, 2, 2, 3), randn(2, 2, 1, 2, 2));
    }

    @Test
    void poolingAndAdaptivePooling() {
        int[] one = {1, 1};
        check("max_pool2d 2x2", v -> Functional.maxPool2d(v[0], new int[]{2, 2}, new int[]{2, 2}, new int[]{0, 0}, one), randn(1, 2, 2, 4, 6));
        check("max_pool2d overlapping, padded", v -> Functional.maxPool2d(v[0], new int[]{3, 3}, new int[]{2, 2}, new int[]{1, 1}, one),
                randn(2, 1, 2, 5, 5));
        check("adaptive avg pool", v -> Functional.adaptiveAvgPool2d(v[0], 2, 3), randn(1, 1, 2, 5, 7));
        check("global avg pool", v -> Functional.adaptiveAvgPool2d(v[0], 1, 1), randn(1, 2, 3, 3, 2));
    }

    @Test
    void batchNormTrainingAndEval() {
        try (Tensor rm = Tensor.zeros(DType.F64, 2); Tensor rv = Tensor.ones(Device.CPU, DType.F64, 2)) {
            check("batch_norm train", v -> Functional.batchNorm(v[0], v[1], v[2], rm, rv, true, 0.1, 1e-5),
                    randn(1, 3, 2, 2, 3), rand(2, 0.5, 1.5, 2), randn(3, 2));
            check("batch_norm train, no affine", v -> Functional.batchNorm(v[0], null, null, rm, rv, true, 0.1, 1e-5), randn(4, 2, 2, 3, 1));
            rm.assign(Tensor.of(new double[]{0.3, -0.2}, 2));
            rv.assign(Tensor.of(new double[]{0.5, 2.0}, 2));
            check("batch_norm eval", v -> Functional.batchNorm(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5),
                    randn(1, 2, 2, 2, 2), rand(2, 0.5, 1.5, 2), randn(3, 2));
        }
    }

    @Test
    void dropoutLinearAndBce() {
        check("dropout (fixed mask)", v -> Functional.dropout(v[0], 0.4, true, new Rng(5)), randn(1, 3, 4));
        check("linear", v -> Functional.linear(v[0], v[1], v[2]), randn(1, 3, 4), randn(2, 2, 4), randn(3, 2));
        check("linear batched input", v -> Functional.linear(v[0], v[1], null), randn(1, 2, 3, 4), randn(2, 2, 4));
        try (Tensor y = rand(4, 0, 1, 2, 3); Tensor pw = rand(5, 0.5, 3, 3)) {
            check("bce with logits", v -> Functional.binaryCrossEntropyWithLogits(v[0], y, null), randn(1, 2, 3));
            check("bce with logits, pos weight", v -> Functional.binaryCrossEntropyWithLogits(v[0], y, pw), randn(1, 2, 3));
        }
    }

    /**
     * Class-weighted CE: plain logits (no clamp active) and logits where one class sits 50 above the
     * other at some pixels (p = e^-50 = 2e-22 < 1e-20: clamped, constant under the finite-difference
     * step, so analytic and numeric gradients must both drop that class's term).
     */
    @Test
    void classWeightedCrossEntropy() {
        try (Tensor w = rand(6, 0, 20, 2, 3, 2, 2)) {
            check("class-weighted CE", v -> Functional.classWeightedCrossEntropy(v[0], w, 1e-20), randn(1, 2, 3, 2, 2));
        }
        double[] x = new double[2 * 2 * 3];
        double[] wt = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.sin(3.1 * i);
            wt[i] = 1 + (i % 5);
        }
        x[0] += 50;     // n 0, pixel 0: class 1 clamped
        x[3 + 1] += 50; // n 0, pixel 1: class 0 clamped (class 1 is at offset 3)
        x[6 + 2] += 50; // n 1, pixel 2: class 1 clamped
        try (Tensor w = Tensor.of(wt, 2, 2, 3); Tensor xt = Tensor.of(x, 2, 2, 3)) {
            check("class-weighted CE, clamped", v -> Functional.classWeightedCrossEntropy(v[0], w, 1e-20), xt);
            try (Scope s = Scope.open()) {
                Variable v = Variable.param(xt.copy());
                Variable l = Functional.classWeightedCrossEntropy(v, w, 1e-20);
                // clamped class 1 of pixel 0: cost w log(1e-20) = 46.05 w; class 0 has p = 1 - 2e-22: no cost
                assertEquals(-wt[3] * Math.log(1e-20), l.value().toDoubleArray()[0], 1e-9);
                l.sum().backward();
                // gradient there: p_0 w_0 - w_0 = -w_0 * 2e-22 for class 0, p_1 w_0 = 2e-22 w_0 for class 1 (not -w_1)
                assertEquals(0, v.grad().toDoubleArray()[0], 1e-15);
                assertEquals(0, v.grad().toDoubleArray()[3], 1e-15);
            }
        }
    }

    private static void checkLayer(String what, Layer m, Tensor x) {
        m.to(Device.CPU, DType.F64);
        try (m) {
            check(what, v -> m.forward(v[0]), x);
            GradCheck.checkParameters(what, m, x);
        }
    }

    @Test
    void everyLayerAndItsParameters() {
        Rng rng = new Rng(3);
        checkLayer("Conv2d", new Conv2d(2, 3, 3, ConvParams.of(1, 1), true, rng), randn(1, 1, 2, 4, 4));
        checkLayer("ConvTranspose2d", new ConvTranspose2d(2, 2, 2, 2, rng), randn(2, 1, 2, 2, 3));
        checkLayer("BatchNorm2d", new BatchNorm2d(2), randn(3, 2, 2, 2, 3));
        checkLayer("Linear", new Linear(4, 3, rng), randn(4, 2, 4));
        checkLayer("MaxPool2d", new MaxPool2d(2), randn(5, 1, 2, 4, 4));
        checkLayer("AdaptiveAvgPool2d", new AdaptiveAvgPool2d(2), randn(6, 1, 1, 5, 4));
        checkLayer("Flatten", new Flatten(), randn(7, 2, 2, 3));
        checkLayer("Sequential", new Sequential(new Conv2d(1, 2, 3, 1, 1, rng), new BatchNorm2d(2),
                new org.wpunet.nn.module.ReLU(), new MaxPool2d(2), new Flatten(), new Linear(8, 2, rng)), randn(8, 2, 1, 4, 4));
        Dropout d = new Dropout(0.5, new Rng(1));
        d.eval();
        checkLayer("Dropout eval", d, randn(9, 2, 3));
    }

    @Test
    void layersKeepPyTorchInitBounds() {
        try (Conv2d c = new Conv2d(3, 8, 3, 1, 1, new Rng(1)); Scope s = Scope.open()) {
            double bound = 1 / Math.sqrt(27);
            assertEquals(true, c.parameter("weight").value().abs().max().item() <= bound);
            assertEquals(true, c.parameter("bias").value().abs().max().item() <= bound);
            assertEquals(true, c.parameter("weight").value().abs().max().item() > 0.8 * bound);
            assertArrayEquals(new int[]{8, 3, 3, 3}, c.parameter("weight").shape());
        }
    }
}
