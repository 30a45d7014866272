package org.wpunet.nn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;

/**
 * A leaf's gradient is allocated by the first backward that reaches it, owned as the leaf's value is,
 * and closed by zeroGrad (PyTorch's set_to_none), so it takes no memory between zeroGrad and backward.
 */
class LeafGradTest {
    private static void step(Variable p) {
        try (Scope s = Scope.open()) {
            Ops.sum(Ops.mul(p, p)).backward(); // d/dp sum(p^2) = 2p
        }
    }

    @Test
    void gradientSurvivesTheStepScopeAndZeroGradClosesIt() {
        try (Variable p = Variable.param(Tensor.of(new float[]{1, -2, 3}, 3))) {
            assertNull(p.grad());
            assertFalse(p.hasGrad());
            long live = Tensor.liveCount();
            step(p);
            assertEquals(live + 1, Tensor.liveCount(), "the gradient, outside the step's scope");
            Tensor g = p.grad();
            assertArrayEquals(new float[]{2, -4, 6}, g.toFloatArray());
            step(p);
            assertArrayEquals(new float[]{4, -8, 12}, p.grad().toFloatArray(), "a second backward adds");
            p.zeroGrad();
            assertTrue(g.isClosed(), "zeroGrad closes the gradient tensor");
            assertNull(p.grad());
            assertEquals(live, Tensor.liveCount());
            step(p);
            assertArrayEquals(new float[]{2, -4, 6}, p.grad().toFloatArray(), "after zeroGrad backward assigns");
            p.setGrad(Tensor.of(new float[]{7, 8, 9}, 3));
            assertArrayEquals(new float[]{7, 8, 9}, p.grad().toFloatArray());
        }
    }

    @Test
    void aLeafMadeInsideAScopeHasItsGradientClosedWithIt() {
        long live = Tensor.liveCount();
        Tensor g;
        try (Scope s = Scope.open()) {
            Variable p = Variable.param(Tensor.of(new float[]{1, 2}, 2));
            Ops.sum(p).backward();
            g = p.grad();
            assertArrayEquals(new float[]{1, 1}, g.toFloatArray());
        }
        assertTrue(g.isClosed());
        assertEquals(live, Tensor.liveCount());
    }
}
