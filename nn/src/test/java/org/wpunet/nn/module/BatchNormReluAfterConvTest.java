package org.wpunet.nn.module;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.nn.GradCheck.rand;
import static org.wpunet.nn.GradCheck.randn;

import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;

/**
 * {@link BatchNorm2d#forwardReluAfter}: in eval mode without a gradient the convolution, batch norm
 * and ReLU are one backend op with the values of {@code forwardRelu(conv.forward(x))}; with a
 * gradient recorded it is the recorded path; {@link Functional#conv2dBatchNormReluInference} refuses
 * inputs that need a gradient.
 */
class BatchNormReluAfterConvTest {
    private static BatchNorm2d batchNorm(int c) {
        BatchNorm2d bn = new BatchNorm2d(c);
        try (Scope s = Scope.open()) {
            bn.parameter("weight").value().assign(rand(1, 0.5, 1.5, c));
            bn.parameter("bias").value().assign(randn(2, c));
            bn.buffer("running_mean").assign(randn(3, c));
            bn.buffer("running_var").assign(rand(4, 0.3, 2.0, c));
        }
        return bn;
    }

    @Test
    void evalWithoutGradientGivesForwardRelusValues() {
        // 64 columns: the CPU's direct kernel, batch norm and ReLU in its stores; 8 columns: GEMM then the pass
        for (int width : new int[]{64, 8}) {
            try (BatchNorm2d bn = batchNorm(6); Conv2d conv = new Conv2d(3, 6, 3, 1, 1, new Rng(5)); Scope s = Scope.open();
                 NoGrad ng = NoGrad.enter()) {
                bn.eval();
                Variable x = Variable.constant(randn(6, 2, 3, 5, width).to(DType.F32));
                float[] want = bn.forwardRelu(conv.forward(x)).value().toFloatArray();
                float[] got = bn.forwardReluAfter(conv, x).value().toFloatArray();
                assertArrayEquals(want, got, "width " + width);
                int zeros = 0;
                for (float v : got) if (v == 0f) zeros++;
                assertTrue(zeros > 0 && zeros < got.length, "the case exercises ReLU");
            }
        }
    }

    @Test
    void withAGradientItIsRecordedAndTheFusedOpRefuses() {
        try (BatchNorm2d bn = batchNorm(4); Conv2d conv = new Conv2d(2, 4, 3, 1, 1, new Rng(7)); Scope s = Scope.open()) {
            bn.eval();
            Variable x = Variable.constant(randn(8, 1, 2, 4, 64).to(DType.F32));
            Variable y = bn.forwardReluAfter(conv, x);
            assertTrue(y.requiresGrad(), "eval with grad mode on records the graph");
            Tensor mean = bn.buffer("running_mean"), var = bn.buffer("running_var");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Functional.conv2dBatchNormReluInference(x,
                    conv.parameter("weight"), null, bn.parameter("weight"), bn.parameter("bias"), mean, var, 1e-5, conv.convParams()));
            assertTrue(e.getMessage().contains("NoGrad"), e.getMessage());
            try (NoGrad ng = NoGrad.enter()) {
                assertFalse(bn.forwardReluAfter(conv, x).requiresGrad(), "no graph under NoGrad");
            }
        }
    }
}
