// Pooling, indexing, random numbers and fused training kernels.
#include "common.cuh"

// Max pooling over compact [n*c planes, h, w]; indices are flat within a plane (ih*w + iw).
// The scan order and the comparison (v > best || v is NaN) are those of the CPU kernel, so the
// same index is chosen on ties and NaNs.
extern "C" __global__ void wp_maxpool2d(const void* x, int dt, void* y, int* idx, int planes, int h, int w,
                                        int oh, int ow, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    int total = planes * oh * ow;
    WP_LOOP(e, total) {
        int q = e % ow, r = (e / ow) % oh, pl = e / (oh * ow);
        int ih0 = r * sh - ph, ih1 = min(ih0 + (kh - 1) * dh + 1, h);
        while (ih0 < 0) ih0 += dh;
        int iw0 = q * sw - pw, iw1 = min(iw0 + (kw - 1) * dw + 1, w);
        while (iw0 < 0) iw0 += dw;
        int bi = ih0 * w + iw0;
        double best = -INFINITY;
        int xo = pl * h * w;
        for (int ih = ih0; ih < ih1; ih += dh)
            for (int iw = iw0; iw < iw1; iw += dw) {
                double v = ld(x, dt, xo + ih * w + iw);
                if (v > best || v != v) { best = v; bi = ih * w + iw; }
            }
        st(y, dt, e, best);
        idx[e] = bi;
    }
}

// dx (zeroed by the caller) [plane, idx] += dy. dt is F32 (0) or F64 (1); overlapping windows make
// the accumulation order (and so the last bit) nondeterministic.
extern "C" __global__ void wp_maxpool2d_backward(const void* dy, int dt, const int* idx, void* dx, int planes,
                                                 int hw, int ohw) {
    int total = planes * ohw;
    WP_LOOP(e, total) {
        int target = (e / ohw) * hw + idx[e];
        if (dt == 0) atomicAdd((float*)dx + target, ((const float*)dy)[e]);
        else atomicAdd((double*)dx + target, ((const double*)dy)[e]);
    }
}

// Records the first bad index (value + size reported) so the host can throw like the CPU backend.
__device__ __forceinline__ bool check_index(int v, int size, int* err) {
    if (v < 0 || v >= size) {
        if (atomicCAS(err, 0, 1) == 0) { err[1] = v; err[2] = size; }  // first writer reports
        return false;
    }
    return true;
}

// out (compact, shape lx.shape with dim -> len) = x[..., index[j], ...].
extern "C" __global__ void wp_index_select(const void* x, int dt, Lay lx, int dim, const int* index, Lay lo,
                                           void* y, int* err, int n) {
    WP_LOOP(e, n) {
        int rem = e, off = lx.offset;
        for (int d = lo.rank - 1; d >= 0; --d) {
            int s = lo.shape[d], q = rem / s, m = rem - q * s;
            rem = q;
            if (d == dim) {
                int v = index[m];
                if (!check_index(v, lx.shape[dim], err)) { m = 0; v = 0; }
                off += v * lx.stride[d];
            } else {
                off += m * lx.stride[d];
            }
        }
        st(y, dt, e, ld(x, dt, off));
    }
}

// out[e] = x[m with m[dim] = index[m]], iterating the index layout li (out has li's shape).
extern "C" __global__ void wp_gather(const void* x, int dt, Lay lx, int dim, const int* index, Lay li,
                                     void* y, int* err, int n) {
    WP_LOOP(e, n) {
        int rem = e, io = li.offset, so = lx.offset;
        for (int d = li.rank - 1; d >= 0; --d) {
            int s = li.shape[d], q = rem / s, m = rem - q * s;
            rem = q;
            io += m * li.stride[d];
            if (d != dim) so += m * lx.stride[d];
        }
        int v = index[io];
        if (!check_index(v, lx.shape[dim], err)) v = 0;
        st(y, dt, e, ld(x, dt, so + v * lx.stride[dim]));
    }
}

// out (compact, shape lo.shape, zeroed) [m with m[dim] = index[m]] += src[m], over li's shape.
// Atomic adds: F32 (0), F64 (1), I32 (2).
extern "C" __global__ void wp_scatter_add(const int* index, Lay li, const void* src, int sdt, Lay ls,
                                          void* out, int odt, Lay lo, int dim, int* err, int n) {
    WP_LOOP(e, n) {
        int rem = e, io = li.offset, so = ls.offset, oo = 0;
        for (int d = li.rank - 1; d >= 0; --d) {
            int s = li.shape[d], q = rem / s, m = rem - q * s;
            rem = q;
            io += m * li.stride[d];
            so += m * ls.stride[d];
            if (d != dim) oo += m * lo.stride[d];
        }
        int v = index[io];
        if (!check_index(v, lo.shape[dim], err)) continue;
        oo += v * lo.stride[dim];
        double val = ld(src, sdt, so);
        if (odt == 0) atomicAdd((float*)out + oo, (float)val);
        else if (odt == 1) atomicAdd((double*)out + oo, val);
        else atomicAdd((int*)out + oo, (int)val);
    }
}

// ---- org.wpunet.core.Rng: the same bits for UNIFORM (SplitMix64 finaliser on seed-mixed counters); NORMAL goes
// through CUDA's log/cos, which may differ from java.lang.Math in the last bit ----
__device__ __forceinline__ unsigned long long rng_mix(unsigned long long seed, unsigned long long counter) {
    unsigned long long z = seed * 0x9E3779B97F4A7C15ull + counter * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

__device__ __forceinline__ double rng_uniform_double(unsigned long long seed, unsigned long long c) {
    return (double)(rng_mix(seed, c) >> 11) * 0x1.0p-53;
}

// dist 0 = UNIFORM (F32: top 24 bits; other dtypes: 53-bit double), 1 = NORMAL (Box-Muller on the
// uniforms of counters base+2i and base+2i+1, u1 moved into (0,1]).
extern "C" __global__ void wp_random(int dist, void* y, int dt, int n, long long seed, long long counter) {
    unsigned long long s = (unsigned long long)seed, c = (unsigned long long)counter;
    WP_LOOP(i, n) {
        if (dist == 0) {
            if (dt == 0) ((float*)y)[i] = (float)(rng_mix(s, c + i) >> 40) * 0x1.0p-24f;
            else st(y, dt, i, rng_uniform_double(s, c + i));
        } else {
            double u1 = 1.0 - rng_uniform_double(s, c + 2ull * i);
            double u2 = rng_uniform_double(s, c + 2ull * i + 1);
            st(y, dt, i, sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2));
        }
    }
}

// ---- fused training kernels (Backend.weightedCrossEntropy, classWeightedCrossEntropy, optimizerUpdate) ----
// Every element is computed in double and rounded once when stored, like the CPU backend's CpuFused.

// Weighted cross entropy over compact logits [n, c, hw] with I32 targets [n, hw] and weights [n, hw]
// (null = 1): loss_p = w_p (lse_p - x_p[t_p]); grad (may be null) = w_p (softmax_p - onehot(t_p)).
template <typename T>
__device__ void weighted_ce(const T* x, const int* target, const T* weight, int n, int c, int hw, T* lossPix,
                            T* grad, int* err) {
    int total = n * hw;
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        const T* xp = x + (size_t)b * c * hw + s;
        int t = target[p];
        if (!check_index(t, c, err)) continue;
        double m = -INFINITY;
        for (int k = 0; k < c; ++k) m = fmax(m, (double)xp[(size_t)k * hw]);
        double sum = 0;
        for (int k = 0; k < c; ++k) sum += exp((double)xp[(size_t)k * hw] - m);
        double lse = m + log(sum);
        double wp = weight ? (double)weight[p] : 1.0;
        lossPix[p] = (T)(wp * (lse - (double)xp[(size_t)t * hw]));
        if (grad) {
            T* gp = grad + (size_t)b * c * hw + s;
            for (int k = 0; k < c; ++k) {
                double sm = exp((double)xp[(size_t)k * hw] - lse);
                gp[(size_t)k * hw] = (T)(wp * (sm - (k == t ? 1.0 : 0.0)));
            }
        }
    }
}

extern "C" __global__ void wp_weighted_ce_f32(const float* x, const int* t, const float* w, int n, int c, int hw,
                                              float* loss, float* grad, int* err) {
    weighted_ce<float>(x, t, w, n, c, hw, loss, grad, err);
}

extern "C" __global__ void wp_weighted_ce_f64(const double* x, const int* t, const double* w, int n, int c, int hw,
                                              double* loss, double* grad, int* err) {
    weighted_ce<double>(x, t, w, n, c, hw, loss, grad, err);
}

// Class-weighted cross entropy with a clamped softmax (Backend.classWeightedCrossEntropy; WPU-Net's
// WeightMapLoss) over compact logits and weights [n, c, hw]: p = softmax over c, a_k = [p_k >= clampMin]
// (PyTorch's clamp passes the gradient at the bound); loss_p = sum_k -w_k log(max(p_k, clampMin)), with
// log p_k = x_k - lse where it passes; grad (may be null) = p_k sum_j a_j w_j - a_k w_k.
template <typename T>
__device__ void class_weighted_ce(const T* x, const T* w, int n, int c, int hw, double clampMin, T* lossPix, T* grad) {
    int total = n * hw;
    double logMin = log(clampMin);
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        size_t base = (size_t)b * c * hw + s;
        const T* xp = x + base;
        const T* wp = w + base;
        double m = -INFINITY;
        for (int k = 0; k < c; ++k) m = fmax(m, (double)xp[(size_t)k * hw]);
        double sum = 0;
        for (int k = 0; k < c; ++k) sum += exp((double)xp[(size_t)k * hw] - m);
        double lse = m + log(sum), l = 0, aw = 0;
        for (int k = 0; k < c; ++k) {
            double lp = (double)xp[(size_t)k * hw] - lse, wk = (double)wp[(size_t)k * hw];
            if (!(exp(lp) < clampMin)) { l -= wk * lp; aw += wk; }  // NaN passes, as torch.clamp propagates it
            else l -= wk * logMin;
        }
        lossPix[p] = (T)l;
        if (grad) {
            T* gp = grad + base;
            for (int k = 0; k < c; ++k) {
                double pk = exp((double)xp[(size_t)k * hw] - lse);
                double ak = pk < clampMin ? 0.0 : 1.0;
                gp[(size_t)k * hw] = (T)(pk * aw - ak * (double)wp[(size_t)k * hw]);
            }
        }
    }
}

extern "C" __global__ void wp_class_weighted_ce_f32(const float* x, const float* w, int n, int c, int hw, double clampMin,
                                                    float* loss, float* grad) {
    class_weighted_ce<float>(x, w, n, c, hw, clampMin, loss, grad);
}

extern "C" __global__ void wp_class_weighted_ce_f64(const double* x, const double* w, int n, int c, int hw, double clampMin,
                                                    double* loss, double* grad) {
    class_weighted_ce<double>(x, w, n, c, hw, clampMin, loss, grad);
}

// SGD (OptimizerUpdate.Sgd): d = g + wd p; with momentum: b = d (first step) or m b + (1 - dampening) d,
// d = nesterov ? d + m b : b; p -= lr d.
template <typename T>
__device__ void sgd(T* p, const T* g, T* buf, int n, double lr, double wd, double momentum, double dampening,
                    int nesterov, int firstStep) {
    WP_LOOP(i, n) {
        double d = (double)g[i] + wd * (double)p[i];
        if (momentum != 0.0) {
            double b = firstStep ? d : momentum * (double)buf[i] + (1.0 - dampening) * d;
            buf[i] = (T)b;
            d = nesterov ? d + momentum * b : b;
        }
        p[i] = (T)((double)p[i] - lr * d);
    }
}

extern "C" __global__ void wp_sgd_f32(float* p, const float* g, float* buf, int n, double lr, double wd, double momentum,
                                      double dampening, int nesterov, int firstStep) {
    sgd<float>(p, g, buf, n, lr, wd, momentum, dampening, nesterov, firstStep);
}

extern "C" __global__ void wp_sgd_f64(double* p, const double* g, double* buf, int n, double lr, double wd, double momentum,
                                      double dampening, int nesterov, int firstStep) {
    sgd<double>(p, g, buf, n, lr, wd, momentum, dampening, nesterov, firstStep);
}

// RMSprop (OptimizerUpdate.RmsProp): g += wd p; v = a v + (1-a) g^2; centred: ga = a ga + (1-a) g,
// avg = sqrt(v - ga^2) + eps, else sqrt(v) + eps; momentum: b = m b + g/avg, p -= lr b; else p -= lr g/avg.
// buf and gavg are null when unused.
template <typename T>
__device__ void rmsprop(T* p, const T* g, T* sq, T* buf, T* gavg, int n, double lr, double wd, double alpha, double eps,
                        double momentum) {
    WP_LOOP(i, n) {
        double gi = (double)g[i] + wd * (double)p[i];
        double v = alpha * (double)sq[i] + (1.0 - alpha) * gi * gi;
        sq[i] = (T)v;
        double avg;
        if (gavg) {
            double ga = alpha * (double)gavg[i] + (1.0 - alpha) * gi;
            gavg[i] = (T)ga;
            avg = sqrt(v - ga * ga) + eps;
        } else {
            avg = sqrt(v) + eps;
        }
        if (buf) {
            double b = momentum * (double)buf[i] + gi / avg;
            buf[i] = (T)b;
            p[i] = (T)((double)p[i] - lr * b);
        } else {
            p[i] = (T)((double)p[i] - lr * gi / avg);
        }
    }
}

extern "C" __global__ void wp_rmsprop_f32(float* p, const float* g, float* sq, float* buf, float* gavg, int n, double lr,
                                          double wd, double alpha, double eps, double momentum) {
    rmsprop<float>(p, g, sq, buf, gavg, n, lr, wd, alpha, eps, momentum);
}

extern "C" __global__ void wp_rmsprop_f64(double* p, const double* g, double* sq, double* buf, double* gavg, int n,
                                          double lr, double wd, double alpha, double eps, double momentum) {
    rmsprop<double>(p, g, sq, buf, gavg, n, lr, wd, alpha, eps, momentum);
}

// Adam / AdamW (OptimizerUpdate.Adam): decoupled p *= 1 - lr wd, else g += wd p; m = b1 m + (1-b1) g;
// v = b2 v + (1-b2) g^2; amsgrad (vmax not null): vmax = max(vmax, v) replaces v;
// p -= stepSize m / (sqrt(v) / bc2sqrt + eps), stepSize = lr / (1 - b1^t), bc2sqrt = sqrt(1 - b2^t).
template <typename T>
__device__ void adam(T* p, const T* g, T* m, T* v, T* vmax, int n, double lr, double wd, double b1, double b2, double eps,
                     int decoupled, double stepSize, double bc2sqrt) {
    WP_LOOP(i, n) {
        double pi = (double)p[i], gi = (double)g[i];
        if (decoupled) pi *= 1.0 - lr * wd; else gi += wd * pi;
        double mi = b1 * (double)m[i] + (1.0 - b1) * gi;
        double vi = b2 * (double)v[i] + (1.0 - b2) * gi * gi;
        m[i] = (T)mi;
        v[i] = (T)vi;
        if (vmax) {
            vi = fmax((double)vmax[i], vi);
            vmax[i] = (T)vi;
        }
        p[i] = (T)(pi - stepSize * mi / (sqrt(vi) / bc2sqrt + eps));
    }
}

extern "C" __global__ void wp_adam_f32(float* p, const float* g, float* m, float* v, float* vmax, int n, double lr,
                                       double wd, double b1, double b2, double eps, int decoupled, double stepSize,
                                       double bc2sqrt) {
    adam<float>(p, g, m, v, vmax, n, lr, wd, b1, b2, eps, decoupled, stepSize, bc2sqrt);
}

extern "C" __global__ void wp_adam_f64(double* p, const double* g, double* m, double* v, double* vmax, int n, double lr,
                                       double wd, double b1, double b2, double eps, int decoupled, double stepSize,
                                       double bc2sqrt) {
    adam<double>(p, g, m, v, vmax, n, lr, wd, b1, b2, eps, decoupled, stepSize, bc2sqrt);
}
