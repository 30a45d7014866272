package org.wpunet.core.cpu.kernels;

import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.cpu.Simd;

/**
 * Single-precision general matrix multiply, row-major:
 * {@code C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C}, where op transposes when the
 * flag is set. {@code lda/ldb/ldc} are the row strides of the matrices as stored: A is stored
 * {@code m x k} (or {@code k x m} when transposed), B {@code k x n} (or {@code n x k}).
 *
 * <p>With SIMD on, {@link SgemmVector} runs a packed, cache-blocked GEMM with a register-tiled FMA
 * micro-kernel; otherwise {@link SgemmScalar}. Both are serial; this class splits C into column (or
 * row) strips, one serial GEMM per strip, on the shared pool. When beta is 0, C is overwritten
 * (NaNs in C do not propagate), as in BLAS.
 */
public final class Sgemm {
    private Sgemm() {}

    /** Below this many multiply-adds one thread does the whole product. */
    private static final long PARALLEL_MIN_MACS = 1L << 18;

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        check(transA, transB, m, n, k, a == null ? -1 : a.length, aOff, lda, b == null ? -1 : b.length, bOff, ldb,
                c == null ? -1 : c.length, cOff, ldc, "Sgemm");
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MACS) {
            serial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        if (n >= m) {
            // Column strips: every strip packs all of A once and its own columns of B.
            int parts = Math.max(Math.min(threads, (n + 15) / 16), Math.min(4 * threads, n / 256));
            Parallel.forParts(parts, parts, (from, to) -> {
                for (int part = from; part < to; part++) {
                    int j0 = strip(n, parts, part, 16), j1 = strip(n, parts, part + 1, 16);
                    if (j0 >= j1) continue;
                    int bo = bOff + (transB ? j0 * ldb : j0);
                    serial(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda, b, bo, ldb, beta, c, cOff + j0, ldc);
                }
            });
        } else {
            int parts = Math.max(Math.min(threads, (m + 7) / 8), Math.min(4 * threads, m / 128));
            Parallel.forParts(parts, parts, (from, to) -> {
                for (int part = from; part < to; part++) {
                    int i0 = strip(m, parts, part, 8), i1 = strip(m, parts, part + 1, 8);
                    if (i0 >= i1) continue;
                    int ao = aOff + (transA ? i0 : i0 * lda);
                    serial(transA, transB, i1 - i0, n, k, alpha, a, ao, lda, b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc);
                }
            });
        }
    }

    /** Start of strip {@code part} of {@code parts} over [0, len), aligned to {@code align}. */
    static int strip(int len, int parts, int part, int align) {
        if (part >= parts) return len;
        long raw = (long) len * part / parts;
        int aligned = (int) ((raw + align / 2) / align * align);
        return Math.min(len, aligned);
    }

    /** One-thread GEMM (no argument checks): used by the strips and by kernels that parallelise outside. */
    static void serial(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float beta, float[] c, int cOff, int ldc) {
        if (Simd.enabled()) {
            SgemmVector.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            if ((long) m * n * k >= 1 << 20) Simd.scalarPathTaken();
            SgemmScalar.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** Validates sizes, strides and array extents for both precisions ({@code -1} length = null array). */
    static void check(boolean transA, boolean transB, int m, int n, int k, int aLen, int aOff, int lda,
                      int bLen, int bOff, int ldb, int cLen, int cOff, int ldc, String what) {
        if (m <= 0 || n <= 0 || k <= 0) {
            throw new IllegalArgumentException(what + ": sizes must be positive, got m=" + m + " n=" + n + " k=" + k);
        }
        if (aOff < 0 || bOff < 0 || cOff < 0) {
            throw new IllegalArgumentException(what + ": offsets must be non-negative, got aOff=" + aOff
                    + " bOff=" + bOff + " cOff=" + cOff);
        }
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < aCols || ldb < bCols || ldc < n) {
            throw new IllegalArgumentException(what + ": strides too small for m=" + m + " n=" + n + " k=" + k
                    + " transA=" + transA + " transB=" + transB + ": lda=" + lda + " (needs >= " + aCols + "), ldb="
                    + ldb + " (needs >= " + bCols + "), ldc=" + ldc + " (needs >= " + n + ")");
        }
        if (aLen < 0 || bLen < 0 || cLen < 0) throw new IllegalArgumentException(what + ": arrays must not be null");
        Checks.length(what, "A", aLen, aOff + (long) (aRows - 1) * lda + aCols,
                "A " + aRows + "x" + aCols + " (lda=" + lda + ", offset " + aOff + ")");
        Checks.length(what, "B", bLen, bOff + (long) (bRows - 1) * ldb + bCols,
                "B " + bRows + "x" + bCols + " (ldb=" + ldb + ", offset " + bOff + ")");
        Checks.length(what, "C", cLen, cOff + (long) (m - 1) * ldc + n,
                "C " + m + "x" + n + " (ldc=" + ldc + ", offset " + cOff + ")");
    }
}
