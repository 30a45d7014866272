package org.wpunet.nn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.nn.GradCheck.randn;

import org.junit.jupiter.api.Test;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;

/**
 * {@link Functional#convTranspose2dAfter}, the decoder's [skip, up-sampled]: without a gradient it is
 * written into one buffer, with the values of concat(front, convTranspose2d(...)); with a gradient it
 * records both ops and the gradients reach every input.
 */
class ConvTransposeAfterTest {
    private static final ConvParams UP = ConvParams.of(2, 0);

    @Test
    void oneBufferHoldsTheConcatenationsValues() {
        try (Scope s = Scope.open()) {
            Tensor front = randn(1, 2, 3, 10, 12).to(DType.F32), x = randn(2, 2, 4, 5, 6).to(DType.F32);
            Tensor w = randn(3, 4, 5, 2, 2).to(DType.F32), b = randn(4, 5).to(DType.F32);
            Variable recorded = Functional.convTranspose2dAfter(Variable.constant(front), Variable.constant(x), Variable.param(w),
                    Variable.param(b), UP);
            assertTrue(recorded.requiresGrad());
            Variable plain;
            try (NoGrad ng = NoGrad.enter()) {
                plain = Functional.convTranspose2dAfter(Variable.constant(front), Variable.constant(x), Variable.param(w),
                        Variable.param(b), UP);
            }
            assertFalse(plain.requiresGrad());
            assertArrayEquals(new int[]{2, 8, 10, 12}, plain.shape());
            assertArrayEquals(recorded.value().toFloatArray(), plain.value().toFloatArray());
        }
    }

    @Test
    void recordedPathGivesEveryInputItsGradient() {
        try (Scope s = Scope.open()) {
            Variable front = Variable.param(randn(6, 1, 2, 4, 4).to(DType.F32)), x = Variable.param(randn(7, 1, 3, 2, 2).to(DType.F32));
            Variable w = Variable.param(randn(8, 3, 2, 2, 2).to(DType.F32)), b = Variable.param(randn(9, 2).to(DType.F32));
            Ops.sum(Functional.convTranspose2dAfter(front, x, w, b, UP)).backward();
            for (Variable v : new Variable[]{front, x, w, b}) assertTrue(v.hasGrad(), "gradient reached " + v);
            // d sum / d front = 1 everywhere; d sum / d b = number of output pixels per channel
            assertArrayEquals(new float[32], front.grad().sub(1).toFloatArray());
            assertArrayEquals(new float[]{16, 16}, b.grad().toFloatArray());
        }
    }

    @Test
    void aFrontOfTheWrongSizeIsNamed() {
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            Variable front = Variable.constant(Tensor.zeros(1, 2, 6, 6)), x = Variable.constant(Tensor.zeros(1, 3, 2, 2));
            Variable w = Variable.constant(Tensor.zeros(3, 2, 2, 2));
            var e = assertThrows(IllegalArgumentException.class, () -> Functional.convTranspose2dAfter(front, x, w, null, UP));
            assertTrue(e.getMessage().contains("[1, 2, 6, 6]") && e.getMessage().contains("4, 4]"), e.getMessage());
        }
    }
}
