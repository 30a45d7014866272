package org.wpunet.cuda;

import org.wpunet.cuda.KernelEmulator.Args;
import org.wpunet.cuda.KernelEmulator.Num;

/**
 * The host transcription of loss.cu and optimizers.cu for {@link KernelEmulator}: the pixel addressing
 * of the fused losses and the element loop of the optimizers, with every op in the kernel's type
 * ({@link Num}: float rounding for the {@code _f32} entries) and in the kernels' order.
 */
final class FusedKernelEmulator {
    private FusedKernelEmulator() {}

    // wp_weighted_ce_*(x, target, weight, n, c, hw, loss, grad, err): pixel p = (b, s) reads x[b*c*hw + k*hw + s];
    // loss = w ((m - x_t) + log s), grad = w (exp(x_k - m) (1 / s) - [k == t])
    static void weightedCe(Args a, Num num) {
        double[] x = a.p(0), target = a.p(1), weight = a.p(2), loss = a.p(6), grad = a.p(7), err = a.p(8);
        int n = a.i(3), c = a.i(4), hw = a.i(5);
        for (int p = 0; p < n * hw; p++) {
            int b = p / hw, s = p - b * hw, base = b * c * hw + s, t = (int) target[p];
            if (!KernelEmulator.checkIndex(t, c, err)) continue;
            double m = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < c; k++) m = Math.max(m, x[base + k * hw]);
            for (int k = 0; k < c; k++) sum = num.r(sum + num.exp(num.r(x[base + k * hw] - m)));
            double wp = weight == null ? 1 : weight[p];
            loss[p] = num.r(wp * num.r(num.r(m - x[base + t * hw]) + num.log(sum)));
            if (grad != null) {
                double inv = num.r(1 / sum);
                for (int k = 0; k < c; k++) {
                    double sm = num.r(num.exp(num.r(x[base + k * hw] - m)) * inv);
                    grad[base + k * hw] = num.r(wp * num.r(sm - (k == t ? 1 : 0)));
                }
            }
        }
    }

    // wp_class_weighted_ce_*(x, w, n, c, hw, clampMin, loss, grad): -log p_k = log s - (x_k - m) where p_k
    // passes the clamp, else -log(clampMin); grad = p_k sum_j a_j w_j - a_k w_k
    static void classWeightedCe(Args a, Num num) {
        double[] x = a.p(0), w = a.p(1), loss = a.p(6), grad = a.p(7);
        int n = a.i(2), c = a.i(3), hw = a.i(4);
        double cmin = num.r(a.d(5)), logMin = num.r(Math.log(a.d(5)));
        for (int p = 0; p < n * hw; p++) {
            int b = p / hw, s = p - b * hw, base = b * c * hw + s;
            double m = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < c; k++) m = Math.max(m, x[base + k * hw]);
            for (int k = 0; k < c; k++) sum = num.r(sum + num.exp(num.r(x[base + k * hw] - m)));
            double ls = num.log(sum), inv = num.r(1 / sum), l = 0, aw = 0;
            for (int k = 0; k < c; k++) {
                double d = num.r(x[base + k * hw] - m), wk = w[base + k * hw];
                if (!(num.r(num.exp(d) * inv) < cmin)) {
                    l = num.r(l + num.r(wk * num.r(ls - d)));
                    aw = num.r(aw + wk);
                } else {
                    l = num.r(l - num.r(wk * logMin));
                }
            }
            loss[p] = l;
            if (grad != null) {
                for (int k = 0; k < c; k++) {
                    double pk = num.r(num.exp(num.r(x[base + k * hw] - m)) * inv);
                    grad[base + k * hw] = num.r(num.r(pk * aw) - (pk < cmin ? 0 : w[base + k * hw]));
                }
            }
        }
    }

    // wp_sgd_*(p, g, buf, n, lr, wd, momentum, dampening, nesterov, firstStep)
    static void sgd(Args a, Num num) {
        double[] p = a.p(0), g = a.p(1), buf = a.p(2);
        double lr = num.r(a.d(4)), wd = num.r(a.d(5)), mom = num.r(a.d(6)), damp = num.r(1 - a.d(7));
        boolean nesterov = a.i(8) != 0, first = a.i(9) != 0;
        for (int i = 0; i < a.i(3); i++) {
            double d = num.r(g[i] + num.r(wd * p[i]));
            if (a.d(6) != 0) {
                double b = first ? d : num.r(num.r(mom * buf[i]) + num.r(damp * d));
                buf[i] = b;
                d = nesterov ? num.r(d + num.r(mom * b)) : b;
            }
            p[i] = num.r(p[i] - num.r(lr * d));
        }
    }

    // wp_rmsprop_*(p, g, sq, buf, gavg, n, lr, wd, alpha, eps, momentum); buf and gavg may be null
    static void rmsprop(Args a, Num num) {
        double[] p = a.p(0), g = a.p(1), sq = a.p(2), buf = a.p(3), gavg = a.p(4);
        double lr = num.r(a.d(6)), wd = num.r(a.d(7)), al = num.r(a.d(8)), al1 = num.r(1 - a.d(8)), eps = num.r(a.d(9)),
                mom = num.r(a.d(10));
        for (int i = 0; i < a.i(5); i++) {
            double gi = num.r(g[i] + num.r(wd * p[i]));
            double v = num.r(num.r(al * sq[i]) + num.r(num.r(al1 * gi) * gi));
            sq[i] = v;
            double avg;
            if (gavg != null) {
                double ga = num.r(num.r(al * gavg[i]) + num.r(al1 * gi));
                gavg[i] = ga;
                avg = num.r(num.r(Math.sqrt(num.r(v - num.r(ga * ga)))) + eps);
            } else {
                avg = num.r(num.r(Math.sqrt(v)) + eps);
            }
            if (buf != null) {
                double b = num.r(num.r(mom * buf[i]) + num.r(gi / avg));
                buf[i] = b;
                p[i] = num.r(p[i] - num.r(lr * b));
            } else {
                p[i] = num.r(p[i] - num.r(num.r(lr * gi) / avg));
            }
        }
    }

    // wp_adam_*(p, g, m, v, vmax, n, lr, wd, b1, b2, eps, decoupled, stepSize, bc2sqrt); vmax may be null
    static void adam(Args a, Num num) {
        double[] p = a.p(0), g = a.p(1), m = a.p(2), v = a.p(3), vmax = a.p(4);
        double wd = num.r(a.d(7)), decay = num.r(1 - a.d(6) * a.d(7)), b1 = num.r(a.d(8)), b1c = num.r(1 - a.d(8)),
                b2 = num.r(a.d(9)), b2c = num.r(1 - a.d(9)), eps = num.r(a.d(10)), step = num.r(a.d(12)), bc2 = num.r(a.d(13));
        boolean decoupled = a.i(11) != 0;
        for (int i = 0; i < a.i(5); i++) {
            double pi = p[i], gi = g[i];
            if (decoupled) pi = num.r(pi * decay); else gi = num.r(gi + num.r(wd * pi));
            double mi = num.r(num.r(b1 * m[i]) + num.r(b1c * gi));
            double vi = num.r(num.r(b2 * v[i]) + num.r(num.r(b2c * gi) * gi));
            m[i] = mi;
            v[i] = vi;
            if (vmax != null) {
                vi = Math.max(vmax[i], vi);
                vmax[i] = vi;
            }
            p[i] = num.r(pi - num.r(num.r(step * mi) / num.r(num.r(num.r(Math.sqrt(vi)) / bc2) + eps)));
        }
    }
}
