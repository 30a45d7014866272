package org.wpunet.nn.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Backends;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;

import java.util.List;

/**
 * Graph-owned values ({@link TransientScope}): which values backward closes and when, that the
 * gradients do not change by a bit, that kept outputs stay readable, retainGraph, the released-graph
 * error, and the lower peak of tensor bytes (deterministic byte counts, not timings).
 */
class TransientScopeTest {
    private static final ConvParams SAME = ConvParams.of(1, 1);
    private static final int[] TWO = {2, 2}, ZERO = {0, 0}, ONE = {1, 1};

    /** conv, BN+ReLU, pool, transposed conv, concat [r1, up], conv: the shapes of one U-Net level. */
    private record Graph(Variable c1, Variable r1, Variable p1, Variable up, Variable cat, Variable out) {}

    private List<Variable> params;
    private Tensor runningMean, runningVar;

    @BeforeEach
    void makeParams() {
        Rng r = new Rng(3);
        params = List.of(
                Variable.param(r.standardNormal(Device.CPU, DType.F32, 2, 3, 16, 16)),     // x, a leaf: its gradient is checked too
                Variable.param(r.standardNormal(Device.CPU, DType.F32, 8, 3, 3, 3)),      // w1
                Variable.param(r.standardNormal(Device.CPU, DType.F32, 8)),               // b1
                Variable.param(r.uniformIn(Device.CPU, DType.F32, 0.5, 1.5, 8)),          // gamma
                Variable.param(r.standardNormal(Device.CPU, DType.F32, 8)),               // beta
                Variable.param(r.standardNormal(Device.CPU, DType.F32, 8, 8, 2, 2)),      // transposed conv weight
                Variable.param(r.standardNormal(Device.CPU, DType.F32, 4, 16, 3, 3)));    // w2
        runningMean = Tensor.zeros(DType.F32, 8);
        runningVar = Tensor.ones(Device.CPU, DType.F32, 8);
    }

    @AfterEach
    void closeParams() {
        for (Variable p : params) p.close();
        runningMean.close();
        runningVar.close();
    }

    private Graph forward(boolean transients) {
        try (TransientScope ts = transients ? TransientScope.open() : null) {
            Variable c1 = Functional.conv2d(params.get(0), params.get(1), params.get(2), SAME);
            Variable r1 = Functional.batchNormRelu(c1, params.get(3), params.get(4), runningMean, runningVar, true, 0.1, 1e-5);
            Variable p1 = Functional.maxPool2d(r1, TWO, TWO, ZERO, ONE);
            Variable up = Functional.convTranspose2d(p1, params.get(5), null, ConvParams.of(2, 0));
            Variable cat = Ops.concat(1, r1, up);
            Variable out = Functional.conv2d(cat, params.get(6), null, SAME);
            return new Graph(c1, r1, p1, up, cat, ts == null ? out : ts.keep(out));
        }
    }

    private static Variable loss(Variable out) { return Ops.mean(Ops.square(out)); }

    private static boolean closed(Variable v) {
        try {
            v.value();
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Test
    void valuesNoRuleReadsCloseWithTheScope() {
        try (Scope s = Scope.open()) {
            Graph g = forward(true);
            // up is read by no backward rule (transposed conv reads its input, concat nothing)
            assertTrue(closed(g.up()), "transposed conv output before backward");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.up().value());
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
            for (Variable v : List.of(g.c1(), g.r1(), g.p1(), g.cat(), g.out())) assertDoesNotThrow(v::value);
        }
    }

    @Test
    void backwardClosesGraphOwnedValuesAndLeavesKeptOnesReadable() {
        long live = Tensor.liveCount();
        try (Scope s = Scope.open()) {
            Graph g = forward(true);
            Variable loss = loss(g.out());
            loss.backward();
            for (Variable v : List.of(g.c1(), g.r1(), g.p1(), g.up(), g.cat())) assertTrue(closed(v), v.op() + " after backward");
            assertEquals(2 * 4 * 16 * 16, g.out().value().toDoubleArray().length, "the kept output is readable");
            assertTrue(Double.isFinite(loss.item()));
        } // the scope closes the values backward closed already: a no-op
        for (Variable p : params) p.zeroGrad();
        assertEquals(live, Tensor.liveCount(), "nothing leaked, nothing closed twice");
    }

    @Test
    void withoutAScopeNothingIsClosedEarly() {
        try (Scope s = Scope.open()) {
            Graph g = forward(false);
            loss(g.out()).backward();
            for (Variable v : List.of(g.c1(), g.r1(), g.p1(), g.up(), g.cat())) assertDoesNotThrow(v::value);
        }
    }

    @Test
    void gradientsAreBitwiseTheSameWithAndWithoutEarlyClosing() {
        double[][] plain = gradients(false, false), early = gradients(true, false), retained = gradients(true, true);
        for (int i = 0; i < plain.length; i++) {
            assertArrayEquals(plain[i], early[i], "parameter " + i);
            assertArrayEquals(plain[i], retained[i], "parameter " + i + " (retainGraph)");
        }
    }

    private double[][] gradients(boolean transients, boolean retain) {
        for (Variable p : params) p.zeroGrad();
        try (Scope s = Scope.open(); Tensor one = Tensor.ones(Device.CPU, DType.F32)) {
            loss(forward(transients).out()).backward(one, retain);
        }
        double[][] g = new double[params.size()][];
        for (int i = 0; i < g.length; i++) g[i] = params.get(i).grad().toDoubleArray();
        return g;
    }

    @Test
    void retainGraphKeepsTheValuesForASecondBackwardThenTheGraphIsReleased() {
        double[][] once = gradients(true, false);
        for (Variable p : params) p.zeroGrad();
        try (Scope s = Scope.open(); Tensor one = Tensor.ones(Device.CPU, DType.F32)) {
            Graph g = forward(true);
            Variable loss = loss(g.out());
            loss.backward(one, true);
            assertDoesNotThrow(() -> g.cat().value());
            loss.backward(one, false);
            assertTrue(closed(g.cat()), "closed by the backward that released the graph");
            for (int i = 0; i < params.size(); i++) {
                double[] twice = params.get(i).grad().toDoubleArray();
                for (int j = 0; j < twice.length; j++) assertEquals(2 * once[i][j], twice[j], "parameter " + i + " [" + j + "]");
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertEquals("the graph through op 'mean' was released by an earlier backward(); pass retainGraph=true to backward twice",
                    e.getMessage());
        }
    }

    @Test
    void aKeptOutputOfAnInnerScopeBelongsToTheOuterOne() {
        try (Scope s = Scope.open()) {
            Variable inner, outer;
            try (TransientScope out = TransientScope.open()) {
                try (TransientScope in = TransientScope.open()) {
                    inner = in.keep(Ops.relu(params.get(0)));
                }
                outer = out.keep(Ops.mul(inner, inner));
            }
            Ops.sum(outer).backward();
            assertTrue(closed(inner), "graph-owned in the outer scope, closed after the last reader");
            assertDoesNotThrow(outer::value);
        }
    }

    @Test
    void peakTensorBytesAreLowerWithEarlyClosing() {
        long late = peakOfStep(false), early = peakOfStep(true);
        // without a scope everything lives to the end of the step; with one, the transposed conv's
        // output (read by no rule) is gone before backward starts, and the rest as backward passes it
        long up = 4L * 2 * 8 * 16 * 16;
        assertTrue(late - early >= up, "peak " + early + " B with early closing vs " + late + " B without");
    }

    private long peakOfStep(boolean transients) {
        for (Variable p : params) p.zeroGrad();
        gradients(transients, false); // gradients allocated: both measured steps start alike
        long before = Backends.memoryStats(Device.CPU).inUse();
        Backends.resetPeakMemory(Device.CPU);
        try (Scope s = Scope.open()) {
            loss(forward(transients).out()).backward();
        }
        return Backends.memoryStats(Device.CPU).peakInUse() - before;
    }
}
