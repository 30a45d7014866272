package org.wpunet.core.cpu.kernels;

import org.wpunet.core.cpu.Parallel;

/**
 * Double-precision GEMM, row-major, same contract as {@link Sgemm#gemm}. Correctness first: op(B)
 * is copied in {@code KC x NC} blocks to a contiguous buffer and each C row gets JIT-vectorised
 * axpys; rows (or columns) of C are split over the shared pool.
 */
public final class Dgemm {
    private Dgemm() {}

    private static final int KC = 256, NC = 512;

    public static void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                            double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                            double beta, double[] c, int cOff, int ldc) {
        Sgemm.check(transA, transB, m, n, k, a == null ? -1 : a.length, aOff, lda, b == null ? -1 : b.length, bOff, ldb,
                c == null ? -1 : c.length, cOff, ldc, "Dgemm");
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < (1L << 16)) {
            serial(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else if (m >= threads * 4 || m >= n) {
            int parts = Math.min(m, 4 * threads);
            Parallel.forParts(parts, parts, (from, to) -> {
                for (int part = from; part < to; part++) {
                    int i0 = Sgemm.strip(m, parts, part, 1), i1 = Sgemm.strip(m, parts, part + 1, 1);
                    if (i0 >= i1) continue;
                    serial(transA, transB, i1 - i0, n, k, alpha, a, aOff + (transA ? i0 : i0 * lda), lda,
                            b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc);
                }
            });
        } else {
            int parts = Math.min(n, 4 * threads);
            Parallel.forParts(parts, parts, (from, to) -> {
                for (int part = from; part < to; part++) {
                    int j0 = Sgemm.strip(n, parts, part, 8), j1 = Sgemm.strip(n, parts, part + 1, 8);
                    if (j0 >= j1) continue;
                    serial(transA, transB, m, j1 - j0, k, alpha, a, aOff, lda,
                            b, bOff + (transB ? j0 * ldb : j0), ldb, beta, c, cOff + j0, ldc);
                }
            });
        }
    }

    static void serial(boolean transA, boolean transB, int m, int n, int k, double alpha,
                       double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                       double beta, double[] c, int cOff, int ldc) {
        if (beta != 1.0) {
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                if (beta == 0.0) java.util.Arrays.fill(c, ci, ci + n, 0.0);
                else for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
        if (alpha == 0.0) return;
        double[] bp = Scratch.doubles(Scratch.GEMM_B, KC * NC);
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                for (int p = 0; p < kc; p++) {
                    int dst = p * nc;
                    if (!transB) {
                        System.arraycopy(b, bOff + (pc + p) * ldb + jc, bp, dst, nc);
                    } else {
                        int src = bOff + jc * ldb + pc + p;
                        for (int j = 0; j < nc; j++) bp[dst + j] = b[src + j * ldb];
                    }
                }
                for (int i = 0; i < m; i++) {
                    int ci = cOff + i * ldc + jc;
                    for (int p = 0; p < kc; p++) {
                        double av = alpha * (transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p]);
                        if (av == 0.0) continue;
                        int bi = p * nc;
                        for (int j = 0; j < nc; j++) c[ci + j] += av * bp[bi + j];
                    }
                }
            }
        }
    }
}
