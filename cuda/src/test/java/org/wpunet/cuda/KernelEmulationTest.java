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

    double[] values(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = rnd.nextInt(-1000, 1000) / 8.0; // exact in F32 and F64
        return v;
    }

    static double[] cpu(Storage s, int n) { return (double[]) CPU.toHost(s, Layout.contiguous(n)); }

    static double[] cpuInts(Storage s, int n) {
        int[] a = (int[]) CPU.toHost(s, Layout.contiguous(n));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = a[i];
        return d;
    }

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
        Storage cx = CPU.fromHost(x, DType.F64);
        int[][] dimSets = {{0}, {1}, {2}, {0, 2}, {1, 2}, {0, 1, 2}};
        for (Layout l : layouts()) {
            for (int[] dims : dimSets) {
                if (dims[dims.length - 1] >= l.rank()) continue;
                for (ReduceOp op : ReduceOp.values()) assertReduce(op, x, cx, l, dims, 4224);
            }
        }
        // long reductions: two passes over (output, chunk) blocks, the partials in F64 (and I32 indices)
        double[] big = values(3 * 200_000);
        big[3 * 150_000 + 2] = 1e6;  // a late maximum and an early minimum, in different chunks
        big[3 * 1000 + 2] = -1e6;
        Storage cb = CPU.fromHost(big, DType.F64);
        Layout t = Layout.contiguous(200_000, 3).permute(1, 0);
        for (ReduceOp op : ReduceOp.values()) {
            assertTrue(KernelCalls.reduceChunks(op, t, new int[]{1}, 4224) > 1, op + " takes two passes here");
        }
        for (ReduceOp op : ReduceOp.values()) assertReduce(op, big, cb, t, new int[]{1}, 4224);
    }

    private static void assertReduce(ReduceOp op, double[] x, Storage cx, Layout l, int[] dims, int maxBlocks) {
        int outN = Launch.splitReduce(l, dims)[0].numel();
        int chunks = KernelCalls.reduceChunks(op, l, dims, maxBlocks);
        HostStorage y = new HostStorage(DType.F64, outN), part = new HostStorage(DType.F64, outN * chunks),
                partIdx = new HostStorage(DType.I32, outN * chunks);
        for (KernelCall k : KernelCalls.reduce(op, HostStorage.of(DType.F64, x), l, dims, y, chunks, part, partIdx)) {
            KernelEmulator.run(k);
        }
        DType out = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? DType.I32 : DType.F64;
        Storage want = CPU.reduce(op, cx, l, dims, out);
        double[] w = out == DType.I32 ? cpuInts(want, outN) : cpu(want, outN);
        for (int i = 0; i < outN; i++) {
            assertEquals(w[i], y.v[i], 1e-9 * Math.max(1, Math.abs(w[i])), op + " over " + java.util.Arrays.toString(dims) + " of " + l
                    + " at " + i);
        }
    }

    @Test
    void softmaxRowsAndPoolingWindowsMatchTheCpu() {
        for (int[] shape : new int[][]{{2, 3, 4}, {2, 40, 3}, {5, 33}}) {
            for (int dim = 0; dim < shape.length; dim++) {
                int n = Layout.contiguous(shape).numel();
                double[] x = values(n);
                HostStorage y = new HostStorage(DType.F64, n);
                KernelEmulator.run(KernelCalls.softmax(HostStorage.of(DType.F64, x), shape, dim, true, y));
                double[] want = cpu(CPU.softmax(CPU.fromHost(x, DType.F64), shape, dim, true), n);
                for (int i = 0; i < n; i++) assertEquals(want[i], y.v[i], 1e-12, "log_softmax dim " + dim + " at " + i);
            }
        }
        int[] xs = {2, 3, 7, 9};
        double[] x = values(2 * 3 * 7 * 9);
        for (int[] k : new int[][]{{3, 3, 2, 1, 1}, {2, 2, 2, 0, 1}, {3, 2, 1, 1, 2}}) { // kh kw stride pad dilation
            int[] ks = {k[0], k[1]}, s = {k[2], k[2]}, p = {k[3], k[3]}, d = {k[4], k[4]};
            int[] o = KernelCalls.poolOut(xs, ks, s, p, d);
            int n = 6 * o[0] * o[1];
            HostStorage y = new HostStorage(DType.F64, n), idx = new HostStorage(DType.I32, n);
            KernelEmulator.run(KernelCalls.maxPool2d(HostStorage.of(DType.F64, x), xs, ks, s, p, d, y, idx));
            Storage[] want = CPU.maxPool2d(CPU.fromHost(x, DType.F64), xs, ks, s, p, d);
            assertArrayEquals(cpu(want[0], n), y.v, "max_pool2d values " + java.util.Arrays.toString(k));
            assertArrayEquals(cpuInts(want[1], n), idx.v, "max_pool2d indices " + java.util.Arrays.toString(k));
        }
    }

    @Test
    void poolingBackwardAndFusedLossesAddressPixelsLikeTheCpu() {
        int[] xs = {2, 3, 7, 9}, k = {3, 3}, st = {2, 2}, pad = {1, 1}, dil = {1, 1};
        int[] o = KernelCalls.poolOut(xs, k, st, pad, dil);
        int n = 6 * o[0] * o[1], nx = 2 * 3 * 7 * 9;
        double[] x = values(nx), dy = values(n);
        Storage[] pool = CPU.maxPool2d(CPU.fromHost(x, DType.F64), xs, k, st, pad, dil);
        HostStorage dx = new HostStorage(DType.F64, nx);
        KernelEmulator.run(KernelCalls.maxPool2dBackward(HostStorage.of(DType.F64, dy), HostStorage.of(DType.I32, cpuInts(pool[1], n)),
                xs, new int[]{2, 3, o[0], o[1]}, dx));
        Storage want = CPU.maxPool2dBackward(CPU.fromHost(dy, DType.F64), pool[1], xs, new int[]{2, 3, o[0], o[1]});
        assertArrayEquals(cpu(want, nx), dx.v, 1e-12, "max_pool2d backward");

        int[] shape = {2, 3, 4, 5};
        int pix = 2 * 4 * 5, all = 3 * pix;
        double[] logits = values(all), weight = new double[pix], target = new double[pix], cw = new double[all];
        for (int i = 0; i < pix; i++) { weight[i] = 0.5 + i % 3; target[i] = i % 3; }
        for (int i = 0; i < all; i++) cw[i] = 0.25 + i % 5;
        HostStorage loss = new HostStorage(DType.F64, pix), grad = new HostStorage(DType.F64, all), err = new HostStorage(DType.I32, 3);
        KernelEmulator.run(KernelCalls.weightedCrossEntropy(HostStorage.of(DType.F64, logits), shape, HostStorage.of(DType.I32, target),
                HostStorage.of(DType.F64, weight), loss, grad, err));
        Storage[] ce = CPU.weightedCrossEntropy(CPU.fromHost(logits, DType.F64), shape, CPU.fromHost(ints(target), DType.I32),
                CPU.fromHost(weight, DType.F64), true);
        assertArrayEquals(cpu(ce[0], pix), loss.v, 1e-12, "weighted cross-entropy loss");
        assertArrayEquals(cpu(ce[1], all), grad.v, 1e-12, "weighted cross-entropy gradient");
        KernelEmulator.run(KernelCalls.classWeightedCrossEntropy(HostStorage.of(DType.F64, logits), shape,
                HostStorage.of(DType.F64, cw), 0.05, loss, grad));
        Storage[] cwce = CPU.classWeightedCrossEntropy(CPU.fromHost(logits, DType.F64), shape, CPU.fromHost(cw, DType.F64), 0.05, true);
        assertArrayEquals(cpu(cwce[0], pix), loss.v, 1e-12, "class-weighted cross-entropy loss");
        assertArrayEquals(cpu(cwce[1], all), grad.v, 1e-12, "class-weighted cross-entropy gradient");
    }
}
