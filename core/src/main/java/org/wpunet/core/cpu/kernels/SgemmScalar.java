package org.wpunet.core.cpu.kernels;

/**
 * Serial scalar SGEMM used when SIMD is off. Blocks of op(B) ({@code KC x NC}) are copied into a
 * contiguous buffer (this also undoes a transposed B), then each row of C gets
 * {@code C[i, j] += (alpha * op(A)[i, p]) * Bblock[p, j]}: an axpy over contiguous j that the JIT
 * auto-vectorises.
 */
final class SgemmScalar {
    private SgemmScalar() {}

    private static final int KC = 256, NC = 1024;

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        scale(m, n, beta, c, cOff, ldc);
        if (alpha == 0f) return;
        float[] bp = Scratch.floats(Scratch.GEMM_B, KC * NC);
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
                        float av = alpha * (transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p]);
                        if (av == 0f) continue;
                        int bi = p * nc;
                        for (int j = 0; j < nc; j++) c[ci + j] += av * bp[bi + j];
                    }
                }
            }
        }
    }

    /** C = beta * C, with beta == 0 writing zeros (BLAS semantics: no NaN propagation). */
    static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else {
                for (int j = 0; j < n; j++) c[ci + j] *= beta;
            }
        }
    }
}
