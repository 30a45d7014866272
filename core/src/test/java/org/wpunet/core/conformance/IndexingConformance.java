package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Tensor;

/**
 * Data movement and selection: creation, host round trips, strided copies (narrow, slice, permute,
 * expand, reshape), concat/stack, in-place assign/add into views, index_select, gather,
 * scatter_add, dtype conversions between every pair of F32/F64/I32/U8/BF16/F16, where, clamp and
 * comparisons. Everything but scatter_add's and addInPlace's additions is exact.
 */
public abstract class IndexingConformance extends ConformanceSuite {

    @Test
    public void creationAndHostRoundTrips() {
        Device d = device();
        assertSame(Tensor.full(d, DType.F32, 2.5, 3, 4), Tensor.full(Device.CPU, DType.F64, 2.5, 3, 4), "full F32");
        assertSame(Tensor.full(d, DType.I32, -7, 5), Tensor.full(Device.CPU, DType.F64, -7, 5), "full I32");
        assertSame(Tensor.full(d, DType.U8, 200, 5), Tensor.full(Device.CPU, DType.F64, 200, 5), "full U8");
        assertSame(Tensor.full(d, DType.BF16, -1.5, 5), Tensor.full(Device.CPU, DType.F64, -1.5, 5), "full BF16");
        assertSame(Tensor.zeros(d, DType.F64, 2, 3), Tensor.zeros(Device.CPU, DType.F64, 2, 3), "zeros F64");
        assertSame(Tensor.ones(d, DType.F16, 7), Tensor.ones(Device.CPU, DType.F64, 7), "ones F16");
        assertSame(Tensor.arange(d, DType.I32, 3, 40, 3), Tensor.arange(Device.CPU, DType.F64, 3, 40, 3), "arange I32");
        Tensor f = Tensor.full(d, DType.F32, 1, 4, 6);
        try (Tensor v = f.narrow(1, 2, 3)) {
            v.fill(-0.75);
        }
        Tensor want = Tensor.full(Device.CPU, DType.F64, 1, 4, 6);
        try (Tensor v = want.narrow(1, 2, 3)) {
            v.fill(-0.75);
        }
        assertSame(f, want, "fill of a narrowed view");

        // every dtype to the device and back, unchanged (U8 above 127, negative ints, BF16/F16 bits)
        float[] fv = Conformance.nonZero(rnd, 37);
        assertArrayEquals(fv, dev(Tensor.of(fv, 37)).toFloatArray(), "F32 round trip");
        double[] dv = new double[37];
        for (int i = 0; i < dv.length; i++) dv[i] = fv[i] / 3.0;
        assertArrayEquals(dv, dev(Tensor.of(dv, 37)).toDoubleArray(), "F64 round trip");
        int[] iv = Conformance.nonZeroInts(rnd, 37, 1 << 30);
        assertArrayEquals(iv, dev(Tensor.of(iv, 37)).toIntArray(), "I32 round trip");
        byte[] bv = new byte[37];
        for (int i = 0; i < bv.length; i++) bv[i] = (byte) rnd.nextInt(1, 256);
        assertArrayEquals(bv, dev(Tensor.ofBytes(bv, 37)).toByteArray(), "U8 round trip");
        for (DType h : new DType[]{DType.BF16, DType.F16}) {
            Tensor c = Tensor.of(fv, 37).to(h);
            assertArrayEquals(c.toFloatArray(), dev(c).toFloatArray(), h + " round trip");
        }
    }

    @Test
    public void stridedCopies() {
        Pair x = input(4, 5, 6);
        List<java.util.function.UnaryOperator<Tensor>> views = List.of(
                t -> t.permute(2, 0, 1), t -> t.transpose(0, 2).narrow(1, 1, 3), t -> t.slice(2, 1, 6, 2),
                t -> t.slice(0, 0, 4, 3).slice(1, 4, 5, 1), t -> t.narrow(0, 1, 1).expand(3, 5, 6),
                t -> t.permute(1, 2, 0).reshape(30, 4), t -> t.mT().unsqueeze(1).squeeze(1), t -> t.flatten(0, 1));
        for (int i = 0; i < views.size(); i++) {
            Pair v = x.map(views.get(i));
            assertSame(v.dev().contiguous(), v.ref(), "contiguous copy of view " + i + " " + Arrays.toString(v.dev().shape()));
            assertSame(v.dev().copy(), v.ref(), "copy of view " + i);
            for (Tensor part : v.dev().split(2, -1)) {
                assertEquals(device(), part.device());
            }
        }
        // chunks of a strided view, read back directly
        Pair t = x.map(a -> a.transpose(1, 2));
        Tensor[] dc = t.dev().chunk(3, 1), rc = t.ref().chunk(3, 1);
        for (int i = 0; i < dc.length; i++) assertSame(dc[i].contiguous(), rc[i], "chunk " + i);
    }

    @Test
    public void concatAndStack() {
        Pair a = input(2, 3, 4), b = input(2, 5, 4), c = input(4, 2, 3).map(t -> t.permute(1, 2, 0));
        assertSame(Tensor.concat(1, a.dev(), b.dev(), c.dev()), Tensor.concat(1, a.ref(), b.ref(), c.ref()), "concat dim 1");
        Pair e = input(2, 3, 7);
        assertSame(Tensor.concat(-1, a.dev(), e.dev()), Tensor.concat(-1, a.ref(), e.ref()), "concat last dim");
        Pair f = input(1, 3, 4).map(t -> t.expand(3, 3, 4));
        assertSame(Tensor.concat(0, a.dev(), f.dev()), Tensor.concat(0, a.ref(), f.ref()), "concat of an expanded view");
        Pair i = intInput(50, 2, 3, 4);
        Tensor mixed = Tensor.concat(0, a.dev(), i.dev());
        assertEquals(DType.F32, mixed.dtype(), "concat F32 with I32");
        assertSame(mixed, Tensor.concat(0, a.ref(), i.ref()), "concat F32 with I32");
        Pair g = input(2, 3, 4).map(t -> t.transpose(0, 1).transpose(0, 1));
        for (int dim = 0; dim <= 3; dim++) {
            assertSame(Tensor.stack(dim, a.dev(), g.dev(), a.dev()), Tensor.stack(dim, a.ref(), g.ref(), a.ref()), "stack dim " + dim);
        }
    }

    @Test
    public void assignAndAddInPlaceIntoViews() {
        Pair dst = input(5, 8);
        Pair src = input(5, 1);
        try (Tensor dv = dst.dev().narrow(1, 2, 4); Tensor rv = dst.ref().narrow(1, 2, 4)) {
            dv.assign(src.dev());
            rv.assign(src.ref());
        }
        assertSame(dst.dev(), dst.ref(), "assign of a broadcast column into a narrowed view");
        Pair add = input(4, 3);
        try (Tensor dv = dst.dev().slice(1, 0, 8, 3).narrow(0, 1, 3).transpose(0, 1);
             Tensor rv = dst.ref().slice(1, 0, 8, 3).narrow(0, 1, 3).transpose(0, 1)) {
            Tensor s = add.dev().narrow(0, 0, 3), sr = add.ref().narrow(0, 0, 3);
            dv.addInPlace(s);
            rv.addInPlace(sr);
        }
        // one float addition per element: correctly rounded on both sides
        assertClose(dst.dev(), dst.ref(), Conformance.FP32, 0, "addInPlace into a sliced, transposed view");
        // mixed dtypes, on fresh tensors (so both sides start from the same values)
        Pair fresh = input(5, 8), ints = intInput(9, 5, 8);
        fresh.dev().addInPlace(ints.dev());
        fresh.ref().addInPlace(ints.ref());
        assertSame(fresh.dev(), fresh.ref(), "addInPlace of I32 into F32");
        Pair ti = intInput(9, 5, 8), scaled = of(Conformance.nonZeroTensor(rnd, 5, 8).mul(7));
        ti.dev().assign(scaled.dev());
        ti.ref().assign(scaled.ref().to(DType.I32)); // the reference is F64: truncate explicitly
        assertSame(ti.dev(), ti.ref(), "assign F32 into I32 truncates toward zero");
    }

    @Test
    public void indexSelect() {
        Pair x = input(5, 6, 7).map(t -> t.transpose(0, 2)); // [7, 6, 5], strided
        int[][] picks = {{4, 0, 2, 2, 6}, {5, 0, 3}, {1, 1, 4, 0}};
        for (int dim = 0; dim < 3; dim++) {
            Pair idx = of(Tensor.of(picks[dim], picks[dim].length));
            assertSame(x.dev().indexSelect(dim, idx.dev()), x.ref().indexSelect(dim, idx.ref().to(DType.I32)),
                    "index_select dim " + dim + " " + Arrays.toString(picks[dim]));
        }
        Pair ints = intInput(1000, 6, 4);
        Pair idx = of(Tensor.of(new int[]{3, 3, 0}, 3));
        assertSame(ints.dev().indexSelect(1, idx.dev()), ints.ref().indexSelect(1, idx.ref().to(DType.I32)), "index_select of I32");
    }

    @Test
    public void gatherAndScatterAdd() {
        Pair x = input(4, 6);
        int[] iv = new int[4 * 5];
        for (int i = 0; i < iv.length; i++) iv[i] = rnd.nextInt(6);
        Pair index = of(Tensor.of(iv, 4, 5));
        Tensor ir = index.ref().to(DType.I32);
        assertSame(x.dev().gather(1, index.dev()), x.ref().gather(1, ir), "gather dim 1");
        // index smaller than the input in the other dim, input strided, index expanded (stride 0)
        Pair xt = input(6, 5).map(t -> t.transpose(0, 1)); // [5, 6]
        Pair col = of(Tensor.of(new int[]{2, 0, 5}, 3, 1)).map(t -> t.expand(3, 4));
        assertSame(xt.dev().gather(1, col.dev()), xt.ref().gather(1, col.ref().to(DType.I32)), "gather with an expanded index");
        int[] rows = new int[3 * 6];
        for (int i = 0; i < rows.length; i++) rows[i] = rnd.nextInt(5);
        Pair rIdx = of(Tensor.of(rows, 3, 6));
        assertSame(xt.dev().gather(0, rIdx.dev()), xt.ref().gather(0, rIdx.ref().to(DType.I32)), "gather dim 0");

        // scatter_add: gather's adjoint, repeated indices accumulate (in any order on a parallel device)
        Pair src = input(4, 5);
        assertClose(Tensor.scatterAdd(new int[]{4, 6}, 1, index.dev(), src.dev()), Tensor.scatterAdd(new int[]{4, 6}, 1, ir, src.ref()),
                Conformance.accumulation(5), "scatter_add dim 1");
        Pair srcT = input(6, 3).map(Tensor::mT);
        assertClose(Tensor.scatterAdd(new int[]{5, 6}, 0, rIdx.dev(), srcT.dev()),
                Tensor.scatterAdd(new int[]{5, 6}, 0, rIdx.ref().to(DType.I32), srcT.ref()), Conformance.accumulation(3),
                "scatter_add dim 0 of a transposed source");
        Pair src64 = input(DType.F64, 4, 5);
        assertClose(Tensor.scatterAdd(new int[]{4, 6}, 1, index.dev(), src64.dev()),
                Tensor.scatterAdd(new int[]{4, 6}, 1, ir, src64.ref()), 1e-14, "scatter_add F64");
        Pair srcI = intInput(1000, 4, 5);
        assertSame(Tensor.scatterAdd(new int[]{4, 6}, 1, index.dev(), srcI.dev()), Tensor.scatterAdd(new int[]{4, 6}, 1, ir, srcI.ref())
                .to(DType.I32), "scatter_add I32");
        // U8 keeps the low 8 bits of the integer sum (a wrapping byte); BF16 sums are rounded to BF16
        int[] uv = new int[4 * 5];
        for (int i = 0; i < uv.length; i++) uv[i] = 1 + rnd.nextInt(255);
        Pair srcU = of(Tensor.of(uv, 4, 5).to(DType.U8));
        double[] wrapped = Tensor.scatterAdd(new int[]{4, 6}, 1, ir, srcU.ref()).toDoubleArray();
        for (int i = 0; i < wrapped.length; i++) wrapped[i] = ((int) wrapped[i]) & 0xFF;
        assertSame(Tensor.scatterAdd(new int[]{4, 6}, 1, index.dev(), srcU.dev()), Tensor.of(wrapped, 4, 6), "scatter_add U8");
        Pair srcB = input(DType.BF16, 4, 5);
        assertClose(Tensor.scatterAdd(new int[]{4, 6}, 1, index.dev(), srcB.dev()), Tensor.scatterAdd(new int[]{4, 6}, 1, ir, srcB.ref()),
                Conformance.BF16, "scatter_add BF16");
    }

    /** Java's conversion of a float64 value to each dtype: the reference of {@link #dtypeConversions}. */
    static double convert(double v, DType to) {
        return switch (to) {
            case F32 -> (float) v;
            case F64 -> v;
            case I32 -> (int) v;
            case U8 -> ((int) v) & 0xFF;
            case BF16 -> DType.bf16ToFloat(DType.floatToBf16((float) v));
            case F16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
        };
    }

    @Test
    public void dtypeConversions() {
        DType[] all = {DType.F32, DType.F64, DType.I32, DType.U8, DType.BF16, DType.F16};
        // fractional values in [1, 250) for conversions into U8; signed ones in +-[1, 120) otherwise (no zeros after truncation)
        double[] unsigned = new double[40], signed = new double[40];
        for (int i = 0; i < 40; i++) {
            unsigned[i] = rnd.nextDouble(1, 250);
            signed[i] = (rnd.nextBoolean() ? 1 : -1) * rnd.nextDouble(1, 120);
        }
        for (DType from : all) {
            for (DType to : all) {
                double[] values = to == DType.U8 || from == DType.U8 ? unsigned : signed;
                // the source holds the values as converted to its own dtype (on the CPU)
                double[] srcValues = new double[values.length];
                for (int i = 0; i < values.length; i++) srcValues[i] = convert(values[i], from);
                Tensor src = Tensor.of(srcValues, 5, 8).to(from);
                double[] want = new double[values.length];
                for (int i = 0; i < values.length; i++) want[i] = convert(srcValues[i], to);
                Tensor wantT = Tensor.of(want, 5, 8);
                Tensor d = dev(src);
                Tensor out = d.to(to);
                assertEquals(to, out.dtype());
                assertSame(out, wantT, from + " -> " + to);
                // and from a strided view
                try (Tensor v = d.transpose(0, 1); Tensor ov = v.to(to); Tensor wv = wantT.transpose(0, 1)) {
                    if (from != to) assertSame(ov, wv, from + " -> " + to + " of a transposed view");
                }
            }
        }
    }

    @Test
    public void whereAndClamp() {
        Pair a = input(3, 4, 5), b = input(4, 1).map(t -> t.expand(4, 5)), c = input(5).map(t -> t.reshape(1, 5));
        Tensor cond = a.dev().gt(c.dev()), condRef = a.ref().gt(c.ref());
        assertEquals(DType.U8, cond.dtype());
        assertSame(Tensor.where(cond, a.dev(), b.dev()), Tensor.where(condRef, a.ref(), b.ref()), "where with broadcasting");
        Pair m = of(Tensor.ofBytes(new byte[]{1, 0, 1, 1, 0}, 5));
        assertSame(Tensor.where(m.dev(), b.dev(), a.dev()), Tensor.where(m.ref().to(DType.U8), b.ref(), a.ref()), "where with a 1-d mask");
        Pair ints = intInput(50, 3, 4, 5);
        Tensor w = Tensor.where(cond, ints.dev(), a.dev());
        assertEquals(DType.F32, w.dtype(), "where(I32, F32)");
        assertSame(w, Tensor.where(condRef, ints.ref(), a.ref()), "where(I32, F32)");

        Pair t = input(6, 7).map(x -> x.transpose(0, 1));
        assertSame(t.dev().clamp(-0.5, 0.625), t.ref().clamp(-0.5, 0.625), "clamp F32 strided");
        Pair t64 = input(DType.F64, 6, 7);
        assertSame(t64.dev().clamp(-0.3, 0.7), t64.ref().clamp(-0.3, 0.7), "clamp F64");
        assertSame(ints.dev().clamp(-20, 30), ints.ref().clamp(-20, 30), "clamp I32");
        float[] nan = Conformance.nonZero(rnd, 6);
        nan[2] = Float.NaN;
        Pair n = of(Tensor.of(nan, 6));
        assertCloseNaNAware(n.dev().clamp(-0.5, 0.5), n.ref().clamp(-0.5, 0.5), 0, "clamp keeps NaN");
    }

    static Tensor compare(BinaryOp op, Tensor a, Tensor b) { return ElementwiseConformance.binary(op, a, b); }

    static Tensor compare(BinaryOp op, Tensor a, double s) {
        return switch (op) {
            case EQ -> a.eq(s);
            case NE -> a.ne(s);
            case LT -> a.lt(s);
            case LE -> a.le(s);
            case GT -> a.gt(s);
            case GE -> a.ge(s);
            default -> throw new IllegalArgumentException(op.name());
        };
    }

    static final BinaryOp[] COMPARISONS = {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE};

    @Test
    public void comparisons() {
        // b equals a in about a third of the places, so EQ/LE/GE see ties
        float[] av = Conformance.nonZero(rnd, 60), bv = Conformance.nonZero(rnd, 60);
        for (int i = 0; i < 60; i++) if (rnd.nextInt(3) == 0) bv[i] = av[i];
        Pair a = of(Tensor.of(av, 3, 4, 5)), b = of(Tensor.of(bv, 3, 4, 5)), row = input(5), t = input(5, 4, 3).map(x -> x.permute(2, 1, 0));
        Pair ia = intInput(5, 3, 4, 5), ib = intInput(5, 4, 5);
        for (BinaryOp op : COMPARISONS) {
            Tensor r = compare(op, a.dev(), b.dev());
            assertEquals(DType.U8, r.dtype(), op + " dtype");
            assertSame(r, compare(op, a.ref(), b.ref()), op + " with ties");
            assertSame(compare(op, a.dev(), row.dev()), compare(op, a.ref(), row.ref()), op + " broadcast row");
            assertSame(compare(op, t.dev(), a.dev()), compare(op, t.ref(), a.ref()), op + " permuted");
            assertSame(compare(op, ia.dev(), ib.dev()), compare(op, ia.ref(), ib.ref()), op + " I32 with ties");
            assertSame(compare(op, ia.dev(), a.dev()), compare(op, ia.ref(), a.ref()), op + " I32 against F32");
            assertSame(compare(op, a.dev(), (double) av[7]), compare(op, a.ref(), (double) av[7]), op + " scalar (a tie)");
            assertSame(compare(op, t.dev(), 0.375), compare(op, t.ref(), 0.375), op + " scalar");
            assertSame(compare(op, ia.dev(), 2), compare(op, ia.ref(), 2), op + " I32 scalar");
        }
    }
}
