package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.wpunet.core.BinaryOp;
import org.wpunet.core.DType;
import org.wpunet.core.Tensor;
import org.wpunet.core.UnaryOp;

/**
 * Unary, binary (broadcasting) and scalar arithmetic on contiguous, strided and broadcast inputs,
 * integer and mixed dtypes, float64, and NaN propagation. Elementwise results are one rounding
 * from the float64 value, so the tolerance is {@link Conformance#FP32} relative with no absolute
 * slack (comparisons, where, clamp and conversions are in {@link IndexingConformance}).
 */
public abstract class ElementwiseConformance extends ConformanceSuite {

    /** A named layout of an input: the base shape made on the CPU and the view taken on both sides. */
    protected record View(String name, int[] base, UnaryOperator<Tensor> view) {}

    protected static List<View> views() {
        return List.of(
                new View("contiguous", new int[]{6, 35}, t -> t),
                new View("permuted", new int[]{7, 5, 6}, t -> t.permute(2, 0, 1)),
                new View("sliced step 3 + narrowed", new int[]{9, 13}, t -> t.slice(1, 1, 13, 3).narrow(0, 2, 5)),
                new View("expanded (stride 0)", new int[]{1, 7}, t -> t.expand(4, 7)),
                new View("0-d", new int[]{}, t -> t));
    }

    static Tensor unary(UnaryOp op, Tensor x) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case SIGN -> x.sign();
            case SQUARE -> x.square();
            case RECIPROCAL -> x.reciprocal();
        };
    }

    static boolean needsPositive(UnaryOp op) {
        return op == UnaryOp.LOG || op == UnaryOp.SQRT;
    }

    static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case POW -> a.pow(b);
            case MAXIMUM -> a.maximum(b);
            case MINIMUM -> a.minimum(b);
            case EQ -> a.eq(b);
            case NE -> a.ne(b);
            case LT -> a.lt(b);
            case LE -> a.le(b);
            case GT -> a.gt(b);
            case GE -> a.ge(b);
        };
    }

    static final BinaryOp[] ARITHMETIC = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.POW,
            BinaryOp.MAXIMUM, BinaryOp.MINIMUM};

    /** Broadcast-compatible shape pairs: equal, trailing, size-1 on both sides, rank differences, 0-d. */
    static final int[][][] BROADCAST = {
            {{3, 4, 5}, {3, 4, 5}}, {{2, 3, 5}, {5}}, {{2, 1, 5}, {1, 3, 1}}, {{4, 1}, {1}}, {{}, {2, 3}},
            {{17, 33}, {17, 1}}, {{2, 3, 4, 5}, {3, 1, 1}}, {{1, 1, 1}, {1, 1, 1}},
    };

    @Test
    public void unaryOpsOnEveryLayout() {
        for (View v : views()) {
            Pair signed = input(v.base()).map(v.view()), pos = positiveInput(v.base()).map(v.view());
            for (UnaryOp op : UnaryOp.values()) {
                Pair x = needsPositive(op) ? pos : signed;
                assertClose(unary(op, x.dev()), unary(op, x.ref()), Conformance.FP32, 0, op + " on " + v.name());
            }
        }
    }

    @Test
    public void binaryOpsBroadcast() {
        for (int[][] s : BROADCAST) {
            Pair a = input(s[0]), b = input(s[1]), pa = positiveInput(s[0]), pb = positiveInput(s[1]);
            for (BinaryOp op : ARITHMETIC) {
                boolean pow = op == BinaryOp.POW; // a fractional power of a negative base is NaN: positive bases
                Pair x = pow ? pa : a, y = pow ? pb : b;
                assertClose(binary(op, x.dev(), b.dev()), binary(op, x.ref(), b.ref()), Conformance.FP32, 0,
                        op + " " + Arrays.toString(s[0]) + " with " + Arrays.toString(s[1]));
                assertClose(binary(op, y.dev(), a.dev()), binary(op, y.ref(), a.ref()), Conformance.FP32, 0,
                        op + " " + Arrays.toString(s[1]) + " with " + Arrays.toString(s[0]));
            }
        }
    }

    @Test
    public void binaryOpsOnStridedOperands() {
        // a transposed operand against a sliced one, and an expanded row against a permuted 3-d view
        Pair a = input(9, 6).map(t -> t.transpose(0, 1)), b = input(6, 19).map(t -> t.slice(1, 0, 19, 2).narrow(1, 0, 9));
        Pair c = positiveInput(4, 3, 5).map(t -> t.permute(1, 2, 0)), d = input(1, 4).map(t -> t.expand(5, 4));
        for (BinaryOp op : ARITHMETIC) {
            Pair x = op == BinaryOp.POW ? a.map(Tensor::abs) : a;
            assertClose(binary(op, x.dev(), b.dev()), binary(op, x.ref(), b.ref()), Conformance.FP32, 0, op + " transposed/sliced");
            assertClose(binary(op, c.dev(), d.dev()), binary(op, c.ref(), d.ref()), Conformance.FP32, 0, op + " permuted/expanded");
        }
    }

    /** Scalars exactly representable in float, so float and double evaluation see the same operand. */
    static final double[] SCALARS = {0.375, -1.25, 2.5};

    @Test
    public void scalarOps() {
        for (View v : views()) {
            Pair x = input(v.base()).map(v.view()), p = positiveInput(v.base()).map(v.view());
            for (double s : SCALARS) {
                String at = " " + s + " on " + v.name();
                assertClose(x.dev().add(s), x.ref().add(s), Conformance.FP32, 0, "add" + at);
                assertClose(x.dev().sub(s), x.ref().sub(s), Conformance.FP32, 0, "sub" + at);
                assertClose(x.dev().rsub(s), x.ref().rsub(s), Conformance.FP32, 0, "rsub" + at);
                assertClose(x.dev().mul(s), x.ref().mul(s), Conformance.FP32, 0, "mul" + at);
                assertClose(x.dev().div(s), x.ref().div(s), Conformance.FP32, 0, "div" + at);
                assertClose(x.dev().rdiv(s), x.ref().rdiv(s), Conformance.FP32, 0, "rdiv" + at);
                assertClose(p.dev().pow(s), p.ref().pow(s), Conformance.FP32, 0, "pow" + at);
                assertClose(x.dev().maximum(s), x.ref().maximum(s), Conformance.FP32, 0, "maximum" + at);
                assertClose(x.dev().minimum(s), x.ref().minimum(s), Conformance.FP32, 0, "minimum" + at);
            }
        }
    }

    @Test
    public void integerAndMixedDtypes() {
        Pair a = intInput(100, 4, 6), b = intInput(100, 6);
        for (BinaryOp op : new BinaryOp[]{BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAXIMUM, BinaryOp.MINIMUM}) {
            Tensor r = binary(op, a.dev(), b.dev());
            assertEquals(DType.I32, r.dtype(), op + " of I32");
            assertSame(r, binary(op, a.ref(), b.ref()), op + " I32");
        }
        Tensor q = a.dev().div(b.dev());
        assertEquals(DType.F32, q.dtype(), "I32 / I32");
        assertClose(q, a.ref().div(b.ref()), Conformance.FP32, 0, "div I32 -> F32");
        assertSame(a.dev().neg(), a.ref().neg(), "neg I32");
        assertSame(a.dev().abs(), a.ref().abs(), "abs I32");
        assertSame(a.dev().square(), a.ref().square(), "square I32");
        assertSame(a.dev().mul(3), a.ref().mul(3), "I32 * 3");
        Tensor rec = a.dev().reciprocal();
        assertEquals(DType.F32, rec.dtype(), "reciprocal of I32");
        assertClose(rec, a.ref().reciprocal(), Conformance.FP32, 0, "reciprocal of I32 computes in F32");
        assertClose(a.dev().abs().sqrt(), a.ref().abs().sqrt(), Conformance.FP32, 0, "sqrt of I32 computes in F32");

        Pair f = input(4, 6);
        Tensor mixed = f.dev().add(a.dev());
        assertEquals(DType.F32, mixed.dtype(), "F32 + I32");
        assertClose(mixed, f.ref().add(a.ref()), Conformance.FP32, 0, "F32 + I32");
        assertClose(a.dev().mul(f.dev()), a.ref().mul(f.ref()), Conformance.FP32, 0, "I32 * F32");

        // U8 (values 1..15, so products stay below 256)
        byte[] u = new byte[24], w = new byte[24];
        for (int i = 0; i < 24; i++) {
            u[i] = (byte) rnd.nextInt(1, 16);
            w[i] = (byte) rnd.nextInt(1, 16);
        }
        Pair ua = of(Tensor.ofBytes(u, 4, 6)), ub = of(Tensor.ofBytes(w, 4, 6));
        Tensor um = ua.dev().mul(ub.dev());
        assertEquals(DType.U8, um.dtype(), "U8 * U8");
        assertSame(um, ua.ref().mul(ub.ref()), "U8 * U8");
        assertSame(ua.dev().add(ub.dev()), ua.ref().add(ub.ref()), "U8 + U8");
        Tensor ui = ua.dev().add(a.dev());
        assertEquals(DType.I32, ui.dtype(), "U8 + I32");
        assertSame(ui, ua.ref().add(a.ref()), "U8 + I32");
        assertClose(ua.dev().add(f.dev()), ua.ref().add(f.ref()), Conformance.FP32, 0, "U8 + F32");
    }

    @Test
    public void float64StaysDouble() {
        Pair x = input(DType.F64, 5, 7).map(t -> t.transpose(0, 1)), p = positiveInput(5, 7).map(t -> t.to(DType.F64));
        Pair y = input(DType.F64, 7, 1);
        // 1e-13: a float64 result one or two roundings (and a libm ulp or two) from the reference
        for (UnaryOp op : UnaryOp.values()) {
            Pair in = needsPositive(op) ? p.map(t -> t.transpose(0, 1)) : x;
            Tensor r = unary(op, in.dev());
            assertEquals(DType.F64, r.dtype(), op + " of F64");
            assertClose(r, unary(op, in.ref()), 1e-13, 0, op + " F64");
        }
        for (BinaryOp op : ARITHMETIC) {
            Pair a = op == BinaryOp.POW ? p.map(t -> t.transpose(0, 1)) : x;
            assertClose(binary(op, a.dev(), y.dev()), binary(op, a.ref(), y.ref()), 1e-13, 0, op + " F64");
        }
        // F32 op F64 promotes to F64
        Pair f = input(7, 5);
        Tensor m = f.dev().mul(x.dev());
        assertEquals(DType.F64, m.dtype(), "F32 * F64");
        assertClose(m, f.ref().mul(x.ref()), 1e-15, 0, "F32 * F64");
    }

    @Test
    public void nanPropagates() {
        float[] v = Conformance.nonZero(rnd, 24);
        v[3] = Float.NaN;
        v[17] = Float.NaN;
        Pair x = of(Tensor.of(v, 4, 6)).map(t -> t.transpose(0, 1));
        Pair y = input(6, 4);
        for (UnaryOp op : UnaryOp.values()) {
            Pair in = needsPositive(op) ? x.map(Tensor::abs) : x;
            assertCloseNaNAware(unary(op, in.dev()), unary(op, in.ref()), Conformance.FP32, op + " of NaN");
        }
        for (BinaryOp op : ARITHMETIC) {
            Pair in = op == BinaryOp.POW ? x.map(Tensor::abs) : x;
            assertCloseNaNAware(binary(op, in.dev(), y.dev()), binary(op, in.ref(), y.ref()), Conformance.FP32, op + " with NaN");
            assertCloseNaNAware(binary(op, y.dev(), in.dev()), binary(op, y.ref(), in.ref()), Conformance.FP32, op + " with NaN");
        }
        assertCloseNaNAware(x.dev().maximum(0.375), x.ref().maximum(0.375), Conformance.FP32, "maximum(NaN, scalar)");
        assertCloseNaNAware(x.dev().add(2.5), x.ref().add(2.5), Conformance.FP32, "NaN + scalar");
        // the reference really has NaN where expected (guards the guard)
        assertEquals(2, Arrays.stream(x.ref().toDoubleArray()).filter(Double::isNaN).count());
    }
}
