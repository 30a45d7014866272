package org.wpunet.nn.module;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.nn.GradCheck.rand;
import static org.wpunet.nn.GradCheck.randn;

import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;

/**
 * The inference path of batch norm + ReLU and max pooling: {@link BatchNorm2d#forwardReluReusingInput}
 * writes over its input (on the CPU) only in eval mode without a gradient, with {@link
 * BatchNorm2d#forwardRelu}'s values, and otherwise leaves the input alone and records the graph;
 * {@link Functional#maxPool2d} without a gradient gives the values of the recorded path.
 */
class InferenceReusingInputTest {
    /** A BatchNorm2d(3) with non-trivial affine parameters and running statistics. */
    private static BatchNorm2d batchNorm() {
        BatchNorm2d bn = new BatchNorm2d(3);
        try (Scope s = Scope.open()) {
            bn.parameter("weight").value().assign(rand(1, 0.5, 1.5, 3));
            bn.parameter("bias").value().assign(randn(2, 3));
            bn.buffer("running_mean").assign(randn(3, 3));
            bn.buffer("running_var").assign(rand(4, 0.3, 2.0, 3));
        }
        return bn;
    }

    @Test
    void evalWithoutGradientWritesForwardRelusValuesOverTheInput() {
        try (BatchNorm2d bn = batchNorm(); Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            bn.eval();
            Tensor x = randn(5, 2, 3, 7, 9).to(DType.F32);
            float[] want = bn.forwardRelu(Variable.constant(x)).value().toFloatArray();
            Variable owned = Variable.constant(x.copy());
            Variable y = bn.forwardReluReusingInput(owned);
            assertSame(owned.value().storage(), y.value().storage(), "the CPU writes the result over the input");
            assertArrayEquals(want, y.value().toFloatArray(), "same values as forwardRelu");
            assertArrayEquals(want, owned.value().toFloatArray(), "the input holds them");
            assertTrue(want[0] >= 0 && x.min().item() < 0, "the case exercises ReLU");
        }
    }

    @Test
    void trainingOrRecordedGradientLeavesTheInputAlone() {
        try (BatchNorm2d bn = batchNorm(); Scope s = Scope.open()) {
            Tensor x = randn(6, 2, 3, 5, 4).to(DType.F32);
            float[] before = x.toFloatArray();
            // eval with grad mode on: gamma and beta require grad, so the graph is recorded
            bn.eval();
            Variable in = Variable.constant(x);
            Variable y = bn.forwardReluReusingInput(in);
            assertNotSame(in, y);
            assertTrue(y.requiresGrad(), "the eval result carries the graph to gamma and beta");
            assertArrayEquals(before, x.toFloatArray(), "eval with a gradient: input untouched");
            Ops.sum(y).backward();
            assertTrue(bn.parameter("weight").hasGrad(), "gamma got its gradient");
            // training: batch statistics, new output
            bn.train();
            Variable yt = bn.forwardReluReusingInput(Variable.constant(x));
            assertNotSame(x, yt.value());
            assertArrayEquals(before, x.toFloatArray(), "training: input untouched");
            assertEquals(1, (int) bn.buffer("num_batches_tracked").item(), "training counted the batch");
        }
    }

    @Test
    void functionalReusingInputRefusesWhenAGradientIsRecorded() {
        try (BatchNorm2d bn = batchNorm(); Scope s = Scope.open()) {
            Variable x = Variable.param(randn(7, 1, 3, 4, 4).to(DType.F32));
            var e = assertThrows(IllegalStateException.class, () -> Functional.batchNormReluInferenceReusingInput(x, null, null,
                    bn.buffer("running_mean"), bn.buffer("running_var"), 1e-5));
            assertTrue(e.getMessage().contains("[1, 3, 4, 4]") && e.getMessage().contains("NoGrad"), e.getMessage());
        }
    }

    @Test
    void maxPoolWithoutGradientGivesTheRecordedPathsValues() {
        int[] k = {2, 2}, none = {0, 0}, one = {1, 1};
        try (Scope s = Scope.open()) {
            Tensor x = randn(8, 2, 3, 9, 11).to(DType.F32);
            Variable recorded = Functional.maxPool2d(Variable.param(x.copy()), k, k, none, one);
            assertTrue(recorded.requiresGrad());
            Variable plain;
            try (NoGrad ng = NoGrad.enter()) {
                plain = Functional.maxPool2d(Variable.param(x.copy()), k, k, none, one);
            }
            Variable constant = Functional.maxPool2d(Variable.constant(x), k, k, none, one);
            assertTrue(!plain.requiresGrad() && !constant.requiresGrad());
            assertArrayEquals(new int[]{2, 3, 4, 5}, plain.shape());
            assertArrayEquals(recorded.value().toFloatArray(), plain.value().toFloatArray(), "under NoGrad");
            assertArrayEquals(recorded.value().toFloatArray(), constant.value().toFloatArray(), "input without grad");
        }
    }
}
