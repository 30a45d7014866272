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

// ---- org.wpunet.core.Rng, bit for bit: SplitMix64's finaliser on seed-mixed counters ----
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

// ---- fused training kernels (compact F32; not yet reachable through the core Backend SPI) ----

// Weighted-map cross entropy over logits [n, c, hw] with targets [n, hw] (I32) and pixel weights
// [n, hw]: loss_p = w_p * (lse_p - x_p[t_p]); grad = scale * w_p * (softmax_p - onehot(t_p)).
// Writes the per-pixel loss (summed by the caller) and the logits gradient in one pass.
extern "C" __global__ void wp_weighted_ce_f32(const float* x, const int* target, const float* weight, int n, int c,
                                              int hw, float scale, float* lossPix, float* grad, int* err) {
    int total = n * hw;
    WP_LOOP(p, total) {
        int b = p / hw, s = p - b * hw;
        const float* xp = x + (size_t)b * c * hw + s;
        double m = -INFINITY;
        for (int k = 0; k < c; ++k) m = fmax(m, (double)xp[k * hw]);
        double sum = 0;
        for (int k = 0; k < c; ++k) sum += exp((double)xp[k * hw] - m);
        double lse = m + log(sum);
        int t = target[p];
        if (!check_index(t, c, err)) t = 0;
        double wp = weight ? (double)weight[p] : 1.0;
        lossPix[p] = (float)(wp * (lse - (double)xp[t * hw]));
        if (grad) {
            float* gp = grad + (size_t)b * c * hw + s;
            for (int k = 0; k < c; ++k) {
                double sm = exp((double)xp[k * hw] - lse);
                gp[k * hw] = (float)(scale * wp * (sm - (k == t ? 1.0 : 0.0)));
            }
        }
    }
}

// SGD (PyTorch semantics): g' = g + wd*p; buf = momentum*buf + (1-dampening)*g' (buf = g' on the
// first step); d = nesterov ? g' + momentum*buf : buf (d = g' without momentum); p -= lr*d.
extern "C" __global__ void wp_sgd_f32(float* p, const float* g, float* buf, int n, float lr, float momentum,
                                      float dampening, float wd, int nesterov, int firstStep) {
    WP_LOOP(i, n) {
        float gi = g[i] + wd * p[i];
        float d = gi;
        if (momentum != 0.f) {
            float b = firstStep ? gi : momentum * buf[i] + (1.f - dampening) * gi;
            buf[i] = b;
            d = nesterov ? gi + momentum * b : b;
        }
        p[i] -= lr * d;
    }
}

// Adam / AdamW (PyTorch): decoupled (AdamW) p *= 1 - lr*wd, else g += wd*p;
// m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr * (m / bc1) / (sqrt(v / bc2) + eps),
// with bc1 = 1 - b1^t, bc2 = 1 - b2^t computed on the host.
extern "C" __global__ void wp_adam_f32(float* p, const float* g, float* m, float* v, int n, float lr, float b1,
                                       float b2, float eps, float wd, int decoupled, float bc1, float bc2) {
    WP_LOOP(i, n) {
        float pi = p[i], gi = g[i];
        if (decoupled) pi *= 1.f - lr * wd; else gi += wd * pi;
        float mi = b1 * m[i] + (1.f - b1) * gi;
        float vi = b2 * v[i] + (1.f - b2) * gi * gi;
        m[i] = mi; v[i] = vi;
        p[i] = pi - lr * (mi / bc1) / (sqrtf(vi / bc2) + eps);
    }
}

// RMSprop (PyTorch, non-centred): g += wd*p; sq = alpha sq + (1-alpha) g^2; d = g / (sqrt(sq) + eps);
// with momentum: buf = momentum*buf + d, p -= lr*buf; else p -= lr*d.
extern "C" __global__ void wp_rmsprop_f32(float* p, const float* g, float* sq, float* buf, int n, float lr,
                                          float alpha, float eps, float wd, float momentum) {
    WP_LOOP(i, n) {
        float gi = g[i] + wd * p[i];
        float s = alpha * sq[i] + (1.f - alpha) * gi * gi;
        sq[i] = s;
        float d = gi / (sqrtf(s) + eps);
        if (momentum > 0.f) { float b = momentum * buf[i] + d; buf[i] = b; d = b; }
        p[i] -= lr * d;
    }
}
