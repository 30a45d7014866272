package org.wpunet.core.cpu;

import org.wpunet.core.DType;
import org.wpunet.core.OptimizerUpdate;

/**
 * The fused training kernels of the CPU backend: weighted cross-entropy (per-pixel or per-class
 * weights) with its logits gradient in one pass, and optimiser updates in place. Every element is
 * computed in double and rounded once when stored, so F32 and F64 share one implementation (F32 data is staged through
 * double chunks).
 */
final class CpuFused {
    private static final int CHUNK = 4096;

    private CpuFused() {}

    /** See {@link org.wpunet.core.Backend#weightedCrossEntropy}. */
    static CpuStorage[] weightedCrossEntropy(CpuStorage x, int[] shape, CpuStorage target, CpuStorage weight, boolean withGrad) {
        int n = shape[0], c = shape[1];
        int inner = 1;
        for (int d = 2; d < shape.length; d++) inner *= shape[d];
        final int hw = inner;
        CpuStorage loss = CpuStorage.allocate(x.dtype(), n * hw);
        CpuStorage grad = withGrad ? CpuStorage.allocate(x.dtype(), n * c * hw) : null;
        int[] t = target.i32();
        int[] bad = {-1};
        Parallel.forRange(n * hw, Math.max(1, 8192 / Math.max(1, c)), (from, to) -> {
            for (int p = from; p < to; p++) {
                int b = p / hw, s = p - b * hw, base = b * c * hw + s;
                int tp = t[p];
                if (tp < 0 || tp >= c) {
                    synchronized (bad) { if (bad[0] < 0 || p < bad[0]) bad[0] = p; }
                    continue;
                }
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) m = Math.max(m, x.get(base + k * hw));
                double sum = 0;
                for (int k = 0; k < c; k++) sum += Math.exp(x.get(base + k * hw) - m);
                double lse = m + Math.log(sum);
                double w = weight == null ? 1 : weight.get(p);
                loss.set(p, w * (lse - x.get(base + tp * hw)));
                if (grad != null) {
                    for (int k = 0; k < c; k++) {
                        double sm = Math.exp(x.get(base + k * hw) - lse);
                        grad.set(base + k * hw, w * (sm - (k == tp ? 1 : 0)));
                    }
                }
            }
        });
        if (bad[0] >= 0) {
            throw new IndexOutOfBoundsException("cross-entropy: target " + t[bad[0]] + " at flat position " + bad[0]
                    + " is out of range for " + c + " classes");
        }
        return new CpuStorage[]{loss, grad};
    }

    /**
     * See {@link org.wpunet.core.Backend#classWeightedCrossEntropy}. Per pixel: lse = logsumexp(x),
     * p_k = exp(x_k - lse); where p_k passes the clamp, log p_k = x_k - lse (exact, no log of a rounded
     * p), else log(clampMin) with zero gradient. d/dx_k sum_j -w_j a_j log p_j = p_k S - a_k w_k with
     * S = sum_j a_j w_j (softmax Jacobian p_j (delta_jk - p_k)).
     */
    static CpuStorage[] classWeightedCrossEntropy(CpuStorage x, int[] shape, CpuStorage weights, double clampMin, boolean withGrad) {
        int n = shape[0], c = shape[1];
        int inner = 1;
        for (int d = 2; d < shape.length; d++) inner *= shape[d];
        final int hw = inner;
        final double logMin = Math.log(clampMin);
        CpuStorage loss = CpuStorage.allocate(x.dtype(), n * hw);
        CpuStorage grad = withGrad ? CpuStorage.allocate(x.dtype(), n * c * hw) : null;
        Parallel.forRange(n * hw, Math.max(1, 8192 / Math.max(1, c)), (from, to) -> {
            double[] p = new double[c];
            for (int q = from; q < to; q++) {
                int b = q / hw, s = q - b * hw, base = b * c * hw + s;
                double m = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++) m = Math.max(m, x.get(base + k * hw));
                double sum = 0;
                for (int k = 0; k < c; k++) sum += Math.exp(x.get(base + k * hw) - m);
                double lse = m + Math.log(sum), l = 0, aw = 0;
                for (int k = 0; k < c; k++) {
                    double xk = x.get(base + k * hw), wk = weights.get(base + k * hw);
                    p[k] = Math.exp(xk - lse);
                    if (!(p[k] < clampMin)) {   // NaN passes, as torch.clamp propagates it: a diverged net must show a NaN loss
                        l -= wk * (xk - lse);
                        aw += wk;
                    } else {
                        l -= wk * logMin;
                    }
                }
                loss.set(q, l);
                if (grad != null) {
                    for (int k = 0; k < c; k++) {
                        double ak = p[k] < clampMin ? 0 : 1;
                        grad.set(base + k * hw, p[k] * aw - ak * weights.get(base + k * hw));
                    }
                }
            }
        });
        return new CpuStorage[]{loss, grad};
    }

    /** See {@link org.wpunet.core.Backend#optimizerUpdate}: chunks of every buffer staged in double. */
    static void optimizerUpdate(OptimizerUpdate u, CpuStorage param, CpuStorage grad, CpuStorage[] state) {
        int n = param.numel();
        Parallel.forRange((n + CHUNK - 1) / CHUNK, 1, (from, to) -> {
            double[] p = new double[CHUNK], g = new double[CHUNK];
            double[][] st = new double[state.length][CHUNK];
            for (int ch = from; ch < to; ch++) {
                int off = ch * CHUNK, len = Math.min(CHUNK, n - off);
                load(param, off, len, p);
                load(grad, off, len, g);
                for (int k = 0; k < state.length; k++) load(state[k], off, len, st[k]);
                apply(u, p, g, st, len);
                store(param, off, len, p);
                for (int k = 0; k < state.length; k++) store(state[k], off, len, st[k]);
            }
        });
    }

    private static void apply(OptimizerUpdate u, double[] p, double[] g, double[][] st, int len) {
        switch (u) {
            case OptimizerUpdate.Sgd s -> {
                for (int i = 0; i < len; i++) {
                    double d = g[i] + s.weightDecay() * p[i];
                    if (s.momentum() != 0) {
                        double b = s.firstStep() ? d : s.momentum() * st[0][i] + (1 - s.dampening()) * d;
                        st[0][i] = b;
                        d = s.nesterov() ? d + s.momentum() * b : b;
                    }
                    p[i] -= s.lr() * d;
                }
            }
            case OptimizerUpdate.RmsProp r -> {
                double a = r.alpha();
                int mom = r.momentum() > 0 ? 1 : -1, cen = r.centered() ? (mom > 0 ? 2 : 1) : -1;
                for (int i = 0; i < len; i++) {
                    double gi = g[i] + r.weightDecay() * p[i];
                    double v = a * st[0][i] + (1 - a) * gi * gi;
                    st[0][i] = v;
                    double avg;
                    if (cen > 0) {
                        double ga = a * st[cen][i] + (1 - a) * gi;
                        st[cen][i] = ga;
                        avg = Math.sqrt(v - ga * ga) + r.eps();
                    } else {
                        avg = Math.sqrt(v) + r.eps();
                    }
                    if (mom > 0) {
                        double b = r.momentum() * st[mom][i] + gi / avg;
                        st[mom][i] = b;
                        p[i] -= r.lr() * b;
                    } else {
                        p[i] -= r.lr() * gi / avg;
                    }
                }
            }
            case OptimizerUpdate.Adam ad -> {
                double b1 = ad.beta1(), b2 = ad.beta2(), lr = ad.lr(), wd = ad.weightDecay();
                double stepSize = lr / ad.biasCorrection1(), bc2 = ad.biasCorrection2Sqrt();
                for (int i = 0; i < len; i++) {
                    double pi = p[i], gi = g[i];
                    if (ad.decoupled()) pi *= 1 - lr * wd;
                    else gi += wd * pi;
                    double m = b1 * st[0][i] + (1 - b1) * gi;
                    double v = b2 * st[1][i] + (1 - b2) * gi * gi;
                    st[0][i] = m;
                    st[1][i] = v;
                    if (ad.amsgrad()) {
                        v = Math.max(st[2][i], v);
                        st[2][i] = v;
                    }
                    p[i] = pi - stepSize * m / (Math.sqrt(v) / bc2 + ad.eps());
                }
            }
        }
    }

    private static void load(CpuStorage s, int off, int len, double[] out) {
        if (s.dtype() == DType.F32) {
            float[] a = s.f32();
            for (int i = 0; i < len; i++) out[i] = a[off + i];
        } else {
            System.arraycopy(s.f64(), off, out, 0, len);
        }
    }

    private static void store(CpuStorage s, int off, int len, double[] in) {
        if (s.dtype() == DType.F32) {
            float[] a = s.f32();
            for (int i = 0; i < len; i++) a[off + i] = (float) in[i];
        } else {
            System.arraycopy(in, 0, s.f64(), off, len);
        }
    }
}
