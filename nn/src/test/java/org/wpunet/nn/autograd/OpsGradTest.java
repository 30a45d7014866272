package org.wpunet.nn.autograd;

import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.nn.GradCheck.check;
import static org.wpunet.nn.GradCheck.rand;
import static org.wpunet.nn.GradCheck.randn;

class OpsGradTest {
    @Test
    void binaryOpsWithBroadcasting() {
        check("add", v -> v[0].add(v[1]), randn(1, 2, 3), randn(2, 3));
        check("sub", v -> v[0].sub(v[1]), randn(1, 2, 1, 3), randn(2, 4, 1));
        check("mul", v -> v[0].mul(v[1]), randn(1, 2, 3), randn(2, 1));
        check("div", v -> v[0].div(v[1]), randn(1, 2, 3), rand(2, 0.5, 2, 3));
        check("pow", v -> v[0].pow(v[1]), rand(1, 0.5, 2, 2, 3), randn(2, 3));
        check("maximum", v -> v[0].maximum(v[1]), randn(1, 3, 4), randn(2, 4));
        check("minimum", v -> v[0].minimum(v[1]), randn(1, 3, 4), randn(2, 3, 1));
        check("same input twice", v -> v[0].mul(v[0]).add(v[0]), randn(3, 5));
    }

    @Test
    void scalarAndUnaryOps() {
        check("add s", v -> v[0].add(2.5), randn(1, 4));
        check("mul s", v -> v[0].mul(-1.5), randn(1, 4));
        check("rsub s", v -> v[0].rsub(3), randn(1, 4));
        check("rdiv s", v -> v[0].rdiv(2), rand(1, 0.5, 2, 4));
        check("pow s", v -> v[0].pow(2.5), rand(1, 0.5, 2, 4));
        check("neg", v -> v[0].neg(), randn(1, 2, 3));
        check("abs", v -> v[0].abs(), randn(1, 2, 3));
        check("exp", v -> v[0].exp(), randn(1, 2, 3));
        check("log", v -> v[0].log(), rand(1, 0.5, 3, 2, 3));
        check("sqrt", v -> v[0].sqrt(), rand(1, 0.5, 3, 2, 3));
        check("relu", v -> v[0].relu(), randn(1, 2, 3));
        check("sigmoid", v -> v[0].sigmoid(), randn(1, 2, 3));
        check("tanh", v -> v[0].tanh(), randn(1, 2, 3));
        check("square", v -> v[0].square(), randn(1, 2, 3));
        check("reciprocal", v -> v[0].reciprocal(), rand(1, 0.5, 2, 2, 3));
        check("clamp", v -> v[0].clamp(-0.5, 0.5), randn(1, 3, 4));
    }

    @Test
    void reductions() {
        check("sum all", v -> v[0].sum(), randn(1, 2, 3));
        check("sum dims", v -> v[0].sum(false, 0, 2), randn(1, 2, 3, 4));
        check("sum keepdim", v -> v[0].sum(true, 1), randn(1, 2, 3, 4));
        check("mean", v -> v[0].mean(false, 1), randn(1, 2, 3, 4));
        check("mean all", v -> v[0].mean(), randn(1, 2, 3));
        check("max", v -> v[0].max(false, 1), randn(1, 3, 4));
        check("min keepdim", v -> v[0].min(true, 0), randn(1, 3, 4));
        check("variance", v -> v[0].variance(true, false, 1), randn(1, 3, 4));
        check("softmax", v -> v[0].softmax(1), randn(1, 2, 3, 2));
        check("logSoftmax", v -> v[0].logSoftmax(-1), randn(1, 2, 4));
    }

    @Test
    void maxTiesShareTheGradientEvenly() {
        try (Scope s = Scope.open()) {
            Variable x = Variable.param(Tensor.of(new double[]{1, 3, 3, 2}, 4));
            x.max(false, 0).backward();
            assertArrayEquals(new double[]{0, 0.5, 0.5, 0}, x.grad().toDoubleArray(), 0);
        }
    }

    @Test
    void matmulAllRanks() {
        check("mm", v -> v[0].matmul(v[1]), randn(1, 2, 3), randn(2, 3, 4));
        check("bmm broadcast", v -> v[0].matmul(v[1]), randn(1, 2, 2, 3), randn(2, 3, 4));
        check("vec-mat", v -> v[0].matmul(v[1]), randn(1, 3), randn(2, 3, 2));
        check("mat-vec", v -> v[0].matmul(v[1]), randn(1, 2, 3), randn(2, 3));
        check("dot", v -> v[0].matmul(v[1]), randn(1, 3), randn(2, 3));
        check("transposed operand", v -> v[0].matmul(v[1].transpose(0, 1)), randn(1, 2, 3), randn(2, 4, 3));
    }

    @Test
    void viewsAndCopies() {
        check("reshape", v -> v[0].reshape(3, -1), randn(1, 2, 3, 2));
        check("flatten", v -> v[0].flatten(1, 2), randn(1, 2, 3, 2));
        check("permute", v -> v[0].permute(2, 0, 1), randn(1, 2, 3, 4));
        check("transpose", v -> v[0].transpose(0, 2), randn(1, 2, 3, 4));
        check("narrow", v -> v[0].narrow(1, 1, 2), randn(1, 2, 4));
        check("slice", v -> v[0].slice(1, 0, 5, 2), randn(1, 2, 5));
        check("expand", v -> v[0].expand(2, 3, 4), randn(1, 3, 1));
        check("unsqueeze", v -> v[0].unsqueeze(1), randn(1, 2, 3));
        check("squeeze", v -> v[0].squeeze(1), randn(1, 2, 1, 3));
        check("contiguous", v -> v[0].transpose(0, 1).contiguous(), randn(1, 2, 3));
        check("to F32 and back", 1e-3, 1e-3, v -> v[0].to(DType.F32).mul(2).to(DType.F64), randn(1, 2, 3));
        check("concat", v -> Ops.concat(1, v[0], v[1]), randn(1, 2, 2), randn(2, 2, 3));
        check("stack", v -> Ops.stack(0, v[0], v[1]), randn(1, 2, 2), randn(2, 2, 2));
        check("split", v -> Ops.split(v[0], 2, 1)[1].mul(3).add(Ops.split(v[0], 2, 1)[0]), randn(1, 2, 4));
        try (Tensor idx = Tensor.of(new int[]{2, 0, 2}, 3); Tensor gidx = Tensor.of(new int[]{0, 2, 1, 1, 0, 0}, 2, 3)) {
            check("indexSelect with repeats", v -> v[0].indexSelect(1, idx), randn(1, 2, 3));
            check("gather", v -> v[0].gather(1, gidx), randn(1, 2, 4));
        }
        try (Tensor sidx = Tensor.of(new int[]{0, 2, 2, 1, 0, 0}, 2, 3)) {
            check("scatterAdd", v -> Ops.scatterAdd(new int[]{2, 4}, 1, sidx, v[0]), randn(1, 2, 3));
        }
        check("copy", v -> Ops.copy(v[0].transpose(0, 1)), randn(1, 2, 3));
        check("chunk", v -> Ops.chunk(v[0], 3, 1)[2].mul(2).sum(true, 1).add(Ops.chunk(v[0], 3, 1)[0]), randn(1, 2, 5));
        try (Tensor cond = Tensor.ofBytes(new byte[]{1, 0, 1}, 3)) {
            check("where", v -> Ops.where(cond, v[0], v[1]), randn(1, 2, 3), randn(2, 1));
        }
    }

    @Test
    void gradcheckCatchesAWrongRule() {
        org.opentest4j.AssertionFailedError e = assertThrows(org.opentest4j.AssertionFailedError.class, () -> check("exp with a wrong rule",
                v -> Ops.record("wrong_exp", v[0].value().exp(), new Variable[]{v[0]}, (g, n) -> new Tensor[]{g.mul(2)}), randn(1, 3)));
        assertTrue(e.getMessage().contains("analytic"), e.getMessage());
    }

    @Test
    void noGradDetachAndGraphRelease() {
        try (Scope s = Scope.open()) {
            Variable x = Variable.param(Tensor.of(new double[]{1, 2}, 2));
            try (NoGrad ng = NoGrad.enter()) {
                Variable y = x.mul(3).sum();
                assertFalse(y.requiresGrad());
                assertThrows(IllegalStateException.class, y::backward);
            }
            Variable d = x.detach();
            assertFalse(d.requiresGrad());
            Variable y = x.square().sum();
            y.backward();
            assertArrayEquals(new double[]{2, 4}, x.grad().toDoubleArray(), 0);
            IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
            assertTrue(e.getMessage().contains("released"), e.getMessage());
            // accumulation over two backward passes, then reset
            Variable z = x.sum();
            z.backward();
            assertArrayEquals(new double[]{3, 5}, x.grad().toDoubleArray(), 0);
            x.zeroGrad();
            assertNull(x.grad());
            Variable w = x.mul(2).sum();
            w.backward(Tensor.full(x.device(), DType.F64, 1, new int[0]), true);
            w.backward(Tensor.full(x.device(), DType.F64, 1, new int[0]), false);
            assertArrayEquals(new double[]{4, 4}, x.grad().toDoubleArray(), 0);
        }
    }

    @Test
    void backwardChecksShapesAndGradientsOfBroadcastInputsHaveInputShape() {
        try (Scope s = Scope.open()) {
            Variable x = Variable.param(Tensor.zeros(DType.F64, 2, 3));
            Variable y = x.add(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
            assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
            Variable b = Variable.param(Tensor.ones(org.wpunet.core.Device.CPU, DType.F64, 3));
            Variable z = Ops.mul(y, b).sum();
            z.backward();
            assertArrayEquals(new int[]{3}, b.grad().shape());
            assertArrayEquals(new double[]{2, 2, 2}, b.grad().toDoubleArray(), 0);
            assertEquals(6, x.grad().sum().item(), 0);
        }
    }

    @Test
    void deepChainDoesNotOverflowTheStack() {
        try (Scope s = Scope.open()) {
            Variable x = Variable.param(Tensor.ones(org.wpunet.core.Device.CPU, DType.F64, 1));
            Variable y = x;
            for (int i = 0; i < 20000; i++) y = y.add(0.0);
            y.sum().backward();
            assertEquals(1, x.grad().item(), 0);
        }
    }
}
