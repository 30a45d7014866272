package org.wpunet.core.cpu.kernels;

import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.cpu.Simd;

/**
 * Batch normalisation over NCHW ({@code hw} = h*w), PyTorch semantics. Training: per channel the
 * batch mean and biased variance {@code var = mean((x - mean)^2)} normalise,
 * {@code y = (x - mean) / sqrt(var + eps) * gamma + beta}; the running statistics become
 * {@code (1 - momentum) * running + momentum * stat}, with the unbiased variance
 * {@code var * N / (N - 1)} for running_var; mean and {@code invstd = 1/sqrt(var + eps)} are saved
 * for backward. Backward (training mode), with {@code xhat = (x - mean) * invstd}:
 * {@code dBeta = sum dy}, {@code dGamma = sum dy * xhat},
 * {@code dx = gamma * invstd / N * (N dy - dBeta - xhat * dGamma)}.
 * gamma/beta (and dGamma/dBeta, running stats, save buffers) may be null (affine = false).
 * Sums run per channel row in four float chains folded into double per row; channels are split
 * over the shared pool (SIMD rows in {@link BatchNormVector} when on).
 *
 * <p>Fused with a following ReLU (float, {@code relu = true}): the forward writes
 * {@code max(0, bn(x))} in the same pass, and {@link #backwardRelu} takes the ReLU's output y and
 * the gradient of it, so {@code g = y > 0 ? dy : 0} enters the formulas above without a separate
 * masked-gradient tensor (two passes over the data instead of five, and no BN output kept).
 */
public final class BatchNormKernels {
    private BatchNormKernels() {}

    // ---------------------------------------------------------------------------------- float

    public static void forwardTraining(float[] x, int n, int c, int hw, float[] gamma, float[] beta, float eps, float momentum,
                                       float[] runningMean, float[] runningVar, float[] y, float[] saveMean, float[] saveInvStd) {
        forwardTraining(x, n, c, hw, gamma, beta, eps, momentum, runningMean, runningVar, y, saveMean, saveInvStd, false);
    }

    /** Training forward; with {@code relu} the output is max(0, bn(x)) (BN then ReLU in one pass). */
    public static void forwardTraining(float[] x, int n, int c, int hw, float[] gamma, float[] beta, float eps, float momentum,
                                       float[] runningMean, float[] runningVar, float[] y, float[] saveMean, float[] saveInvStd,
                                       boolean relu) {
        check("BatchNorm.forwardTraining", n, c, hw, len(x), len(y), len(gamma), len(beta), len(runningMean),
                len(runningVar), len(saveMean), len(saveInvStd));
        long count = (long) n * hw;
        if (count < 2) {
            throw new IllegalArgumentException("BatchNorm.forwardTraining: expected more than 1 value per channel, got input "
                    + Checks.dims(n, c, hw));
        }
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double mean = sum(x, n, c, hw, ch) / count;
                double var = centredSquares(x, n, c, hw, ch, mean) / count;
                double invStd = 1.0 / Math.sqrt(var + eps);
                double g = gamma == null ? 1.0 : gamma[ch], bt = beta == null ? 0.0 : beta[ch];
                // y = (x - mean) * invStd * g + b = x * scale + shift
                float scale = (float) (g * invStd), shift = (float) (bt - mean * g * invStd);
                for (int b = 0; b < n; b++) affine(x, y, (b * c + ch) * hw, hw, scale, shift, relu);
                if (saveMean != null) saveMean[ch] = (float) mean;
                if (saveInvStd != null) saveInvStd[ch] = (float) invStd;
                if (runningMean != null) runningMean[ch] = (float) ((1 - momentum) * (double) runningMean[ch] + momentum * mean);
                if (runningVar != null) {
                    double unbiased = var * count / (count - 1);
                    runningVar[ch] = (float) ((1 - momentum) * (double) runningVar[ch] + momentum * unbiased);
                }
            }
        });
    }

    public static void forwardInference(float[] x, int n, int c, int hw, float[] gamma, float[] beta, float eps,
                                        float[] runningMean, float[] runningVar, float[] y) {
        forwardInference(x, n, c, hw, gamma, beta, eps, runningMean, runningVar, y, false);
    }

    /**
     * Inference forward with the running statistics; with {@code relu} the output is max(0, bn(x)).
     * {@code y} may be {@code x} (the inference path overwrites a convolution's output): each element
     * is read before it is written, at the same index.
     */
    public static void forwardInference(float[] x, int n, int c, int hw, float[] gamma, float[] beta, float eps,
                                        float[] runningMean, float[] runningVar, float[] y, boolean relu) {
        check("BatchNorm.forwardInference", n, c, hw, len(x), len(y), len(gamma), len(beta), len(runningMean),
                len(runningVar), -1, -1);
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException("BatchNorm.forwardInference: running statistics are required for "
                    + Checks.dims(n, c, hw));
        }
        Parallel.forRange(n * c, Math.max(1, 16384 / hw), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int ch = t % c;
                affine(x, y, t * hw, hw, inferenceScale(gamma, eps, runningVar, ch),
                        inferenceShift(gamma, beta, eps, runningMean, runningVar, ch), relu);
            }
        });
    }

    /** Inference batch norm's per-channel factor, gamma / sqrt(var + eps) (in double, rounded to float). */
    static float inferenceScale(float[] gamma, float eps, float[] runningVar, int ch) {
        double invStd = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
        return (float) ((gamma == null ? 1.0 : gamma[ch]) * invStd);
    }

    /** Inference batch norm's per-channel offset, beta - mean * gamma / sqrt(var + eps). */
    static float inferenceShift(float[] gamma, float[] beta, float eps, float[] runningMean, float[] runningVar, int ch) {
        double invStd = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
        double g = gamma == null ? 1.0 : gamma[ch], bt = beta == null ? 0.0 : beta[ch];
        return (float) (bt - runningMean[ch] * g * invStd);
    }

    public static void backward(float[] x, float[] dy, int n, int c, int hw, float[] gamma, float[] saveMean, float[] saveInvStd,
                                float[] dx, float[] dGamma, float[] dBeta) {
        backwardRelu(x, null, dy, n, c, hw, gamma, saveMean, saveInvStd, dx, dGamma, dBeta);
    }

    /**
     * Backward of BN followed by ReLU: {@code y} is the ReLU's output (the forward with relu = true)
     * and {@code dy} the gradient of it; {@code y == null} is plain BN's backward.
     */
    public static void backwardRelu(float[] x, float[] y, float[] dy, int n, int c, int hw, float[] gamma, float[] saveMean,
                                    float[] saveInvStd, float[] dx, float[] dGamma, float[] dBeta) {
        check("BatchNorm.backward", n, c, hw, len(x), len(dy), len(gamma), -1, len(dGamma), len(dBeta),
                len(saveMean), len(saveInvStd));
        if (dx != null) Checks.length("BatchNorm.backward", "dx", dx.length, (long) n * c * hw, "dx " + Checks.dims(n, c, hw));
        if (saveMean == null || saveInvStd == null) {
            throw new IllegalArgumentException("BatchNorm.backward: saved mean and invstd are required for "
                    + Checks.dims(n, c, hw));
        }
        if (y != null) Checks.length("BatchNorm.backward", "y", y.length, (long) n * c * hw, "y " + Checks.dims(n, c, hw));
        long count = (long) n * hw;
        Parallel.forRange(c, 1, (c0, c1) -> {
            double[] sums = new double[2];
            for (int ch = c0; ch < c1; ch++) {
                double mean = saveMean[ch], invStd = saveInvStd[ch];
                gradSums(dy, x, y, n, c, hw, ch, (float) mean, sums);
                double sdy = sums[0], sdyx = sums[1]; // sum g, sum g * (x - mean)
                if (dGamma != null) dGamma[ch] = (float) (sdyx * invStd);
                if (dBeta != null) dBeta[ch] = (float) sdy;
                if (dx == null) continue;
                // dx = g*invStd * (dy - sdy/N - (x - mean) * invStd^2 * sdyx/N) = a*dy + b*x + k
                double g = gamma == null ? 1.0 : gamma[ch];
                double a = g * invStd, bx = -g * invStd * invStd * invStd * sdyx / count;
                double k = -a * sdy / count - bx * mean;
                float fa = (float) a, fb = (float) bx, fk = (float) k;
                for (int b = 0; b < n; b++) gradInput(dy, x, y, dx, (b * c + ch) * hw, hw, fa, fb, fk);
            }
        });
    }

    /** y = x * scale + shift over one row (then max(0, .) when relu; NaN stays NaN). */
    private static void affine(float[] x, float[] y, int from, int len, float scale, float shift, boolean relu) {
        if (Simd.enabled()) {
            BatchNormVector.affine(x, y, from, len, scale, shift, relu);
            return;
        }
        for (int i = from, e = from + len; i < e; i++) {
            float v = x[i] * scale + shift;
            y[i] = relu && v < 0f ? 0f : v;
        }
    }

    /** sums = {sum g, sum g (x - m)} over channel ch, g = dy or (y > 0 ? dy : 0) when y is given. */
    private static void gradSums(float[] dy, float[] x, float[] y, int n, int c, int hw, int ch, float m, double[] sums) {
        sums[0] = 0;
        sums[1] = 0;
        if (Simd.enabled()) {
            for (int b = 0; b < n; b++) BatchNormVector.gradSums(dy, x, y, (b * c + ch) * hw, hw, m, sums);
            return;
        }
        if (y == null) {
            sums[0] = sum(dy, n, c, hw, ch);
            sums[1] = dotCentred(dy, x, n, c, hw, ch, m);
            return;
        }
        for (int b = 0; b < n; b++) {
            float s0 = 0, s1 = 0;
            for (int i = (b * c + ch) * hw, e = i + hw; i < e; i++) {
                if (y[i] > 0f) {
                    s0 += dy[i];
                    s1 += dy[i] * (x[i] - m);
                }
            }
            sums[0] += s0;
            sums[1] += s1;
        }
    }

    /** dx = a g + b x + k over one row, g as in {@link #gradSums}. */
    private static void gradInput(float[] dy, float[] x, float[] y, float[] dx, int from, int len, float a, float b, float k) {
        if (Simd.enabled()) {
            BatchNormVector.gradInput(dy, x, y, dx, from, len, a, b, k);
            return;
        }
        for (int i = from, e = from + len; i < e; i++) {
            float g = y != null && !(y[i] > 0f) ? 0f : dy[i];
            dx[i] = a * g + b * x[i] + k;
        }
    }

    /** Sum of channel ch over all images. Four independent partial sums per row, folded into double per row. */
    private static double sum(float[] x, int n, int c, int hw, int ch) {
        double s = 0;
        if (Simd.enabled()) {
            for (int b = 0; b < n; b++) s += BatchNormVector.sum(x, (b * c + ch) * hw, hw);
            return s;
        }
        for (int b = 0; b < n; b++) {
            int i = (b * c + ch) * hw, e = i + hw;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < e; i += 4) {
                s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3];
            }
            for (; i < e; i++) s0 += x[i];
            s += (double) s0 + s1 + s2 + s3;
        }
        return s;
    }

    /** Sum of (x - mean)^2 over channel ch (second pass: no cancellation of E[x^2] - mean^2). */
    private static double centredSquares(float[] x, int n, int c, int hw, int ch, double mean) {
        double s = 0;
        float m = (float) mean;
        if (Simd.enabled()) {
            for (int b = 0; b < n; b++) s += BatchNormVector.centredSquares(x, (b * c + ch) * hw, hw, m);
            return s;
        }
        for (int b = 0; b < n; b++) {
            int i = (b * c + ch) * hw, e = i + hw;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < e; i += 4) {
                float d0 = x[i] - m, d1 = x[i + 1] - m, d2 = x[i + 2] - m, d3 = x[i + 3] - m;
                s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
            }
            for (; i < e; i++) {
                float d = x[i] - m;
                s0 += d * d;
            }
            s += (double) s0 + s1 + s2 + s3;
        }
        return s;
    }

    /** Sum of dy * (x - mean) over channel ch. */
    private static double dotCentred(float[] dy, float[] x, int n, int c, int hw, int ch, double mean) {
        double s = 0;
        float m = (float) mean;
        for (int b = 0; b < n; b++) {
            int i = (b * c + ch) * hw, e = i + hw;
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < e; i += 4) {
                s0 += dy[i] * (x[i] - m); s1 += dy[i + 1] * (x[i + 1] - m);
                s2 += dy[i + 2] * (x[i + 2] - m); s3 += dy[i + 3] * (x[i + 3] - m);
            }
            for (; i < e; i++) s0 += dy[i] * (x[i] - m);
            s += (double) s0 + s1 + s2 + s3;
        }
        return s;
    }

    private static int len(float[] a) { return a == null ? -1 : a.length; }

    // ---------------------------------------------------------------------------------- double

    public static void forwardTraining(double[] x, int n, int c, int hw, double[] gamma, double[] beta, double eps, double momentum,
                                       double[] runningMean, double[] runningVar, double[] y, double[] saveMean, double[] saveInvStd) {
        check("BatchNorm.forwardTraining", n, c, hw, len(x), len(y), len(gamma), len(beta), len(runningMean),
                len(runningVar), len(saveMean), len(saveInvStd));
        long count = (long) n * hw;
        if (count < 2) {
            throw new IllegalArgumentException("BatchNorm.forwardTraining: expected more than 1 value per channel, got input "
                    + Checks.dims(n, c, hw));
        }
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double mean = sum(x, n, c, hw, ch) / count;
                double var = centredSquares(x, n, c, hw, ch, mean) / count;
                double invStd = 1.0 / Math.sqrt(var + eps);
                double g = gamma == null ? 1.0 : gamma[ch], bt = beta == null ? 0.0 : beta[ch];
                // y = (x - mean) * invStd * g + b = x * scale + shift
                double scale = (g * invStd), shift = (bt - mean * g * invStd);
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * hw;
                    for (int i = base, e = base + hw; i < e; i++) y[i] = x[i] * scale + shift;
                }
                if (saveMean != null) saveMean[ch] = mean;
                if (saveInvStd != null) saveInvStd[ch] = invStd;
                if (runningMean != null) runningMean[ch] = ((1 - momentum) * (double) runningMean[ch] + momentum * mean);
                if (runningVar != null) {
                    double unbiased = var * count / (count - 1);
                    runningVar[ch] = ((1 - momentum) * (double) runningVar[ch] + momentum * unbiased);
                }
            }
        });
    }

    public static void forwardInference(double[] x, int n, int c, int hw, double[] gamma, double[] beta, double eps,
                                        double[] runningMean, double[] runningVar, double[] y) {
        check("BatchNorm.forwardInference", n, c, hw, len(x), len(y), len(gamma), len(beta), len(runningMean),
                len(runningVar), -1, -1);
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException("BatchNorm.forwardInference: running statistics are required for "
                    + Checks.dims(n, c, hw));
        }
        Parallel.forRange(n * c, Math.max(1, 16384 / hw), (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int ch = t % c;
                double invStd = 1.0 / Math.sqrt((double) runningVar[ch] + eps);
                double g = gamma == null ? 1.0 : gamma[ch], bt = beta == null ? 0.0 : beta[ch];
                double scale = (g * invStd), shift = (bt - runningMean[ch] * g * invStd);
                for (int i = t * hw, e = i + hw; i < e; i++) y[i] = x[i] * scale + shift;
            }
        });
    }

    public static void backward(double[] x, double[] dy, int n, int c, int hw, double[] gamma, double[] saveMean, double[] saveInvStd,
                                double[] dx, double[] dGamma, double[] dBeta) {
        check("BatchNorm.backward", n, c, hw, len(x), len(dy), len(gamma), -1, len(dGamma), len(dBeta),
                len(saveMean), len(saveInvStd));
        if (dx != null) Checks.length("BatchNorm.backward", "dx", dx.length, (long) n * c * hw, "dx " + Checks.dims(n, c, hw));
        if (saveMean == null || saveInvStd == null) {
            throw new IllegalArgumentException("BatchNorm.backward: saved mean and invstd are required for "
                    + Checks.dims(n, c, hw));
        }
        long count = (long) n * hw;
        Parallel.forRange(c, 1, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double mean = saveMean[ch], invStd = saveInvStd[ch];
                double sdy = sum(dy, n, c, hw, ch);
                double sdyx = dotCentred(dy, x, n, c, hw, ch, mean); // sum dy * (x - mean)
                if (dGamma != null) dGamma[ch] = (sdyx * invStd);
                if (dBeta != null) dBeta[ch] = sdy;
                if (dx == null) continue;
                // dx = g*invStd * (dy - sdy/N - (x - mean) * invStd^2 * sdyx/N) = a*dy + b*x + k
                double g = gamma == null ? 1.0 : gamma[ch];
                double a = g * invStd, bx = -g * invStd * invStd * invStd * sdyx / count;
                double k = -a * sdy / count - bx * mean;
                double fa = a, fb = bx, fk = k;
                for (int b = 0; b < n; b++) {
                    int base = (b * c + ch) * hw;
                    for (int i = base, e = base + hw; i < e; i++) dx[i] = fa * dy[i] + fb * x[i] + fk;
                }
            }
        });
    }

    /** Sum of channel ch over all images. Four independent partial sums per row, folded into double per row. */
    private static double sum(double[] x, int n, int c, int hw, int ch) {
        double s = 0;
        for (int b = 0; b < n; b++) {
            int i = (b * c + ch) * hw, e = i + hw;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < e; i += 4) {
                s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3];
            }
            for (; i < e; i++) s0 += x[i];
            s += (double) s0 + s1 + s2 + s3;
        }
        return s;
    }

    /** Sum of (x - mean)^2 over channel ch (second pass: no cancellation of E[x^2] - mean^2). */
    private static double centredSquares(double[] x, int n, int c, int hw, int ch, double mean) {
        double s = 0;
        double m = mean;
        for (int b = 0; b < n; b++) {
            int i = (b * c + ch) * hw, e = i + hw;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < e; i += 4) {
                double d0 = x[i] - m, d1 = x[i + 1] - m, d2 = x[i + 2] - m, d3 = x[i + 3] - m;
                s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
            }
            for (; i < e; i++) {
                double d = x[i] - m;
                s0 += d * d;
            }
            s += (double) s0 + s1 + s2 + s3;
        }
        return s;
    }

    /** Sum of dy * (x - mean) over channel ch. */
    private static double dotCentred(double[] dy, double[] x, int n, int c, int hw, int ch, double mean) {
        double s = 0;
        double m = mean;
        for (int b = 0; b < n; b++) {
            int i = (b * c + ch) * hw, e = i + hw;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (; i + 3 < e; i += 4) {
                s0 += dy[i] * (x[i] - m); s1 += dy[i + 1] * (x[i + 1] - m);
                s2 += dy[i + 2] * (x[i + 2] - m); s3 += dy[i + 3] * (x[i + 3] - m);
            }
            for (; i < e; i++) s0 += dy[i] * (x[i] - m);
            s += (double) s0 + s1 + s2 + s3;
        }
        return s;
    }

    private static int len(double[] a) { return a == null ? -1 : a.length; }

    /**
     * Validates sizes: {@code a0, a1} are the full-size arrays (must be present), {@code p0..p5}
     * the per-channel arrays (-1 = absent).
     */
    private static void check(String what, int n, int c, int hw, int a0, int a1, int p0, int p1, int p2, int p3,
                              int p4, int p5) {
        if (n <= 0 || c <= 0 || hw <= 0) {
            throw new IllegalArgumentException(what + ": sizes must be positive, got " + Checks.dims(n, c, hw));
        }
        long full = (long) n * c * hw;
        if (a0 < 0 || a1 < 0) {
            throw new IllegalArgumentException(what + ": input/output arrays must not be null for " + Checks.dims(n, c, hw));
        }
        Checks.length(what, "input", a0, full, "input " + Checks.dims(n, c, hw));
        Checks.length(what, "output/gradient", a1, full, "input " + Checks.dims(n, c, hw));
        int[] per = {p0, p1, p2, p3, p4, p5};
        for (int p : per) {
            if (p >= 0) Checks.length(what, "per-channel array", p, c, c + " channels");
        }
    }
}
