package org.wpunet.nn.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.nn.GradCheck.check;
import static org.wpunet.nn.GradCheck.rand;
import static org.wpunet.nn.GradCheck.randn;

import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;

/**
 * {@link Functional#batchNormRelu}: F64 finite differences (the backend's composed path) and the
 * fused F32 kernels against batch norm followed by a separate ReLU (values and all gradients).
 */
class BatchNormReluTest {
    @Test
    void gradientsMatchFiniteDifferences() {
        try (Tensor rm = Tensor.zeros(DType.F64, 2); Tensor rv = Tensor.ones(Device.CPU, DType.F64, 2)) {
            check("batch_norm_relu train", v -> Functional.batchNormRelu(v[0], v[1], v[2], rm, rv, true, 0.1, 1e-5),
                    randn(11, 3, 2, 3, 3), rand(12, 0.5, 1.5, 2), randn(13, 2));
            check("batch_norm_relu eval", v -> Functional.batchNormRelu(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5),
                    randn(14, 2, 2, 2, 3), rand(15, 0.5, 1.5, 2), randn(16, 2));
        }
    }

    @Test
    void fusedFloatEqualsBatchNormThenRelu() {
        for (boolean training : new boolean[]{true, false}) {
            try (Scope s = Scope.open()) {
                Tensor x = randn(21, 4, 3, 9, 7).to(DType.F32), dy = randn(22, 4, 3, 9, 7).to(DType.F32);
                Tensor g = rand(23, 0.5, 1.5, 3).to(DType.F32), b = randn(24, 3).to(DType.F32);
                Tensor[] fused = run(x, dy, g, b, training, true), plain = run(x, dy, g, b, training, false);
                String[] names = {"y", "dx", "dGamma", "dBeta", "running mean", "running var"};
                for (int i = 0; i < names.length; i++) {
                    double err = fused[i].sub(plain[i]).abs().max().item(), scale = plain[i].abs().max().item();
                    assertTrue(err <= 1e-5 * Math.max(1, scale), (training ? "train " : "eval ") + names[i] + ": |fused - plain| " + err);
                }
            }
        }
    }

    /** {y, dx, dGamma, dBeta, running mean, running var} of one forward and backward (sum(y * dy)). */
    private static Tensor[] run(Tensor x, Tensor dy, Tensor g, Tensor b, boolean training, boolean fused) {
        Tensor rm = Tensor.zeros(DType.F32, 3), rv = Tensor.ones(Device.CPU, DType.F32, 3);
        rm.assign(Tensor.of(new float[]{0.1f, -0.2f, 0.3f}, 3));
        Variable xv = Variable.param(x.copy()), gv = Variable.param(g.copy()), bv = Variable.param(b.copy());
        Variable y = fused ? Functional.batchNormRelu(xv, gv, bv, rm, rv, training, 0.1, 1e-5)
                : Ops.relu(Functional.batchNorm(xv, gv, bv, rm, rv, training, 0.1, 1e-5));
        Ops.sum(Ops.mul(y, Variable.constant(dy))).backward();
        return new Tensor[]{y.value(), xv.grad(), gv.grad(), bv.grad(), rm, rv};
    }
}
