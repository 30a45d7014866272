package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Tensor;

/**
 * Matrix products: all four transpose combinations (transposed operands are passed to the backend
 * as transposed storage, not copied), batched, broadcast over the batch (batch stride 0) and over
 * several batch dims, vector operands, non-contiguous operands (copied), sizes past the blocking and
 * threading thresholds, and float64.
 *
 * <p>Subclasses may change the operand dtype ({@link #dtype()}, e.g. BF16 on CUDA) and the tolerance
 * ({@link #rtol(int)}, e.g. TF32); by default F32 at {@link Conformance#accumulation}(k).
 */
public abstract class LinalgConformance extends ConformanceSuite {

    /** The dtype of the operands and the result. */
    protected DType dtype() { return DType.F32; }

    /** Relative tolerance (of max|r| and |r|) of a product with inner dimension k. */
    protected double rtol(int k) { return Conformance.accumulation(k); }

    /** A random operand of the suite's dtype (the reference holds the values after rounding to it). */
    protected Pair operand(int... shape) { return input(dtype(), shape); }

    private void check(Pair a, Pair b, int k, String what) {
        Tensor c = a.dev().matmul(b.dev());
        assertEquals(dtype(), c.dtype(), what + ": result dtype");
        Tensor r = a.ref().matmul(b.ref());
        assertClose(c, r, rtol(k), what + " " + Arrays.toString(a.dev().shape()) + " @ " + Arrays.toString(b.dev().shape()));
    }

    @Test
    public void allTransposeCombinations() {
        int m = 17, n = 33, k = 65;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                Pair a = ta ? operand(k, m).map(Tensor::mT) : operand(m, k);
                Pair b = tb ? operand(n, k).map(Tensor::mT) : operand(k, n);
                check(a, b, k, "transA=" + ta + " transB=" + tb);
            }
        }
    }

    @Test
    public void batchedAndBroadcast() {
        int m = 9, n = 14, k = 23;
        check(operand(3, m, k), operand(3, k, n), k, "batched");
        check(operand(3, m, k), operand(k, n), k, "right operand broadcast over the batch");
        check(operand(m, k), operand(3, k, n), k, "left operand broadcast over the batch");
        check(operand(m, k), operand(2, 3, k, n), k, "two batch dims, left broadcast");
        check(operand(2, 1, m, k), operand(1, 3, k, n), k, "batch dims broadcast against each other");
        check(operand(3, k, m).map(Tensor::mT), operand(3, n, k).map(Tensor::mT), k, "batched, both transposed");
        check(operand(3, k, m).map(Tensor::mT), operand(k, n), k, "batched transposed left, broadcast right");
        check(operand(1, m, k), operand(4, k, n), k, "size-1 batch");
    }

    @Test
    public void vectorOperands() {
        int m = 11, n = 19, k = 37;
        Pair v = operand(k);
        Tensor vm = v.dev().matmul(operand(k, n).dev());
        assertArrayEquals(new int[]{n}, vm.shape(), "vector @ matrix shape");
        check(v, operand(k, n), k, "vector @ matrix");
        check(operand(m, k), v, k, "matrix @ vector");
        check(v, operand(k), k, "dot product");
        check(operand(2, m, k), v, k, "batched matrix @ vector");
        check(v, operand(3, k, n), k, "vector @ batched matrix");
    }

    @Test
    public void nonContiguousOperands() {
        int m = 13, n = 10, k = 21;
        check(operand(m, 2 * k).map(t -> t.slice(1, 0, 2 * k, 2)), operand(k + 3, n).map(t -> t.narrow(0, 2, k)), k,
                "sliced columns @ narrowed rows");
        check(operand(k, 2, m).map(t -> t.permute(1, 2, 0)), operand(2, k, n), k, "permuted batch");
        check(operand(1, k).map(t -> t.expand(m, k)), operand(k, 1).map(t -> t.expand(k, n)), k, "expanded (stride 0) operands");
        check(operand(m, k + 5).map(t -> t.narrow(1, 5, k)), operand(n, k).map(Tensor::mT), k, "offset view @ transposed");
    }

    @Test
    public void sizesPastBlockingAndThreadingThresholds() {
        check(operand(64, 64), operand(64, 64), 64, "64^3");
        check(operand(70, 130), operand(130, 90), 130, "70x130 @ 130x90");
        check(operand(33, 300), operand(90, 300).map(Tensor::mT), 300, "33x300 @ (90x300)^T");
        check(operand(2, 150, 40), operand(40, 170), 40, "batched tall");
    }

    @Test
    public void float64() {
        int m = 15, n = 18, k = 40;
        for (boolean ta : new boolean[]{false, true}) {
            Pair a = ta ? input(DType.F64, k, m).map(Tensor::mT) : input(DType.F64, m, k);
            Pair b = input(DType.F64, 2, k, n);
            Tensor c = a.dev().matmul(b.dev());
            assertEquals(DType.F64, c.dtype(), "F64 matmul dtype");
            // float64 accumulation: sqrt(k) * eps64 style, 1e-12 is far above it
            assertClose(c, a.ref().matmul(b.ref()), 1e-12, "F64 matmul transA=" + ta);
        }
    }
}
