package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.core.cpu.kernels.KernelTestSupport.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch norm fused with ReLU (float, SIMD and scalar) against a double reference written from the
 * definition: y = max(0, bn(x)); backward through the ReLU mask (g = y > 0 ? dy : 0), then the
 * batch-norm backward formulas on g. Row lengths that are not multiples of the vector width cover
 * the tails.
 */
class BatchNormReluTest {
    /** n, c, hw */
    private static final int[][] SHAPES = {{2, 3, 37}, {3, 5, 64}, {1, 2, 257}, {4, 1, 16}};

    @Test
    void fusedForwardAndBackwardMatchTheDoubleReference() {
        Random r = new Random(5);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
            float[] x = randomFloats(r, len), dy = randomFloats(r, len), gamma = randomFloats(r, c), beta = randomFloats(r, c);
            double[] ref = reference(toDouble(x), toDouble(dy), n, c, hw, toDouble(gamma), toDouble(beta), 1e-5);
            bothPaths(path -> {
                String tag = "bn+relu " + path + " " + java.util.Arrays.toString(s);
                float[] y = new float[len], sm = new float[c], sis = new float[c];
                float[] rm = new float[c], rv = new float[c];
                java.util.Arrays.fill(rv, 1f);
                BatchNormKernels.forwardTraining(x, n, c, hw, gamma, beta, 1e-5f, 0.1f, rm, rv, y, sm, sis, true);
                double[] yRef = java.util.Arrays.copyOfRange(ref, 0, len);
                assertClose(tag + " y", yRef, y, len, 1e-5);
                for (float v : y) assertTrue(v >= 0f, tag + ": negative output " + v);
                float[] dx = new float[len], dg = new float[c], db = new float[c];
                BatchNormKernels.backwardRelu(x, y, dy, n, c, hw, gamma, sm, sis, dx, dg, db);
                assertClose(tag + " dx", java.util.Arrays.copyOfRange(ref, len, 2 * len), dx, len, 1e-4);
                assertClose(tag + " dGamma", java.util.Arrays.copyOfRange(ref, 2 * len, 2 * len + c), dg, c, 1e-4);
                assertClose(tag + " dBeta", java.util.Arrays.copyOfRange(ref, 2 * len + c, 2 * len + 2 * c), db, c, 1e-4);

                // plain BN (no relu) through the same SIMD rows still equals the unfused kernel's result in double
                float[] yPlain = new float[len];
                BatchNormKernels.forwardTraining(x, n, c, hw, gamma, beta, 1e-5f, 0.1f, null, null, yPlain, sm, sis);
                for (int i = 0; i < len; i++) {
                    assertEquals(Math.max(0f, yPlain[i]), y[i], 1e-6f * (1 + Math.abs(y[i])), tag + " relu(bn) element " + i);
                }
            });
        }
    }

    @Test
    void fusedInferenceUsesRunningStatistics() {
        Random r = new Random(6);
        int n = 2, c = 3, hw = 41, len = n * c * hw;
        float[] x = randomFloats(r, len), gamma = randomFloats(r, c), beta = randomFloats(r, c);
        float[] rm = randomFloats(r, c), rv = new float[c];
        for (int i = 0; i < c; i++) rv[i] = 0.5f + i;
        bothPaths(path -> {
            float[] y = new float[len];
            BatchNormKernels.forwardInference(x, n, c, hw, gamma, beta, 1e-5f, rm, rv, y, true);
            for (int i = 0; i < len; i++) {
                int ch = (i / hw) % c;
                double v = (x[i] - rm[ch]) / Math.sqrt(rv[ch] + 1e-5) * gamma[ch] + beta[ch];
                assertEquals(Math.max(0, v), y[i], 1e-5 * (1 + Math.abs(v)), path + " element " + i);
            }
        });
    }

    @Test
    void inferenceWrittenOverItsInputEqualsTheSeparateOutput() {
        Random r = new Random(7);
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
            float[] x = randomFloats(r, len), gamma = randomFloats(r, c), beta = randomFloats(r, c), rm = randomFloats(r, c);
            float[] rv = new float[c];
            for (int i = 0; i < c; i++) rv[i] = 0.25f + 0.5f * i;
            bothPaths(path -> {
                float[] y = new float[len], inPlace = x.clone();
                BatchNormKernels.forwardInference(x, n, c, hw, gamma, beta, 1e-5f, rm, rv, y, true);
                BatchNormKernels.forwardInference(inPlace, n, c, hw, gamma, beta, 1e-5f, rm, rv, inPlace, true);
                for (int i = 0; i < len; i++) {
                    assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(inPlace[i]),
                            path + " " + java.util.Arrays.toString(s) + " element " + i);
                }
            });
        }
    }

    /** {y, dx, dGamma, dBeta} concatenated, in double, from the definition. */
    private static double[] reference(double[] x, double[] dy, int n, int c, int hw, double[] gamma, double[] beta, double eps) {
        int len = n * c * hw;
        double[] out = new double[2 * len + 2 * c];
        double count = (double) n * hw;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0, var = 0;
            for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) mean += x[(b * c + ch) * hw + i];
            mean /= count;
            for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) {
                double d = x[(b * c + ch) * hw + i] - mean;
                var += d * d;
            }
            var /= count;
            double inv = 1 / Math.sqrt(var + eps), sg = 0, sgx = 0;
            for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) {
                int k = (b * c + ch) * hw + i;
                double xhat = (x[k] - mean) * inv, y = Math.max(0, xhat * gamma[ch] + beta[ch]);
                out[k] = y;
                double g = y > 0 ? dy[k] : 0;
                sg += g;
                sgx += g * xhat;
            }
            out[2 * len + ch] = sgx;
            out[2 * len + c + ch] = sg;
            for (int b = 0; b < n; b++) for (int i = 0; i < hw; i++) {
                int k = (b * c + ch) * hw + i;
                double xhat = (x[k] - mean) * inv, g = out[k] > 0 ? dy[k] : 0;
                out[len + k] = gamma[ch] * inv / count * (count * g - sg - xhat * sgx);
            }
        }
        return out;
    }
}
