package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GemmTest {
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 7, 33}, {7, 1, 33}, {33, 7, 1}, {7, 33, 129}, {129, 33, 7}, {33, 129, 257},
        {17, 40, 300}, {8, 32, 256}, {150, 5, 260}, {64, 300, 9}, {300, 64, 40}, {3, 1100, 20},
    };

    /** Reference C = alpha op(A) op(B) + beta C in double. */
    static double[] reference(boolean tA, boolean tB, int m, int n, int k, double alpha, double[] a, int aOff, int lda,
                              double[] b, int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
        double[] out = c.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = tA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    s += av * bv;
                }
                int ci = cOff + i * ldc + j;
                out[ci] = alpha * s + (beta == 0 ? 0 : beta * c[ci]);
            }
        }
        return out;
    }

    @Test
    void sgemmMatchesReferenceForAllTransposesShapesAndPaths() {
        bothPaths(path -> {
            Random r = new Random(42);
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                    int m = s[0], n = s[1], k = s[2];
                    int aOff = r.nextInt(3), bOff = r.nextInt(3), cOff = r.nextInt(3);
                    int lda = (tA ? m : k) + r.nextInt(3), ldb = (tB ? k : n) + r.nextInt(3), ldc = n + r.nextInt(3);
                    float[] a = randomFloats(r, aOff + (tA ? k : m) * lda);
                    float[] b = randomFloats(r, bOff + (tB ? n : k) * ldb);
                    float[] c = randomFloats(r, cOff + m * ldc);
                    float alpha = t == 3 ? -0.5f : 1f, beta = t == 0 ? 0f : (t == 1 ? 1f : 0.25f);
                    if (beta == 0f) c[cOff] = Float.NaN; // beta = 0 must overwrite, not propagate NaN
                    double[] expected = reference(tA, tB, m, n, k, alpha, toDouble(a), aOff, lda, toDouble(b), bOff, ldb,
                            beta, toDouble(c), cOff, ldc);
                    Sgemm.gemm(tA, tB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
                    assertClose(path + " sgemm " + m + "x" + n + "x" + k + " tA=" + tA + " tB=" + tB, expected, c,
                            c.length, 1e-4);
                }
            }
        });
    }

    @Test
    void sgemmLargeSquareUsesAllBlocks() {
        // k > KC, m > MC and n spanning several strips: exercises every blocking loop and the parallel split
        bothPaths(path -> {
            Random r = new Random(7);
            int m = 300, n = 333, k = 530;
            float[] a = randomFloats(r, m * k), b = randomFloats(r, k * n), c = new float[m * n];
            double[] expected = reference(false, false, m, n, k, 1, toDouble(a), 0, k, toDouble(b), 0, n, 0,
                    new double[m * n], 0, n);
            Sgemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            assertClose(path + " sgemm large", expected, c, c.length, 1e-4);
        });
    }

    @Test
    void sgemmLeavesElementsOutsideTheSubmatrixAlone() {
        bothPaths(path -> {
            Random r = new Random(3);
            int m = 9, n = 35, k = 12, ldc = 40;
            float[] a = randomFloats(r, m * k), b = randomFloats(r, k * n), c = new float[2 + m * ldc + 5];
            java.util.Arrays.fill(c, 99f);
            Sgemm.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 2, ldc);
            assertEquals(99f, c[0]);
            assertEquals(99f, c[1]);
            for (int i = 0; i < m; i++) {
                for (int j = n; j < ldc && 2 + i * ldc + j < c.length; j++) assertEquals(99f, c[2 + i * ldc + j], path);
            }
        });
    }

    @Test
    void dgemmMatchesReference() {
        Random r = new Random(5);
        for (int[] s : SHAPES) {
            for (int t = 0; t < 4; t++) {
                boolean tA = (t & 1) != 0, tB = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                int lda = (tA ? m : k) + 1, ldb = (tB ? k : n) + 2, ldc = n + 1;
                double[] a = randomDoubles(r, 1 + (tA ? k : m) * lda), b = randomDoubles(r, (tB ? n : k) * ldb);
                double[] c = randomDoubles(r, m * ldc);
                double beta = t == 0 ? 0 : 0.5;
                double[] expected = reference(tA, tB, m, n, k, 2.0, a, 1, lda, b, 0, ldb, beta, c, 0, ldc);
                Dgemm.gemm(tA, tB, m, n, k, 2.0, a, 1, lda, b, 0, ldb, beta, c, 0, ldc);
                assertClose("dgemm " + m + "x" + n + "x" + k, expected, c, c.length, 1e-12);
            }
        }
    }

    @Test
    void badSizesAreRejectedWithTheSizesInTheMessage() {
        float[] a = new float[12], b = new float[12], c = new float[12];
        var e1 = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(false, false, 0, 3, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 3));
        assertMessageNames(e1, "m=0", "n=3", "k=4");
        var e2 = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(false, false, 4, 4, 4, 1f, a, 0, 4, b, 0, 4, 0f, c, 0, 4));
        assertMessageNames(e2, "A", "16", "12");
        var e3 = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.gemm(true, false, 3, 3, 4, 1f, a, 0, 2, b, 0, 3, 0f, c, 0, 3));
        assertMessageNames(e3, "lda=2", "3");
        var e4 = assertThrows(IllegalArgumentException.class,
                () -> Dgemm.gemm(false, false, 3, 5, 4, 1.0, new double[12], 0, 4, new double[20], 0, 5, 0.0,
                        new double[10], 0, 5));
        assertMessageNames(e4, "C", "15", "10");
    }
}
