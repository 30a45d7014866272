package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.wpunet.cuda.KernelEmulationTest.CPU;
import static org.wpunet.cuda.KernelEmulationTest.FLOATS;
import static org.wpunet.cuda.KernelEmulationTest.cpu;
import static org.wpunet.cuda.KernelEmulationTest.onCpu;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.ReduceOp;
import org.wpunet.core.Storage;
import org.wpunet.core.UnaryOp;

/**
 * The compute types and fast paths of the own kernels, emulated ({@link KernelEmulator}) on the calls
 * {@link KernelCalls} packs, against the CPU backend: float sums of long rows within the bound reduce.cu
 * states, the fused optimizers in float and double, and the elementwise contiguous fast path (chosen
 * exactly when every operand is dense, and wrong where it is not).
 */
class KernelComputeTypeTest {
    final SplittableRandom rnd = new SplittableRandom(5);

    /** Floats in [lo, hi) (exact in F32). */
    double[] floats(int n, double lo, double hi) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextDouble(lo, hi);
        return v;
    }

    @Test
    void floatSumOfALongRowStaysWithinTheTreeBound() {
        int len = 1 << 20;
        double[] x = floats(len, 0.1, 1);
        Layout l = Layout.contiguous(1, len);
        int[] dims = {1};
        int chunks = KernelCalls.reduceChunks(ReduceOp.SUM, l, dims, 4224);
        assertEquals(16, chunks, "2^20 elements in chunks of 2^16");
        HostStorage hx = HostStorage.of(DType.F32, x), y = new HostStorage(DType.F32, 1),
                part = new HostStorage(KernelCalls.partialType(ReduceOp.SUM, hx, DType.F32), chunks);
        List<KernelCall> calls = KernelCalls.reduce(ReduceOp.SUM, hx, l, dims, y, chunks, part, null);
        assertEquals(List.of("wp_reduce_f32", "wp_reduce_f32"), calls.stream().map(KernelCall::kernel).toList());
        calls.forEach(KernelEmulator::run);
        double exact = 0;
        for (double v : x) exact += v;
        // reduce.cu: m = 256 terms per thread, 8 + 8 tree levels in each pass, 16 partials: (256 + 16 + 16) 2^-24
        double rel = Math.abs(y.v[0] - exact) / exact;
        assertTrue(rel <= (256 + 16 + 16) * 0x1p-24, "relative error " + rel);
        assertEquals((float) exact, y.v[0], 4e-6 * exact, "and near the rounded exact sum in practice");
    }

    @Test
    void fusedOptimizersMatchTheCpuInBothComputeTypes() {
        OptimizerUpdate[][] runs = {
            {new OptimizerUpdate.Sgd(0.1, 0.01, 0.9, 0.1, false, true), new OptimizerUpdate.Sgd(0.1, 0.01, 0.9, 0.1, false, false)},
            {new OptimizerUpdate.Sgd(0.05, 0, 0.8, 0, true, true), new OptimizerUpdate.Sgd(0.05, 0, 0.8, 0, true, false)},
            {new OptimizerUpdate.Sgd(0.1, 0.001, 0, 0, false, true)},
            {new OptimizerUpdate.RmsProp(0.01, 0.01, 0.99, 1e-8, 0.9, true), new OptimizerUpdate.RmsProp(0.01, 0.01, 0.99, 1e-8, 0.9, true)},
            {new OptimizerUpdate.RmsProp(0.01, 0, 0.9, 1e-6, 0, false), new OptimizerUpdate.RmsProp(0.01, 0, 0.9, 1e-6, 0, false)},
            {new OptimizerUpdate.Adam(0.01, 0.1, 0.9, 0.999, 1e-8, true, true, 1), new OptimizerUpdate.Adam(0.01, 0.1, 0.9, 0.999, 1e-8,
                    true, true, 2), new OptimizerUpdate.Adam(0.01, 0.1, 0.9, 0.999, 1e-8, true, true, 3)},
            {new OptimizerUpdate.Adam(0.001, 0.01, 0.8, 0.99, 1e-8, false, false, 1), new OptimizerUpdate.Adam(0.001, 0.01, 0.8,
                    0.99, 1e-8, false, false, 2)},
        };
        int n = 300;
        for (DType dt : FLOATS) {
            for (OptimizerUpdate[] steps : runs) {
                int sc = steps[0].stateCount();
                double[] p0 = floats(n, -1, 1);
                HostStorage hp = HostStorage.of(dt, p0);
                HostStorage[] hs = new HostStorage[sc];
                Storage cp = onCpu(p0, dt);
                Storage[] cs = new Storage[sc];
                for (int k = 0; k < sc; k++) { hs[k] = new HostStorage(dt, n); cs[k] = CPU.zeros(dt, n); }
                for (OptimizerUpdate u : steps) {
                    double[] g = floats(n, -1, 1);
                    KernelCall call = KernelCalls.optimizerUpdate(u, hp, HostStorage.of(dt, g), hs);
                    assertTrue(call.kernel().endsWith(dt == DType.F32 ? "_f32" : "_f64"), call.kernel());
                    KernelEmulator.run(call);
                    CPU.optimizerUpdate(u, cp, onCpu(g, dt), cs);
                }
                String what = dt + " " + steps[0];
                assertUpdate(cpu(cp, n), hp.v, dt, what + " param");
                for (int k = 0; k < sc; k++) assertUpdate(cpu(cs[k], n), hs[k].v, dt, what + " state " + k);
            }
        }
    }

    /**
     * Optimizer states against the CPU (double math rounded once per step): float rounding of a few 2^-24
     * per op, amplified ~10x where a momentum buffer's terms (|g / avg| ~ 10 in centred RMSprop) cancel.
     */
    static void assertUpdate(double[] want, double[] got, DType dt, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], (dt == DType.F64 ? 1e-12 : 1e-5) * Math.max(1, Math.abs(want[i])), what + " at " + i);
        }
    }

    /** The {@code contiguous} argument of an elementwise call (the one before n). */
    static int contiguousFlag(KernelCall c) {
        return ((KernelCall.I32) c.args().get(c.args().size() - 2)).v();
    }

    @Test
    void elementwiseKernelsTakeTheContiguousPathExactlyWhenEveryOperandIsDense() {
        int n = 4 * 5 * 6;
        Layout dense = Layout.contiguous(4, 5, 6), offset = new Layout(new int[]{4, 5, 6}, new int[]{30, 6, 1}, 7),
                permuted = Layout.contiguous(6, 5, 4).permute(2, 1, 0), broadcast = new Layout(new int[]{4, 5, 6}, new int[]{0, 6, 1}, 3),
                narrowed = Layout.contiguous(4, 5, 8).narrow(2, 1, 6);
        int base = 4 * 5 * 8 + 8;
        for (DType dt : FLOATS) {
            double[] a = KernelEmulationTest.values(rnd, base), b = KernelEmulationTest.values(rnd, base);
            double[] c = new double[base];
            for (int i = 0; i < base; i++) c[i] = i % 3 == 0 ? 0 : 1;
            Storage ca = onCpu(a, dt), cb = onCpu(b, dt), cc = onCpu(c, dt);
            HostStorage ha = HostStorage.of(dt, a), hb = HostStorage.of(dt, b), hc = HostStorage.of(dt, c);
            for (Layout la : List.of(dense, offset, permuted, broadcast, narrowed)) {
                for (Layout lb : List.of(dense, offset, permuted)) {
                    boolean dens = isDense(la) && isDense(lb);
                    List<KernelCall> calls = new ArrayList<>();
                    List<double[]> want = new ArrayList<>();
                    List<HostStorage> got = new ArrayList<>();
                    HostStorage y1 = new HostStorage(dt, n), y2 = new HostStorage(dt, n), y3 = new HostStorage(dt, n),
                            y4 = new HostStorage(dt, n), y5 = new HostStorage(dt, n);
                    calls.add(KernelCalls.binary(BinaryOp.MUL, ha, la, hb, lb, y1));
                    want.add(cpu(CPU.binary(BinaryOp.MUL, ca, la, cb, lb, dt), n));
                    calls.add(KernelCalls.where(hc, lb, ha, la, hb, lb, y2));
                    want.add(cpu(CPU.where(cc, lb, ca, la, cb, lb, dt), n));
                    calls.add(KernelCalls.unary(UnaryOp.SQUARE, ha, la, y3));
                    want.add(cpu(CPU.unary(UnaryOp.SQUARE, ca, la, dt), n));
                    calls.add(KernelCalls.binaryScalar(BinaryOp.SUB, ha, la, 0.5, true, y4));
                    want.add(cpu(CPU.binaryScalar(BinaryOp.SUB, ca, la, 0.5, true, dt), n));
                    calls.add(KernelCalls.clamp(ha, la, -20, 30, y5));
                    want.add(cpu(CPU.clamp(ca, la, -20, 30), n));
                    got.addAll(List.of(y1, y2, y3, y4, y5));
                    for (int k = 0; k < calls.size(); k++) {
                        KernelCall call = calls.get(k);
                        boolean expect = k == 0 || k == 1 ? dens : isDense(la);
                        assertEquals(expect ? 1 : 0, contiguousFlag(call), call.kernel() + " over " + la + ", " + lb);
                        KernelEmulator.run(call);
                        assertArrayEquals(want.get(k), got.get(k).v, call.kernel() + " over " + la + ", " + lb);
                    }
                }
                // copy into a dense or permuted destination, accumulating
                for (Layout dl : List.of(dense, permuted)) {
                    HostStorage dst = HostStorage.of(dt, b);
                    Storage cdst = onCpu(b, dt);
                    KernelCall call = KernelCalls.copy(ha, la, dst, dl, true, "t");
                    assertEquals(isDense(la) && isDense(dl) ? 1 : 0, contiguousFlag(call), "copy " + la + " -> " + dl);
                    KernelEmulator.run(call);
                    CPU.addInto(ca, la, cdst, dl);
                    assertArrayEquals(cpu(cdst, base), dst.v, "addInto " + la + " -> " + dl);
                }
            }
            HostStorage f = new HostStorage(dt, 7);
            KernelEmulator.run(KernelCalls.fill(f, 0.25));
            assertArrayEquals(new double[]{0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, f.v);
        }
    }

    private static boolean isDense(Layout l) { return Launch.isDense(Launch.lay(l, "t")); }

    @Test
    void theContiguousPathWouldMisreadAStridedOperand() {
        Layout permuted = Layout.contiguous(6, 5, 4).permute(2, 1, 0);
        double[] x = KernelEmulationTest.values(rnd, 120);
        HostStorage y = new HostStorage(DType.F32, 120);
        KernelCall strided = KernelCalls.unary(UnaryOp.NEG, HostStorage.of(DType.F32, x), permuted, y);
        assertEquals(0, contiguousFlag(strided));
        List<KernelCall.Arg> args = new ArrayList<>(strided.args());
        args.set(args.size() - 2, new KernelCall.I32(1));
        KernelEmulator.run(new KernelCall(strided.kernel(), strided.grid(), strided.n(), args));
        double[] want = cpu(CPU.unary(UnaryOp.NEG, onCpu(x, DType.F32), permuted, DType.F32), 120);
        int wrong = 0;
        for (int i = 0; i < 120; i++) if (want[i] != y.v[i]) wrong++;
        assertTrue(wrong > 100, "the fast path reads element i at offset + i: " + wrong + " of 120 wrong");
    }
}
