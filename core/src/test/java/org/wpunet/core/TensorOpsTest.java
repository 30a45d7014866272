package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Elementwise ops, reductions, softmax and matmul against naive float64 references. */
class TensorOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(11);

    /** Pairs of broadcast-compatible shapes, including size-1 dims, rank differences and odd sizes. */
    private static final int[][][] SHAPES = {
            {{3, 4}, {3, 4}}, {{2, 3, 5}, {5}}, {{2, 1, 5}, {1, 3, 1}}, {{1}, {7, 3}}, {{}, {2, 2}},
            {{4, 1}, {1}}, {{17, 33}, {17, 1}}, {{2, 3, 4, 5}, {3, 1, 1}}, {{1, 1, 1}, {1, 1, 1}},
    };

    @Test
    void binaryOpsBroadcastLikeNumpy() {
        BinaryOp[] ops = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAXIMUM, BinaryOp.MINIMUM};
        for (int[][] pair : SHAPES) {
            double[] a = Ref.asFloat(Ref.random(rnd, Shapes.numel(pair[0]))), b = Ref.asFloat(Ref.random(rnd, Shapes.numel(pair[1])));
            try (Tensor ta = Ref.f32(a, pair[0]); Tensor tb = Ref.f32(b, pair[1])) {
                for (BinaryOp op : ops) {
                    try (Tensor r = apply(op, ta, tb)) {
                        assertArrayEquals(Shapes.broadcast(pair[0], pair[1]), r.shape());
                        Ref.close(Ref.binary(a, pair[0], b, pair[1], op::apply), r.toDoubleArray(), 1e-6,
                                op + " " + Arrays.toString(pair[0]) + " " + Arrays.toString(pair[1]));
                    }
                }
                try (Tensor lt = ta.lt(tb)) {
                    assertEquals(DType.U8, lt.dtype());
                    Ref.close(Ref.binary(a, pair[0], b, pair[1], (x, y) -> x < y ? 1 : 0), lt.toDoubleArray(), 0, "lt");
                }
            }
        }
    }

    private static Tensor apply(BinaryOp op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAXIMUM -> a.maximum(b);
            case MINIMUM -> a.minimum(b);
            default -> throw new IllegalArgumentException();
        };
    }

    @Test
    void binaryOnNonContiguousViewsAndF64() {
        double[] a = Ref.random(rnd, 5 * 7);
        double[] b = Ref.random(rnd, 7 * 5);
        try (Tensor ta = Tensor.of(a, 5, 7); Tensor tb0 = Tensor.of(b, 7, 5); Tensor tb = tb0.transpose(0, 1);
             Tensor r = ta.mul(tb)) {
            double[] want = new double[35];
            for (int i = 0; i < 5; i++) for (int j = 0; j < 7; j++) want[i * 7 + j] = a[i * 7 + j] * b[j * 5 + i];
            assertEquals(DType.F64, r.dtype());
            Ref.close(want, r.toDoubleArray(), 1e-15, "mul of transposed view");
        }
    }

    @Test
    void unaryOpsMatchReference() {
        double[] v = Ref.asFloat(Ref.random(rnd, 3 * 17));
        double[] pos = Ref.unary(v, x -> Math.abs(x) + 0.1);
        try (Tensor t0 = Ref.f32(v, 17, 3); Tensor t = t0.transpose(0, 1); Tensor p = Ref.f32(pos, 3, 17)) {
            double[] tv = t.toDoubleArray();
            for (UnaryOp op : UnaryOp.values()) {
                boolean needsPos = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RECIPROCAL;
                Tensor in = needsPos ? p : t;
                double[] src = needsPos ? pos : tv;
                try (Tensor r = switch (op) {
                    case NEG -> in.neg(); case ABS -> in.abs(); case EXP -> in.exp(); case LOG -> in.log();
                    case SQRT -> in.sqrt(); case RELU -> in.relu(); case SIGMOID -> in.sigmoid(); case TANH -> in.tanh();
                    case SIGN -> in.sign(); case SQUARE -> in.square(); case RECIPROCAL -> in.reciprocal();
                }) {
                    Ref.close(Ref.unary(src, op::apply), r.toDoubleArray(), 1e-6, op.name());
                }
            }
        }
        try (Tensor t = Tensor.of(new float[]{-3, 0.5f, 9, Float.NaN}, 4); Tensor c = t.clamp(-1, 1); Tensor pw = t.pow(2);
             Tensor sc = t.rsub(1); Tensor rd = t.rdiv(1)) {
            assertArrayEquals(new float[]{-1, 0.5f, 1, Float.NaN}, c.toFloatArray());
            assertArrayEquals(new float[]{9, 0.25f, 81, Float.NaN}, pw.toFloatArray());
            assertArrayEquals(new float[]{4, 0.5f, -8, Float.NaN}, sc.toFloatArray());
            assertEquals(2f, rd.toFloatArray()[1]);
        }
    }

    @Test
    void whereAndIntegerPromotion() {
        try (Tensor c = Tensor.ofBytes(new byte[]{1, 0, 1}, 3); Tensor a = Tensor.of(new float[]{1, 2, 3}, 3);
             Tensor b = Tensor.of(new float[]{-1}, 1); Tensor w = Tensor.where(c, a, b);
             Tensor i = Tensor.of(new int[]{1, 2, 3}, 3); Tensor d = i.div(2); Tensor m = i.mul(3); Tensor s = i.add(a)) {
            assertArrayEquals(new float[]{1, -1, 3}, w.toFloatArray());
            assertEquals(DType.F32, d.dtype());
            assertArrayEquals(new float[]{0.5f, 1, 1.5f}, d.toFloatArray());
            assertEquals(DType.I32, m.dtype());
            assertArrayEquals(new int[]{3, 6, 9}, m.toIntArray());
            assertEquals(DType.F32, s.dtype());
        }
    }

    @Test
    void reductionsOverAnyDims() {
        int[] shape = {3, 4, 5};
        double[] v = Ref.asFloat(Ref.random(rnd, 60));
        int[][] dimSets = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}, {-1}};
        try (Tensor t0 = Ref.f32(v, 5, 4, 3); Tensor t = t0.permute(2, 1, 0); Tensor tc = t.contiguous()) {
            double[] tv = tc.toDoubleArray();
            for (int[] ds : dimSets) {
                int[] nd = Shapes.dims(ds, 3);
                for (boolean keep : new boolean[]{false, true}) {
                    try (Tensor s = t.sum(keep, ds); Tensor mx = t.max(keep, ds); Tensor mn = t.min(keep, ds);
                         Tensor me = t.mean(keep, ds); Tensor va = t.variance(true, keep, ds)) {
                        assertArrayEquals(Tensor.reducedShape(shape, nd, keep), s.shape());
                        Ref.close(refReduce(tv, shape, nd, 0), s.toDoubleArray(), 1e-5, "sum " + Arrays.toString(ds));
                        Ref.close(refReduce(tv, shape, nd, 1), mx.toDoubleArray(), 0, "max " + Arrays.toString(ds));
                        Ref.close(refReduce(tv, shape, nd, 2), mn.toDoubleArray(), 0, "min " + Arrays.toString(ds));
                        Ref.close(refReduce(tv, shape, nd, 3), me.toDoubleArray(), 1e-5, "mean " + Arrays.toString(ds));
                        Ref.close(refReduce(tv, shape, nd, 4), va.toDoubleArray(), 1e-5, "var " + Arrays.toString(ds));
                    }
                }
            }
            for (int d = 0; d < 3; d++) {
                try (Tensor am = t.argmax(d, false); Tensor an = t.argmin(d, true)) {
                    assertEquals(DType.I32, am.dtype());
                    double[] want = refArg(tv, shape, d, true), wantMin = refArg(tv, shape, d, false);
                    Ref.close(want, am.toDoubleArray(), 0, "argmax " + d);
                    Ref.close(wantMin, an.toDoubleArray(), 0, "argmin " + d);
                }
            }
        }
    }

    @Test
    void largeReductionIsThreadIndependentAndAccurate() {
        int n = 1 << 20;
        float[] v = new float[n];
        double exact = 0;
        for (int i = 0; i < n; i++) { v[i] = (float) Math.sin(i); exact += v[i]; }
        try (Tensor t = Tensor.of(v, n); Tensor s = t.sum()) {
            assertEquals(exact, s.item(), 1e-3);
        }
        try (Tensor t = Tensor.of(new float[]{1, Float.NaN, 3}, 3); Tensor m = t.max(); Tensor am = t.argmax(0, false)) {
            assertTrue(Double.isNaN(m.item()));
            assertEquals(1, am.item());
        }
    }

    /** kind: 0 sum, 1 max, 2 min, 3 mean, 4 unbiased variance. */
    private static double[] refReduce(double[] v, int[] shape, int[] dims, int kind) {
        boolean[] red = new boolean[shape.length];
        for (int d : dims) red[d] = true;
        int[] out = Tensor.reducedShape(shape, dims, false);
        int no = Shapes.numel(out);
        double[] sum = new double[no], mx = new double[no], mn = new double[no], sq = new double[no];
        Arrays.fill(mx, Double.NEGATIVE_INFINITY);
        Arrays.fill(mn, Double.POSITIVE_INFINITY);
        int count = Shapes.numel(shape) / Math.max(1, no);
        for (int i = 0; i < v.length; i++) {
            int[] m = Ref.multi(i, shape);
            int o = 0;
            for (int d = 0; d < shape.length; d++) if (!red[d]) o = o * shape[d] + m[d];
            sum[o] += v[i];
            mx[o] = Math.max(mx[o], v[i]);
            mn[o] = Math.min(mn[o], v[i]);
        }
        for (int i = 0; i < v.length; i++) {
            int[] m = Ref.multi(i, shape);
            int o = 0;
            for (int d = 0; d < shape.length; d++) if (!red[d]) o = o * shape[d] + m[d];
            double c = v[i] - sum[o] / count;
            sq[o] += c * c;
        }
        double[] r = new double[no];
        for (int o = 0; o < no; o++) {
            r[o] = switch (kind) {
                case 0 -> sum[o];
                case 1 -> mx[o];
                case 2 -> mn[o];
                case 3 -> sum[o] / count;
                default -> sq[o] / (count - 1);
            };
        }
        return r;
    }

    private static double[] refArg(double[] v, int[] shape, int dim, boolean max) {
        int[] out = Tensor.reducedShape(shape, new int[]{dim}, false);
        double[] r = new double[Shapes.numel(out)];
        double[] best = new double[r.length];
        Arrays.fill(best, Double.NaN);
        for (int i = 0; i < v.length; i++) {
            int[] m = Ref.multi(i, shape);
            int o = 0;
            for (int d = 0; d < shape.length; d++) if (d != dim) o = o * shape[d] + m[d];
            if (Double.isNaN(best[o]) || (max ? v[i] > best[o] : v[i] < best[o])) {
                best[o] = v[i];
                r[o] = m[dim];
            }
        }
        return r;
    }

    @Test
    void softmaxIsStableAndMatchesReference() {
        double[] v = Ref.asFloat(Ref.random(rnd, 2 * 3 * 4));
        v[0] = 1000; // stability: exp(1000) overflows without subtracting the max
        for (int dim = 0; dim < 3; dim++) {
            int[] shape = {2, 3, 4};
            try (Tensor t = Ref.f32(v, shape); Tensor s = t.softmax(dim); Tensor ls = t.logSoftmax(dim)) {
                double[] want = new double[24], wantLog = new double[24];
                for (int i = 0; i < 24; i++) {
                    int[] m = Ref.multi(i, shape);
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < shape[dim]; j++) { int[] q = m.clone(); q[dim] = j; mx = Math.max(mx, v[Ref.lin(q, shape)]); }
                    double z = 0;
                    for (int j = 0; j < shape[dim]; j++) { int[] q = m.clone(); q[dim] = j; z += Math.exp(v[Ref.lin(q, shape)] - mx); }
                    want[i] = Math.exp(v[i] - mx) / z;
                    wantLog[i] = v[i] - mx - Math.log(z);
                }
                Ref.close(want, s.toDoubleArray(), 1e-6, "softmax dim " + dim);
                Ref.close(wantLog, ls.toDoubleArray(), 1e-5, "log_softmax dim " + dim);
            }
        }
    }

    @Test
    void matmulOnTheScalarPathToo() {
        boolean old = org.wpunet.core.cpu.Simd.setEnabled(false);
        try {
            matmulShapesTransposesAndBatches();
        } finally {
            org.wpunet.core.cpu.Simd.setEnabled(old);
        }
    }

    @Test
    void matmulShapesTransposesAndBatches() {
        int[][][] cases = {
                {{3, 5}, {5, 4}}, {{1, 7}, {7, 1}}, {{2, 3, 5}, {5, 6}}, {{4, 1, 3, 2}, {5, 2, 3}}, {{5}, {5, 3}}, {{3, 5}, {5}},
                {{33, 17}, {17, 29}},
        };
        for (int[][] c : cases) {
            double[] a = Ref.random(rnd, Shapes.numel(c[0])), b = Ref.random(rnd, Shapes.numel(c[1]));
            try (Tensor ta = Ref.f32(a, c[0]); Tensor tb = Ref.f32(b, c[1]); Tensor r = ta.matmul(tb);
                 Tensor da = Tensor.of(a, c[0]); Tensor db = Tensor.of(b, c[1]); Tensor rd = da.matmul(db)) {
                double[] want = refMatmul(Ref.asFloat(a), c[0], Ref.asFloat(b), c[1]);
                Ref.close(want, r.toDoubleArray(), 1e-5, "matmul " + Arrays.toString(c[0]) + Arrays.toString(c[1]));
                Ref.close(refMatmul(a, c[0], b, c[1]), rd.toDoubleArray(), 1e-12, "f64 matmul");
            }
        }
        // transposed operands take the no-copy path
        double[] a = Ref.random(rnd, 6 * 4), b = Ref.random(rnd, 3 * 6);
        try (Tensor ta0 = Ref.f32(a, 6, 4); Tensor ta = ta0.mT(); Tensor tb0 = Ref.f32(b, 3, 6); Tensor tb = tb0.mT();
             Tensor r = ta.matmul(tb); Tensor ac = ta.contiguous(); Tensor bc = tb.contiguous()) {
            double[] want = refMatmul(ac.toDoubleArray(), new int[]{4, 6}, bc.toDoubleArray(), new int[]{6, 3});
            Ref.close(want, r.toDoubleArray(), 1e-5, "transposed matmul");
        }
    }

    private static double[] refMatmul(double[] a, int[] as, double[] b, int[] bs) {
        int[] a2 = as.length == 1 ? new int[]{1, as[0]} : as, b2 = bs.length == 1 ? new int[]{bs[0], 1} : bs;
        int m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int[] batch = Shapes.broadcast(Arrays.copyOf(a2, a2.length - 2), Arrays.copyOf(b2, b2.length - 2));
        int nb = Shapes.numel(batch);
        int[] abatch = Arrays.copyOf(a2, a2.length - 2), bbatch = Arrays.copyOf(b2, b2.length - 2);
        double[] out = new double[nb * m * n];
        for (int bi = 0; bi < nb; bi++) {
            int[] mi = Ref.multi(bi, batch);
            int ao = batchOffset(mi, abatch) * m * k, bo = batchOffset(mi, bbatch) * k * n;
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[ao + i * k + p] * b[bo + p * n + j];
                out[bi * m * n + i * n + j] = s;
            }
        }
        return out;
    }

    private static int batchOffset(int[] outIdx, int[] s) {
        int off = outIdx.length - s.length, o = 0;
        for (int d = 0; d < s.length; d++) o = o * s[d] + (s[d] == 1 ? 0 : outIdx[d + off]);
        return o;
    }

    @Test
    void rngIsDeterministicAndHasRightMoments() {
        try (Tensor u1 = new Rng(5).uniform01(Device.CPU, DType.F32, 100000); Tensor u2 = new Rng(5).uniform01(Device.CPU, DType.F32, 100000);
             Tensor z = new Rng(6).standardNormal(Device.CPU, DType.F64, 100000); Tensor zm = z.mean(); Tensor zv = z.variance(true, false);
             Tensor um = u1.mean(); Tensor b = new Rng(1).bernoulli(Device.CPU, 0.3, 100000); Tensor bf = b.to(DType.F32);
             Tensor bm = bf.mean()) {
            assertArrayEquals(u1.toFloatArray(), u2.toFloatArray());
            assertEquals(0.5, um.item(), 0.01);
            assertEquals(0.0, zm.item(), 0.02);
            assertEquals(1.0, zv.item(), 0.02);
            assertEquals(0.3, bm.item(), 0.01);
            float[] uv = u1.toFloatArray();
            for (float f : uv) assertTrue(f >= 0 && f < 1);
        }
        Rng r = new Rng(3);
        int[] p = r.permutation(10);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
    }
}
