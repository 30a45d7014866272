// Max pooling forward (values and flat argmax indices) and backward (scatter of dy to the argmax).
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

// dx (zeroed by the caller) [plane, idx] += dy. dt is WP_F32 or WP_F64; overlapping windows make
// the accumulation order (and so the last bit) nondeterministic.
extern "C" __global__ void wp_maxpool2d_backward(const void* dy, int dt, const int* idx, void* dx, int planes,
                                                 int hw, int ohw) {
    int total = planes * ohw;
    WP_LOOP(e, total) {
        int target = (e / ohw) * hw + idx[e];
        if (dt == WP_F32) atomicAdd((float*)dx + target, ((const float*)dy)[e]);
        else atomicAdd((double*)dx + target, ((const double*)dy)[e]);
    }
}
