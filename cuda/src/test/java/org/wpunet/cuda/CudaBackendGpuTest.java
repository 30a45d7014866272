package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Backend;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.Rng;
import org.wpunet.core.Storage;
import org.wpunet.core.UnaryOp;
import org.wpunet.core.cpu.CpuBackend;

/** Every backend op against the CPU backend on random inputs. Skips itself where CUDA is unavailable. */
@Tag("gpu")
class CudaBackendGpuTest {
    static CudaBackend gpu;
    static final Backend cpu = CpuBackend.INSTANCE;
    final Random rnd = new Random(42);

    @BeforeAll
    static void setUp() {
        CudaBackendProvider p = new CudaBackendProvider();
        String why = p.probe();
        assumeTrue(why == null, "CUDA unavailable: " + why);
        gpu = (CudaBackend) p.backend(0);
    }

    float[] rand(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = rnd.nextFloat() * 4 - 2;
        return a;
    }

    Storage[] both(float[] a) { return new Storage[]{cpu.fromHost(a, DType.F32), gpu.fromHost(a, DType.F32)}; }

    static void close(float[] want, float[] got, double rel, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i])) { assertTrue(Float.isNaN(got[i]), what + "[" + i + "]"); continue; }
            double tol = rel * Math.max(1, Math.abs(want[i]));
            assertEquals(want[i], got[i], tol, what + "[" + i + "]");
        }
    }

    static float[] f(Backend b, Storage s, int n) { return (float[]) b.toHost(s, Layout.contiguous(n)); }

    @Test
    void roundTripAllDtypes() {
        assertArrayEquals(new int[]{1, -2, 3}, (int[]) gpu.toHost(gpu.fromHost(new int[]{1, -2, 3}, DType.I32), Layout.contiguous(3)));
        assertArrayEquals(new byte[]{1, (byte) 200}, (byte[]) gpu.toHost(gpu.fromHost(new byte[]{1, (byte) 200}, DType.U8), Layout.contiguous(2)));
        assertArrayEquals(new double[]{1.5, -2}, (double[]) gpu.toHost(gpu.fromHost(new double[]{1.5, -2}, DType.F64), Layout.contiguous(2)), 0);
        float[] big = rand((CudaBackend.PINNED_BYTES / 4) * 2 + 17); // crosses the staging chunks
        assertArrayEquals(big, f(gpu, gpu.fromHost(big, DType.F32), big.length));
        assertArrayEquals(new float[]{0, 0, 0}, f(gpu, gpu.zeros(DType.F32, 3), 3));
        assertArrayEquals(new float[]{2.5f, 2.5f}, f(gpu, gpu.full(DType.F32, 2, 2.5), 2));
    }

    @Test
    void stridedCopyAndConversions() {
        float[] a = rand(2 * 3 * 4);
        Storage[] s = both(a);
        Layout l = Layout.contiguous(2, 3, 4).transpose(0, 2).narrow(1, 1, 2);
        for (DType to : new DType[]{DType.F32, DType.F64, DType.I32, DType.BF16, DType.F16}) {
            Storage c1 = cpu.copy(s[0], l, to), c2 = gpu.copy(s[1], l, to);
            Layout cl = Layout.contiguous(l.shape());
            close(f(cpu, cpu.copy(c1, cl, DType.F32), cl.numel()), f(gpu, gpu.copy(c2, cl, DType.F32), cl.numel()), 0, "copy to " + to);
        }
        Storage d0 = cpu.zeros(DType.F32, 24), d1 = gpu.zeros(DType.F32, 24);
        Layout sl = Layout.contiguous(4, 3);
        cpu.addInto(s[0], sl, d0, Layout.contiguous(4, 6).narrow(1, 2, 3));
        gpu.addInto(s[1], sl, d1, Layout.contiguous(4, 6).narrow(1, 2, 3));
        close(f(cpu, d0, 24), f(gpu, d1, 24), 1e-6, "addInto");
    }

    @Test
    void unaryBinaryWhereClamp() {
        float[] a = rand(60), b = rand(60);
        a[3] = Float.NaN;
        Storage[] x = both(a), y = both(b);
        Layout la = Layout.contiguous(3, 4, 5), lb = Layout.contiguous(3, 4, 5).narrow(0, 0, 1).expand(3, 4, 5);
        for (UnaryOp op : UnaryOp.values()) {
            close(f(cpu, cpu.unary(op, x[0], la, DType.F32), 60), f(gpu, gpu.unary(op, x[1], la, DType.F32), 60), 1e-5, op.name());
        }
        for (BinaryOp op : BinaryOp.values()) {
            DType out = op.isComparison() ? DType.U8 : DType.F32;
            Storage c1 = cpu.binary(op, x[0], la, y[0], lb, out), c2 = gpu.binary(op, x[1], la, y[1], lb, out);
            Layout o = Layout.contiguous(60);
            close(f(cpu, cpu.copy(c1, o, DType.F32), 60), f(gpu, gpu.copy(c2, o, DType.F32), 60), 1e-5, op.name());
            Storage s1 = cpu.binaryScalar(op, x[0], la, 0.5, true, out), s2 = gpu.binaryScalar(op, x[1], la, 0.5, true, out);
            close(f(cpu, cpu.copy(s1, o, DType.F32), 60), f(gpu, gpu.copy(s2, o, DType.F32), 60), 1e-5, op + " scalar");
        }
        Storage m1 = cpu.binary(BinaryOp.GT, x[0], la, y[0], la, DType.U8), m2 = gpu.binary(BinaryOp.GT, x[1], la, y[1], la, DType.U8);
        close(f(cpu, cpu.where(m1, la, x[0], la, y[0], lb, DType.F32), 60), f(gpu, gpu.where(m2, la, x[1], la, y[1], lb, DType.F32), 60), 0, "where");
        close(f(cpu, cpu.clamp(x[0], la, -0.5, 0.7), 60), f(gpu, gpu.clamp(x[1], la, -0.5, 0.7), 60), 0, "clamp");
    }

    @Test
    void reductionsAndSoftmax() {
        float[] a = rand(4 * 5 * 300);
        a[17] = a[18]; // a tie for argmax
        Storage[] x = both(a);
        Layout l = Layout.contiguous(4, 5, 300).transpose(1, 2);
        for (ReduceOp op : ReduceOp.values()) {
            int[][] dimsList = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN ? new int[][]{{1}, {2}} : new int[][]{{1}, {0, 2}, {0, 1, 2}};
            for (int[] dims : dimsList) {
                DType out = op.ordinal() >= 3 ? DType.I32 : DType.F32;
                Storage r1 = cpu.reduce(op, x[0], l, dims, out), r2 = gpu.reduce(op, x[1], l, dims, out);
                int n = r1.numel();
                Layout o = Layout.contiguous(n);
                close(f(cpu, cpu.copy(r1, o, DType.F32), n), f(gpu, gpu.copy(r2, o, DType.F32), n), 1e-4, op + " " + java.util.Arrays.toString(dims));
            }
        }
        for (boolean log : new boolean[]{false, true}) {
            close(f(cpu, cpu.softmax(x[0], new int[]{4, 5, 300}, 1, log), a.length),
                    f(gpu, gpu.softmax(x[1], new int[]{4, 5, 300}, 1, log), a.length), 1e-5, "softmax log=" + log);
        }
        double want = 0;
        for (float v : a) want += (double) v * v;
        Storage ss = gpu.reduce(ReduceOp.SUM_SQUARES, x[1], Layout.contiguous(a.length), new int[]{0}, DType.F64);
        assertEquals(want, ((double[]) gpu.toHost(ss, Layout.contiguous(1)))[0], 1e-12 * want);
    }

    @Test
    void matmulAllTransposes() {
        int batch = 3, m = 17, n = 33, k = 65;
        float[] a = rand(batch * m * k), b = rand(k * n);
        Storage[] x = both(a), y = both(b);
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                Storage c1 = cpu.matmul(x[0], m * k, ta, y[0], 0, tb, batch, m, n, k, DType.F32);
                Storage c2 = gpu.matmul(x[1], m * k, ta, y[1], 0, tb, batch, m, n, k, DType.F32);
                close(f(cpu, c1, batch * m * n), f(gpu, c2, batch * m * n), 1e-5, "matmul ta=" + ta + " tb=" + tb);
            }
        }
    }

    @Test
    void convolutionsPoolingBatchNorm() {
        int[] xs = {2, 3, 9, 11}, ws = {4, 3, 3, 3};
        ConvParams p = new ConvParams(2, 1, 1, 2, 1, 2, 0, 0);
        int oh = p.convOutH(xs[2], ws[2]), ow = p.convOutW(xs[3], ws[3]);
        int nx = 2 * 3 * 9 * 11, nw = 4 * 3 * 3 * 3, ny = 2 * 4 * oh * ow;
        Storage[] x = both(rand(nx)), w = both(rand(nw)), bias = both(rand(4)), dy = both(rand(ny));
        close(f(cpu, cpu.conv2d(x[0], xs, w[0], ws, bias[0], p), ny), f(gpu, gpu.conv2d(x[1], xs, w[1], ws, bias[1], p), ny), 1e-4, "conv2d");
        close(f(cpu, cpu.conv2dBackwardInput(dy[0], w[0], xs, ws, p), nx), f(gpu, gpu.conv2dBackwardInput(dy[1], w[1], xs, ws, p), nx), 1e-4, "conv dx");
        Storage[] g1 = cpu.conv2dBackwardWeight(x[0], dy[0], xs, ws, p, true), g2 = gpu.conv2dBackwardWeight(x[1], dy[1], xs, ws, p, true);
        close(f(cpu, g1[0], nw), f(gpu, g2[0], nw), 1e-4, "conv dw");
        close(f(cpu, g1[1], 4), f(gpu, g2[1], 4), 1e-4, "conv db");

        int[] ts = {3, 4, 2, 2}; // ConvTranspose2d(3 -> 4, k=2, s=2)
        ConvParams tp = ConvParams.of(2, 0).withOutputPadding(1, 1);
        int[] txs = {2, 3, 5, 6};
        int th = tp.transposedOutH(5, 2), tw = tp.transposedOutW(6, 2), tn = 2 * 4 * th * tw, tx = 2 * 3 * 5 * 6;
        Storage[] xt = both(rand(tx)), wt = both(rand(48)), bt = both(rand(4)), dyt = both(rand(tn));
        close(f(cpu, cpu.convTranspose2d(xt[0], txs, wt[0], ts, bt[0], tp), tn), f(gpu, gpu.convTranspose2d(xt[1], txs, wt[1], ts, bt[1], tp), tn), 1e-4, "convT");
        close(f(cpu, cpu.convTranspose2dBackwardInput(dyt[0], wt[0], txs, ts, tp), tx),
                f(gpu, gpu.convTranspose2dBackwardInput(dyt[1], wt[1], txs, ts, tp), tx), 1e-4, "convT dx");
        Storage[] h1 = cpu.convTranspose2dBackwardWeight(xt[0], dyt[0], txs, ts, tp, true);
        Storage[] h2 = gpu.convTranspose2dBackwardWeight(xt[1], dyt[1], txs, ts, tp, true);
        close(f(cpu, h1[0], 48), f(gpu, h2[0], 48), 1e-4, "convT dw");
        close(f(cpu, h1[1], 4), f(gpu, h2[1], 4), 1e-4, "convT db");

        int[] k = {2, 2}, s = {2, 2}, pad = {0, 0}, dil = {1, 1};
        Storage[] p1 = cpu.maxPool2d(x[0], xs, k, s, pad, dil), p2 = gpu.maxPool2d(x[1], xs, k, s, pad, dil);
        int np = p1[0].numel();
        close(f(cpu, p1[0], np), f(gpu, p2[0], np), 0, "maxpool");
        assertArrayEquals((int[]) cpu.toHost(p1[1], Layout.contiguous(np)), (int[]) gpu.toHost(p2[1], Layout.contiguous(np)));
        Storage[] dp = both(rand(np));
        close(f(cpu, cpu.maxPool2dBackward(dp[0], p1[1], xs, new int[]{2, 3, 4, 5}), nx),
                f(gpu, gpu.maxPool2dBackward(dp[1], p2[1], xs, new int[]{2, 3, 4, 5}), nx), 0, "maxpool backward");

        Storage[] gm = both(rand(3)), bb = both(rand(3)), rm = both(new float[3]), rv = both(new float[]{1, 1, 1});
        Storage[] b1 = cpu.batchNorm(x[0], xs, gm[0], bb[0], rm[0], rv[0], true, 0.1, 1e-5);
        Storage[] b2 = gpu.batchNorm(x[1], xs, gm[1], bb[1], rm[1], rv[1], true, 0.1, 1e-5);
        close(f(cpu, b1[0], nx), f(gpu, b2[0], nx), 1e-4, "bn y");
        close(f(cpu, rm[0], 3), f(gpu, rm[1], 3), 1e-5, "bn running mean");
        close(f(cpu, rv[0], 3), f(gpu, rv[1], 3), 1e-5, "bn running var");
        Storage[] dx = both(rand(nx));
        Storage[] bw1 = cpu.batchNormBackward(x[0], dx[0], xs, gm[0], b1[1], b1[2]);
        Storage[] bw2 = gpu.batchNormBackward(x[1], dx[1], xs, gm[1], b2[1], b2[2]);
        close(f(cpu, bw1[0], nx), f(gpu, bw2[0], nx), 1e-4, "bn dx");
        close(f(cpu, bw1[1], 3), f(gpu, bw2[1], 3), 1e-4, "bn dgamma");
        close(f(cpu, bw1[2], 3), f(gpu, bw2[2], 3), 1e-4, "bn dbeta");
        close(f(cpu, cpu.batchNorm(x[0], xs, gm[0], bb[0], rm[0], rv[0], false, 0.1, 1e-5)[0], nx),
                f(gpu, gpu.batchNorm(x[1], xs, gm[1], bb[1], rm[1], rv[1], false, 0.1, 1e-5)[0], nx), 1e-5, "bn inference");
    }

    @Test
    void indexingAndRandom() {
        float[] a = rand(4 * 6);
        Storage[] x = both(a);
        Layout l = Layout.contiguous(4, 6);
        int[] idx = {5, 0, 2, 2};
        Storage i1 = cpu.fromHost(idx, DType.I32), i2 = gpu.fromHost(idx, DType.I32);
        close(f(cpu, cpu.indexSelect(x[0], l, 1, i1, 4), 16), f(gpu, gpu.indexSelect(x[1], l, 1, i2, 4), 16), 0, "index_select");
        Layout li = Layout.contiguous(4, 1).expand(4, 3);
        close(f(cpu, cpu.gather(x[0], l, 1, i1, li), 12), f(gpu, gpu.gather(x[1], l, 1, i2, li), 12), 0, "gather");
        Layout ls = Layout.contiguous(4, 3);
        close(f(cpu, cpu.scatterAdd(new int[]{4, 6}, 1, i1, li, x[0], ls, DType.F32), 24),
                f(gpu, gpu.scatterAdd(new int[]{4, 6}, 1, i2, li, x[1], ls, DType.F32), 24), 1e-6, "scatter_add");
        Storage bad = gpu.fromHost(new int[]{7}, DType.I32);
        var e = assertThrows(IndexOutOfBoundsException.class, () -> gpu.indexSelect(x[1], l, 1, bad, 1));
        assertTrue(e.getMessage().contains("index 7"), e.getMessage());
        for (Rng.Distribution d : Rng.Distribution.values()) {
            for (DType dt : new DType[]{DType.F32, DType.F64}) {
                Storage r1 = cpu.random(d, dt, 1000, 1234, 99), r2 = gpu.random(d, dt, 1000, 1234, 99);
                Layout o = Layout.contiguous(1000);
                close(f(cpu, cpu.copy(r1, o, DType.F32), 1000), f(gpu, gpu.copy(r2, o, DType.F32), 1000),
                        d == Rng.Distribution.UNIFORM ? 0 : 1e-6, d + " " + dt);
            }
        }
    }

    @Test
    void memoryStaysFlatAcrossAllocFreeCycles() {
        gpu.synchronize();
        for (int i = 0; i < 200; i++) ((CudaStorage) gpu.zeros(DType.F32, 1 + i * 997)).free(); // warm the size classes
        long reserved = gpu.allocatorStats().reserved(), inUse = gpu.allocatorStats().inUse();
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 200; i++) {
                CudaStorage s = (CudaStorage) gpu.zeros(DType.F32, 1 + i * 997);
                s.free();
            }
        }
        assertEquals(inUse, gpu.allocatorStats().inUse());
        assertTrue(gpu.allocatorStats().reserved() <= reserved + (4L << 20), gpu.allocatorStats().toString());
        gpu.emptyCache();
        assertEquals(gpu.allocatorStats().inUse(), gpu.allocatorStats().reserved());
    }
}
