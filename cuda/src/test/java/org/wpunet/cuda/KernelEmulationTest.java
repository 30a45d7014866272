package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Backend;
import org.wpunet.core.Backends;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Layout;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.Storage;

/**
 * The kernels' index arithmetic, emulated on the host ({@link KernelEmulator}) on the very calls the
 * backend launches ({@link KernelCalls}), against the CPU backend: strided, permuted, narrowed,
 * broadcast and size-1 layouts, the cases where coalescing used to renumber the dims of the indexing
 * kernels (index_select dim 1 of [4,5,6] gave 66 of 72 elements wrong, gather 18 of 20).
 */
class KernelEmulationTest {
    static final Backend CPU = Backends.get(Device.CPU);
    final SplittableRandom rnd = new SplittableRandom(7);

    double[] values(int n) { return values(rnd, n); }

    static double[] values(SplittableRandom rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(-1000, 1000) / 8.0; // exact in F32 and F64
        return v;
    }

    /** The first n elements of a CPU storage (F64, F32 or I32) as doubles. */
    static double[] cpu(Storage s, int n) {
        Object a = CPU.toHost(s, Layout.contiguous(n));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = switch (a) {
                case double[] v -> v[i];
                case float[] v -> v[i];
                case int[] v -> v[i];
                default -> throw new IllegalArgumentException(a.getClass().toString());
            };
        }
        return d;
    }

    static double[] cpuInts(Storage s, int n) { return cpu(s, n); }

    /** A CPU storage of dtype F64, F32 or I32 holding v (exact in each: the tests' values are). */
    static Storage onCpu(double[] v, DType dt) {
        return switch (dt) {
            case F64 -> CPU.fromHost(v.clone(), dt);
            case F32 -> {
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
                yield CPU.fromHost(f, dt);
            }
            case I32 -> CPU.fromHost(ints(v), dt);
            default -> throw new IllegalArgumentException(dt.toString());
        };
    }

    /** The float compute type (F32 storages) and the double one (F64). */
    static final DType[] FLOATS = {DType.F32, DType.F64};

    static int[] ints(double[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
        return r;
    }

    /** Layouts over a storage of {@code base} elements: compact, with size-1 dims, permuted, narrowed, broadcast. */
    static List<Layout> layouts() {
        return List.of(
                Layout.contiguous(4, 5, 6),
                Layout.contiguous(4, 1, 5, 6),
                Layout.contiguous(6, 5, 4).permute(2, 1, 0),
                Layout.contiguous(5, 6, 8).narrow(2, 1, 6).permute(1, 0, 2).narrow(0, 1, 4).permute(1, 0, 2),
                new Layout(new int[]{4, 5, 6}, new int[]{0, 6, 1}, 3),
                new Layout(new int[]{4, 1, 6}, new int[]{6, 0, 1}, 0));
    }

    static final int BASE = 5 * 6 * 8 + 8;

    @Test
    void indexSelectMatchesTheCpuOnEveryLayoutAndDim() {
        double[] x = values(BASE);
        Storage cx = CPU.fromHost(x, DType.F64);
        for (Layout l : layouts()) {
            for (int dim = 0; dim < l.rank(); dim++) {
                int size = l.shape()[dim];
                double[] idx = {size - 1, 0, size / 2, size - 1};
                int[] shape = l.shape();
                shape[dim] = idx.length;
                int n = Layout.contiguous(shape).numel();
                HostStorage y = new HostStorage(DType.F64, n), err = new HostStorage(DType.I32, 3);
                KernelEmulator.run(KernelCalls.indexSelect(HostStorage.of(DType.F64, x), l, dim, HostStorage.of(DType.I32, idx),
                        idx.length, y, err));
                double[] want = cpu(CPU.indexSelect(cx, l, dim, CPU.fromHost(ints(idx), DType.I32), idx.length), n);
                assertArrayEquals(want, y.v, "index_select dim " + dim + " of " + l);
                assertEquals(0, err.v[0]);
            }
        }
    }

    @Test
    void gatherAndScatterAddMatchTheCpu() {
        double[] x = values(BASE);
        Storage cx = CPU.fromHost(x, DType.F64);
        for (Layout l : layouts()) {
            for (int dim = 0; dim < l.rank(); dim++) {
                int[] is = l.shape();
                for (int d = 0; d < is.length; d++) if (d != dim && is[d] > 1) is[d]--; // index smaller than the input
                is[dim] = l.shape()[dim] + 1;                                          // and longer along dim
                Layout li = transposed(is); // a strided index
                int n = li.numel();
                double[] idx = new double[n];
                for (int i = 0; i < n; i++) idx[i] = rnd.nextInt(l.shape()[dim]);
                HostStorage y = new HostStorage(DType.F64, n), err = new HostStorage(DType.I32, 3);
                HostStorage hx = HostStorage.of(DType.F64, x), hi = HostStorage.of(DType.I32, idx);
                KernelEmulator.run(KernelCalls.gather(hx, l, dim, hi, li, y, err));
                Storage ci = CPU.fromHost(ints(idx), DType.I32);
                assertArrayEquals(cpu(CPU.gather(cx, l, dim, ci, li), n), y.v, "gather dim " + dim + " of " + l);
                // scatter a strided source of the index's shape into a compact tensor of l's shape
                double[] src = values(n);
                Layout ls = transposed(is), lo = Layout.contiguous(l.shape());
                HostStorage out = new HostStorage(DType.F64, lo.numel());
                KernelEmulator.run(KernelCalls.scatterAdd(hi, li, HostStorage.of(DType.F64, src), ls, out, lo, dim, err));
                Storage want = CPU.scatterAdd(l.shape(), dim, ci, li, CPU.fromHost(src, DType.F64), ls, DType.F64);
                assertArrayEquals(cpu(want, lo.numel()), out.v, "scatter_add dim " + dim + " into " + lo);
                assertEquals(0, err.v[0]);
            }
        }
    }

    /** A layout of the given shape whose strides run the other way (a transposed compact tensor). */
    static Layout transposed(int[] shape) {
        int r = shape.length;
        int[] rev = new int[r];
        for (int i = 0; i < r; i++) rev[i] = shape[r - 1 - i];
        return Layout.contiguous(rev).permute(reverse(r));
    }

    static int[] reverse(int r) {
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = r - 1 - i;
        return p;
    }

    @Test
    void coalescedLayoutsWouldBreakTheIndexingKernels() {
        // the packing the indexing kernels had before: Launch.lay (coalescing) instead of layExact
        Layout l = Layout.contiguous(4, 5, 6);
        double[] x = values(l.numel()), idx = {4, 0, 2};
        HostStorage y = new HostStorage(DType.F64, 72), err = new HostStorage(DType.I32, 3);
        KernelCall exact = KernelCalls.indexSelect(HostStorage.of(DType.F64, x), l, 1, HostStorage.of(DType.I32, idx), 3, y, err);
        List<KernelCall.Arg> args = new java.util.ArrayList<>(exact.args());
        args.set(2, new KernelCall.Lay(Launch.lay(l, "t")));
        args.set(5, new KernelCall.Lay(Launch.lay(Layout.contiguous(4, 3, 6), "t")));
        KernelEmulator.run(new KernelCall(exact.kernel(), exact.grid(), exact.n(), args));
        double[] want = cpu(CPU.indexSelect(CPU.fromHost(x, DType.F64), l, 1, CPU.fromHost(ints(idx), DType.I32), 3), 72);
        int wrong = 0;
        for (int i = 0; i < 72; i++) if (want[i] != y.v[i]) wrong++;
        assertEquals(66, wrong, "the bug the exact packing fixes");
    }

    @Test
    void badIndicesAreRecordedWithValueAndSize() {
        Layout l = Layout.contiguous(3, 4);
        HostStorage y = new HostStorage(DType.F64, 6), err = new HostStorage(DType.I32, 3);
        KernelEmulator.run(KernelCalls.indexSelect(HostStorage.of(DType.F64, values(12)), l, 1, HostStorage.of(DType.I32, 1, 4),
                2, y, err));
        assertArrayEquals(new double[]{1, 4, 4}, err.v);
    }

    @Test
    void copiesAndBinaryOpsWalkEachOperandsOwnLayout() {
        double[] x = values(BASE), z = values(BASE);
        Storage cx = CPU.fromHost(x, DType.F64), cz = CPU.fromHost(z, DType.F64);
        for (Layout a : layouts()) {
            for (Layout b : layouts()) {
                if (!java.util.Arrays.equals(a.shape(), b.shape())) continue;
                int n = a.numel();
                HostStorage y = new HostStorage(DType.F64, n);
                KernelEmulator.run(KernelCalls.binary(BinaryOp.SUB, HostStorage.of(DType.F64, x), a, HostStorage.of(DType.F64, z), b, y));
                assertArrayEquals(cpu(CPU.binary(BinaryOp.SUB, cx, a, cz, b, DType.F64), n), y.v, a + " - " + b);
                // copyInto a strided destination: every element of the view written exactly once
                HostStorage dst = HostStorage.of(DType.F64, z.clone());
                Storage cdst = CPU.fromHost(z.clone(), DType.F64);
                Layout dl = Layout.contiguous(6, 5, 4).permute(2, 1, 0);
                if (!java.util.Arrays.equals(dl.shape(), a.shape())) continue;
                KernelEmulator.run(KernelCalls.copy(HostStorage.of(DType.F64, x), a, dst, dl, true, "t"));
                CPU.addInto(cx, a, cdst, dl);
                assertArrayEquals(cpu(cdst, BASE), dst.v, "addInto " + a + " -> " + dl);
            }
        }
    }

    @Test
    void reductionsSplitKeptAndReducedDimsLikeTheCpu() {
        double[] x = values(BASE);
        int[][] dimSets = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}};
        for (DType dt : FLOATS) {
            Storage cx = onCpu(x, dt);
            for (Layout l : layouts()) {
                for (int[] dims : dimSets) {
                    if (dims[dims.length - 1] >= l.rank()) continue;
                    for (ReduceOp op : ReduceOp.values()) assertReduce(op, x, cx, dt, l, dims, 4224);
                }
            }
        }
        // long reductions: two passes over (output, chunk) blocks, the partials in the compute type (and I32 indices)
        double[] big = values(3 * 200_000);
        big[3 * 150_000 + 2] = 1e6;  // a late maximum and an early minimum, in different chunks
        big[3 * 1000 + 2] = -1e6;
        Layout t = Layout.contiguous(200_000, 3).permute(1, 0);
        for (ReduceOp op : ReduceOp.values()) {
            assertTrue(KernelCalls.reduceChunks(op, t, new int[]{1}, 4224) > 1, op + " takes two passes here");
        }
        for (DType dt : FLOATS) {
            Storage cb = onCpu(big, dt);
            for (ReduceOp op : ReduceOp.values()) assertReduce(op, big, cb, dt, t, new int[]{1}, 4224);
        }
    }

    /** Per output of a reduction: sum |x|, in F64 on the CPU. */
    static double[] absSums(double[] x, Layout l, int[] dims) {
        double[] a = new double[x.length];
        for (int i = 0; i < x.length; i++) a[i] = Math.abs(x[i]);
        int outN = Launch.splitReduce(l, dims)[0].numel();
        return cpu(CPU.reduce(ReduceOp.SUM, CPU.fromHost(a, DType.F64), l, dims, DType.F64), outN);
    }

    /**
     * The emulated reduction (in x's compute type) against the CPU's (double accumulation, rounded once
     * to dt). Max/min/arg* are exact; an F64 sum is off by rounding only; an F32 sum within the bound
     * reduce.cu states: (m + 16 + chunks) 2^-24 sum|x|, m = ceil(chunk length / 256) terms per thread.
     */
    private static void assertReduce(ReduceOp op, double[] x, Storage cx, DType dt, Layout l, int[] dims, int maxBlocks) {
        int outN = Launch.splitReduce(l, dims)[0].numel();
        int chunks = KernelCalls.reduceChunks(op, l, dims, maxBlocks);
        DType out = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? DType.I32 : dt;
        HostStorage hx = HostStorage.of(dt, x), y = new HostStorage(out, outN);
        HostStorage part = new HostStorage(KernelCalls.partialType(op, hx, out), outN * chunks),
                partIdx = new HostStorage(DType.I32, outN * chunks);
        boolean f32 = dt == DType.F32 && op != ReduceOp.SUM_SQUARES; // sums of squares accumulate in double always
        assertEquals(f32 ? DType.F32 : DType.F64, part.dtype(), "partials of the compute type");
        for (KernelCall k : KernelCalls.reduce(op, hx, l, dims, y, chunks, part, partIdx)) {
            assertTrue(k.kernel().endsWith(f32 ? "_f32" : "_f64"), k.kernel() + " for " + op + " of " + dt);
            KernelEmulator.run(k);
        }
        double[] w = cpu(CPU.reduce(op, cx, l, dims, out), outN);
        double[] abs = absSums(x, l, dims);
        int inner = Launch.splitReduce(l, dims)[1].numel();
        for (int i = 0; i < outN; i++) {
            double tol = !KernelCalls.isSum(op) ? 0 : !f32 ? 1e-9 * Math.max(1, Math.abs(w[i]))
                    : (Math.ceil(inner / (256.0 * chunks)) + 16 + chunks) * 0x1p-24 * abs[i] + 0x1p-24 * Math.abs(w[i]);
            assertEquals(w[i], y.v[i], tol, op + " " + dt + " over " + java.util.Arrays.toString(dims) + " of " + l + " at " + i);
        }
    }

    /** Tolerance of a result of compute type dt against the CPU's (double math rounded once). */
    static double tol(DType dt, double want) { return (dt == DType.F64 ? 1e-12 : 2e-6) * Math.max(1, Math.abs(want)); }

    @Test
    void softmaxRowsAndPoolingWindowsMatchTheCpu() {
        for (DType dt : FLOATS) {
            for (int[] shape : new int[][]{{2, 3, 4}, {2, 40, 3}, {5, 33}, {2, 300}}) {
                for (int dim = 0; dim < shape.length; dim++) {
                    for (boolean log : new boolean[]{true, false}) {
                        int n = Layout.contiguous(shape).numel();
                        double[] x = values(n);
                        HostStorage y = new HostStorage(dt, n);
                        KernelCall k = KernelCalls.softmax(HostStorage.of(dt, x), shape, dim, log, y);
                        assertTrue(k.kernel().endsWith(dt == DType.F32 ? "_f32" : "_f64"), k.kernel());
                        KernelEmulator.run(k);
                        double[] want = cpu(CPU.softmax(onCpu(x, dt), shape, dim, log), n);
                        for (int i = 0; i < n; i++) {
                            assertEquals(want[i], y.v[i], tol(dt, want[i]), k.kernel() + " log " + log + " dim " + dim + " at " + i);
                        }
                    }
                }
            }
            int[] xs = {2, 3, 7, 9};
            double[] x = values(2 * 3 * 7 * 9);
            for (int[] k : new int[][]{{3, 3, 2, 1, 1}, {2, 2, 2, 0, 1}, {3, 2, 1, 1, 2}}) { // kh kw stride pad dilation
                int[] ks = {k[0], k[1]}, s = {k[2], k[2]}, p = {k[3], k[3]}, d = {k[4], k[4]};
                int[] o = KernelCalls.poolOut(xs, ks, s, p, d);
                int n = 6 * o[0] * o[1];
                HostStorage y = new HostStorage(dt, n), idx = new HostStorage(DType.I32, n);
                KernelEmulator.run(KernelCalls.maxPool2d(HostStorage.of(dt, x), xs, ks, s, p, d, y, idx));
                Storage[] want = CPU.maxPool2d(onCpu(x, dt), xs, ks, s, p, d);
                assertArrayEquals(cpu(want[0], n), y.v, dt + " max_pool2d values " + java.util.Arrays.toString(k));
                assertArrayEquals(cpuInts(want[1], n), idx.v, dt + " max_pool2d indices " + java.util.Arrays.toString(k));
            }
        }
    }

    @Test
    void poolingBackwardAndFusedLossesAddressPixelsLikeTheCpu() {
        for (DType dt : FLOATS) {
            int[] xs = {2, 3, 7, 9}, k = {3, 3}, st = {2, 2}, pad = {1, 1}, dil = {1, 1};
            int[] o = KernelCalls.poolOut(xs, k, st, pad, dil);
            int n = 6 * o[0] * o[1], nx = 2 * 3 * 7 * 9;
            double[] x = values(nx), dy = values(n);
            Storage[] pool = CPU.maxPool2d(onCpu(x, dt), xs, k, st, pad, dil);
            HostStorage dx = new HostStorage(dt, nx);
            KernelEmulator.run(KernelCalls.maxPool2dBackward(HostStorage.of(dt, dy), HostStorage.of(DType.I32, cpuInts(pool[1], n)),
                    xs, new int[]{2, 3, o[0], o[1]}, dx));
            Storage want = CPU.maxPool2dBackward(onCpu(dy, dt), pool[1], xs, new int[]{2, 3, o[0], o[1]});
            assertArrayEquals(cpu(want, nx), dx.v, 1e-12, dt + " max_pool2d backward"); // sums of few multiples of 1/8: exact

            int[] shape = {2, 3, 4, 5};
            int pix = 2 * 4 * 5, all = 3 * pix;
            double[] logits = values(all), weight = new double[pix], target = new double[pix], cw = new double[all];
            for (int i = 0; i < all; i++) logits[i] /= 16; // |x| < 8: softmax terms that matter
            for (int i = 0; i < pix; i++) { weight[i] = 0.5 + i % 3; target[i] = i % 3; }
            for (int i = 0; i < all; i++) cw[i] = 0.25 + i % 5;
            HostStorage loss = new HostStorage(dt, pix), grad = new HostStorage(dt, all), err = new HostStorage(DType.I32, 3);
            KernelEmulator.run(KernelCalls.weightedCrossEntropy(HostStorage.of(dt, logits), shape, HostStorage.of(DType.I32, target),
                    HostStorage.of(dt, weight), loss, grad, err));
            Storage[] ce = CPU.weightedCrossEntropy(onCpu(logits, dt), shape, onCpu(target, DType.I32), onCpu(weight, dt), true);
            assertClose(cpu(ce[0], pix), loss.v, dt, "weighted cross-entropy loss");
            assertClose(cpu(ce[1], all), grad.v, dt, "weighted cross-entropy gradient");
            KernelEmulator.run(KernelCalls.classWeightedCrossEntropy(HostStorage.of(dt, logits), shape, HostStorage.of(dt, cw), 0.05,
                    loss, grad));
            Storage[] cwce = CPU.classWeightedCrossEntropy(onCpu(logits, dt), shape, onCpu(cw, dt), 0.05, true);
            assertClose(cpu(cwce[0], pix), loss.v, dt, "class-weighted cross-entropy loss");
            assertClose(cpu(cwce[1], all), grad.v, dt, "class-weighted cross-entropy gradient");
        }
    }

    static void assertClose(double[] want, double[] got, DType dt, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], tol(dt, want[i]), dt + " " + what + " at " + i);
    }
}
