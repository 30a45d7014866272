package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.FusedOps;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.Tensor;

/**
 * The fused training kernels (weighted cross-entropy, optimiser updates, sum of squares) on
 * {@link #device()} against references composed from plain tensor ops on the CPU in F64. Written
 * once; each backend runs it through a subclass.
 */
public abstract class FusedConformance {
    protected abstract Device device();

    private static final double RTOL = 1e-5;

    private static float[] rand(Random r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            double v = lo + (hi - lo) * r.nextDouble();
            a[i] = (float) (r.nextBoolean() ? v : -v);
        }
        return a;
    }

    private static float[] positive(Random r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }

    /** |a - r| <= rtol (|r| + max|r| 1e-3) everywhere; NaN or Inf in a fails. */
    static void assertClose(double[] ref, float[] got, double rtol, String what) {
        assertEquals(ref.length, got.length, what + ": length");
        double scale = 0;
        for (double v : ref) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < ref.length; i++) {
            assertTrue(Float.isFinite(got[i]), what + ": non-finite " + got[i] + " at " + i);
            double tol = rtol * (Math.abs(ref[i]) + 1e-3 * scale);
            if (Math.abs(got[i] - ref[i]) > tol) {
                throw new AssertionError(what + ": at " + i + " got " + got[i] + ", expected " + ref[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void weightedCrossEntropyMatchesLogSoftmax() {
        Random r = new Random(11);
        int n = 2, c = 3, h = 5, w = 7;
        float[] x = rand(r, n * c * h * w, 0.1, 4);
        int[] t = new int[n * h * w];
        for (int i = 0; i < t.length; i++) t[i] = r.nextInt(c);
        float[] wt = positive(r, n * h * w, 0.5, 30);
        // reference: l = -w log_softmax(x)[t], grad = w (softmax - onehot), in F64 on the CPU
        double[] refLoss = new double[t.length], refGrad = new double[x.length];
        try (Tensor x64 = Tensor.of(x, n, c, h, w).to(DType.F64); Tensor ls = x64.logSoftmax(1)) {
            double[] lp = ls.toDoubleArray();
            for (int b = 0; b < n; b++) {
                for (int p = 0; p < h * w; p++) {
                    int q = b * h * w + p, tc = t[q];
                    refLoss[q] = -wt[q] * lp[(b * c + tc) * h * w + p];
                    for (int k = 0; k < c; k++) {
                        int o = (b * c + k) * h * w + p;
                        refGrad[o] = wt[q] * (Math.exp(lp[o]) - (k == tc ? 1 : 0));
                    }
                }
            }
        }
        try (Tensor xd = Tensor.of(x, n, c, h, w).to(device()); Tensor td = Tensor.of(t, n, h, w).to(device());
             Tensor wd = Tensor.of(wt, n, h, w).to(device());
             FusedOps.CrossEntropyResult res = FusedOps.weightedCrossEntropy(xd, td, wd, true)) {
            assertClose(refLoss, res.loss().toFloatArray(), RTOL, "loss");
            assertClose(refGrad, res.grad().toFloatArray(), RTOL, "grad");
        }
        try (Tensor xd = Tensor.of(x, n, c, h, w).to(device()); Tensor td = Tensor.of(t, n, h, w).to(device());
             FusedOps.CrossEntropyResult res = FusedOps.weightedCrossEntropy(xd, td, null, false)) {
            double[] unweighted = new double[t.length];
            for (int i = 0; i < t.length; i++) unweighted[i] = refLoss[i] / wt[i];
            assertClose(unweighted, res.loss().toFloatArray(), RTOL, "unweighted loss");
            assertEquals(null, res.grad());
        }
    }

    /**
     * Class-weighted CE with a clamped softmax against an F64 reference here: every third pixel has one
     * logit 55..70 above the others, so their softmax (below e^-55 = 1.3e-24) is clamped to 1e-20 and
     * passes no gradient; no probability lies within a factor 10 of the bound, so F32 and F64 agree on
     * which are clamped.
     */
    @Test
    void classWeightedCrossEntropyMatchesClampedReference() {
        Random r = new Random(23);
        int n = 2, c = 3, h = 4, w = 5, hw = h * w;
        double clampMin = 1e-20;
        float[] x = rand(r, n * c * hw, 0.1, 3);
        for (int q = 0; q < n * hw; q += 3) {
            int b = q / hw, s = q % hw, k = r.nextInt(c);
            x[(b * c + k) * hw + s] += (float) (55 + 15 * r.nextDouble());
        }
        float[] wt = positive(r, n * c * hw, 0, 30);
        for (int i = 0; i < wt.length; i += 7) wt[i] = 0;
        double[] refLoss = new double[n * hw], refGrad = new double[x.length];
        int clamped = 0;
        for (int q = 0; q < n * hw; q++) {
            int b = q / hw, s = q % hw;
            double m = Double.NEGATIVE_INFINITY, z = 0, aw = 0;
            for (int k = 0; k < c; k++) m = Math.max(m, x[(b * c + k) * hw + s]);
            for (int k = 0; k < c; k++) z += Math.exp(x[(b * c + k) * hw + s] - m);
            double[] p = new double[c];
            for (int k = 0; k < c; k++) {
                int o = (b * c + k) * hw + s;
                p[k] = Math.exp(x[o] - m) / z;
                refLoss[q] -= wt[o] * Math.log(Math.max(p[k], clampMin));
                if (p[k] >= clampMin) aw += wt[o];
                else clamped++;
            }
            for (int k = 0; k < c; k++) {
                int o = (b * c + k) * hw + s;
                refGrad[o] = p[k] * aw - (p[k] >= clampMin ? wt[o] : 0);
            }
        }
        assertTrue(clamped >= 10, "the test must exercise the clamp: " + clamped);
        for (DType dt : new DType[]{DType.F32, DType.F64}) {
            try (Tensor x0 = Tensor.of(x, n, c, h, w); Tensor xd = x0.to(device(), dt); Tensor wd = Tensor.of(wt, n, c, h, w).to(device());
                 FusedOps.CrossEntropyResult res = FusedOps.classWeightedCrossEntropy(xd, wd, clampMin, true)) {
                assertEquals(dt, res.loss().dtype());
                assertEquals(java.util.List.of(n, h, w), java.util.Arrays.stream(res.loss().shape()).boxed().toList());
                assertClose(refLoss, res.loss().toFloatArray(), RTOL, dt + " loss");
                assertClose(refGrad, res.grad().toFloatArray(), RTOL, dt + " grad");
                if (dt == DType.F64) {
                    double[] gl = res.loss().toDoubleArray(), gg = res.grad().toDoubleArray();
                    for (int i = 0; i < gl.length; i++) assertEquals(refLoss[i], gl[i], 1e-12 * (1 + Math.abs(refLoss[i])), "f64 loss " + i);
                    for (int i = 0; i < gg.length; i++) assertEquals(refGrad[i], gg[i], 1e-12 * 30, "f64 grad " + i);
                }
            }
        }
        try (Tensor xd = Tensor.of(x, n, c, h, w).to(device()); Tensor wd = Tensor.of(wt, n, c, h, w).to(device());
             FusedOps.CrossEntropyResult res = FusedOps.classWeightedCrossEntropy(xd, wd, clampMin, false)) {
            assertClose(refLoss, res.loss().toFloatArray(), RTOL, "loss without gradient");
            assertEquals(null, res.grad());
        }
        try (Tensor xd = Tensor.of(x, n, c, h, w).to(device()); Tensor bad = Tensor.zeros(device(), DType.F32, n, h, w)) {
            var e = assertThrows(IllegalArgumentException.class, () -> FusedOps.classWeightedCrossEntropy(xd, bad, clampMin, true));
            assertTrue(e.getMessage().contains("[2, 4, 5]") && e.getMessage().contains("[2, 3, 4, 5]"), e.getMessage());
        }
    }

    @Test
    void crossEntropyRejectsBadTargets() {
        try (Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 2, 2).to(device());
             Tensor bad = Tensor.of(new int[]{0, 2}, 1, 2).to(device())) {
            // the CPU throws at the call; CUDA records the bad target and throws at the next read (no sync per step)
            var e = assertThrows(IndexOutOfBoundsException.class, () -> {
                try (FusedOps.CrossEntropyResult r = FusedOps.weightedCrossEntropy(x, bad, null, true)) {
                    r.loss().toDoubleArray();
                }
            });
            assertTrue(e.getMessage().contains("2"), e.getMessage());
        }
        try (Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 2, 2).to(device());
             Tensor t = Tensor.of(new int[]{0, 1, 1}, 1, 3).to(device())) {
            var e = assertThrows(IllegalArgumentException.class, () -> FusedOps.weightedCrossEntropy(x, t, null, true));
            assertTrue(e.getMessage().contains("[1, 3]"), e.getMessage());
        }
    }

    /** Runs `steps` fused updates on the device and the same rule, written as plain F64 loops, here. */
    private void checkOptimizer(OptimizerUpdate[] steps, String what) {
        Random r = new Random(what.hashCode());
        int n = 1000;
        int sc = steps[0].stateCount();
        float[] p0 = rand(r, n, 0.1, 1);
        double[] p = new double[n];
        double[][] st = new double[sc][n];
        for (int i = 0; i < n; i++) p[i] = p0[i];
        Tensor param = Tensor.of(p0, n).to(device());
        Tensor[] state = new Tensor[sc];
        for (int k = 0; k < sc; k++) state[k] = Tensor.zeros(device(), DType.F32, n);
        try {
            for (OptimizerUpdate u : steps) {
                float[] g = rand(r, n, 0.01, 1);
                try (Tensor gd = Tensor.of(g, n).to(device())) {
                    FusedOps.optimizerUpdate(u, param, gd, state);
                }
                reference(u, p, g, st);
                roundToFloat(p);
                for (double[] b : st) roundToFloat(b);
            }
            assertClose(p, param.toFloatArray(), RTOL, what + " param");
            for (int k = 0; k < sc; k++) assertClose(st[k], state[k].toFloatArray(), RTOL, what + " state " + k);
        } finally {
            param.close();
            for (Tensor t : state) t.close();
        }
    }

    /** The device stores F32: the reference rounds its parameter and state alike after each step. */
    private static void roundToFloat(double[] a) {
        for (int i = 0; i < a.length; i++) a[i] = (float) a[i];
    }

    /** The torch.optim rules, element by element in double (independent of the backends' code). */
    private static void reference(OptimizerUpdate u, double[] p, float[] g, double[][] st) {
        for (int i = 0; i < p.length; i++) {
            switch (u) {
                case OptimizerUpdate.Sgd s -> {
                    double d = g[i] + s.weightDecay() * p[i];
                    if (s.momentum() != 0) {
                        st[0][i] = s.firstStep() ? d : s.momentum() * st[0][i] + (1 - s.dampening()) * d;
                        d = s.nesterov() ? d + s.momentum() * st[0][i] : st[0][i];
                    }
                    p[i] -= s.lr() * d;
                }
                case OptimizerUpdate.RmsProp q -> {
                    double gi = g[i] + q.weightDecay() * p[i], a = q.alpha();
                    st[0][i] = a * st[0][i] + (1 - a) * gi * gi;
                    double avg;
                    int gaIdx = q.momentum() > 0 ? 2 : 1;
                    if (q.centered()) {
                        st[gaIdx][i] = a * st[gaIdx][i] + (1 - a) * gi;
                        avg = Math.sqrt(st[0][i] - st[gaIdx][i] * st[gaIdx][i]) + q.eps();
                    } else {
                        avg = Math.sqrt(st[0][i]) + q.eps();
                    }
                    if (q.momentum() > 0) {
                        st[1][i] = q.momentum() * st[1][i] + gi / avg;
                        p[i] -= q.lr() * st[1][i];
                    } else {
                        p[i] -= q.lr() * gi / avg;
                    }
                }
                case OptimizerUpdate.Adam a -> {
                    double gi = g[i];
                    if (a.decoupled()) p[i] *= 1 - a.lr() * a.weightDecay();
                    else gi += a.weightDecay() * p[i];
                    st[0][i] = a.beta1() * st[0][i] + (1 - a.beta1()) * gi;
                    st[1][i] = a.beta2() * st[1][i] + (1 - a.beta2()) * gi * gi;
                    double v = st[1][i];
                    if (a.amsgrad()) v = st[2][i] = Math.max(st[2][i], v);
                    double bc1 = 1 - Math.pow(a.beta1(), a.step()), bc2 = 1 - Math.pow(a.beta2(), a.step());
                    p[i] -= a.lr() / bc1 * st[0][i] / (Math.sqrt(v) / Math.sqrt(bc2) + a.eps());
                }
            }
        }
    }

    @Test
    void sgdVariants() {
        checkOptimizer(new OptimizerUpdate[]{new OptimizerUpdate.Sgd(0.1, 0, 0, 0, false, true),
                new OptimizerUpdate.Sgd(0.1, 0.01, 0, 0, false, false)}, "sgd plain");
        checkOptimizer(new OptimizerUpdate[]{new OptimizerUpdate.Sgd(0.1, 0.01, 0.9, 0.1, false, true),
                new OptimizerUpdate.Sgd(0.1, 0.01, 0.9, 0.1, false, false),
                new OptimizerUpdate.Sgd(0.05, 0.01, 0.9, 0.1, false, false)}, "sgd momentum");
        checkOptimizer(new OptimizerUpdate[]{new OptimizerUpdate.Sgd(0.1, 0, 0.9, 0, true, true),
                new OptimizerUpdate.Sgd(0.1, 0, 0.9, 0, true, false)}, "sgd nesterov");
    }

    @Test
    void rmspropVariants() {
        for (double mom : new double[]{0, 0.9}) {
            for (boolean centered : new boolean[]{false, true}) {
                OptimizerUpdate u = new OptimizerUpdate.RmsProp(1e-3, 1e-4, 0.9, 1e-5, mom, centered);
                checkOptimizer(new OptimizerUpdate[]{u, u, u}, "rmsprop momentum " + mom + " centered " + centered);
            }
        }
    }

    @Test
    void adamVariants() {
        for (boolean decoupled : new boolean[]{false, true}) {
            for (boolean ams : new boolean[]{false, true}) {
                OptimizerUpdate[] steps = new OptimizerUpdate[4];
                for (int t = 0; t < steps.length; t++) {
                    steps[t] = new OptimizerUpdate.Adam(1e-2, 0.01, 0.9, 0.999, 1e-8, decoupled, ams, t + 1);
                }
                checkOptimizer(steps, "adam decoupled " + decoupled + " amsgrad " + ams);
            }
        }
    }

    @Test
    void optimizerUpdateRejectsMismatches() {
        try (Tensor p = Tensor.zeros(device(), DType.F32, 4); Tensor g = Tensor.zeros(device(), DType.F32, 5);
             Tensor s = Tensor.zeros(device(), DType.F32, 4)) {
            var u = new OptimizerUpdate.RmsProp(1e-3, 0, 0.9, 1e-5, 0, false);
            var e = assertThrows(IllegalArgumentException.class, () -> FusedOps.optimizerUpdate(u, p, g, s));
            assertTrue(e.getMessage().contains("[5]"), e.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class, () -> FusedOps.optimizerUpdate(u, p, p));
            assertTrue(e2.getMessage().contains("takes 1 state"), e2.getMessage());
        }
        try (Tensor big = Tensor.zeros(device(), DType.F32, 8); Tensor view = big.narrow(0, 2, 4);
             Tensor g = Tensor.zeros(device(), DType.F32, 4)) {
            var u = new OptimizerUpdate.Sgd(0.1, 0, 0, 0, false, true);
            var e = assertThrows(IllegalArgumentException.class, () -> FusedOps.optimizerUpdate(u, view, g));
            assertTrue(e.getMessage().contains("compact"), e.getMessage());
        }
    }

    @Test
    void sumOfSquares() {
        Random r = new Random(5);
        for (int n : new int[]{7, 1000, 300_000}) {
            float[] a = rand(r, n, 0.1, 2);
            double want = 0;
            for (float v : a) want += (double) v * v;
            try (Tensor t = Tensor.of(a, n).to(device()); Tensor s = t.sumSquares(DType.F64)) {
                assertEquals(want, s.item(), 1e-12 * want, "n = " + n);
            }
        }
        // over some dims of a strided view: rows of a transposed matrix
        float[] a = rand(r, 6 * 40, 0.1, 2);
        try (Tensor t = Tensor.of(a, 6, 40).to(device()); Tensor tt = t.transpose(0, 1);
             Tensor s = tt.contiguous(); Tensor all = s.sumSquares(DType.F32)) {
            double want = 0;
            for (float v : a) want += (double) v * v;
            assertEquals(want, all.item(), 1e-6 * want);
        }
    }
}
