// Max pooling forward (values and flat argmax indices) and backward (scatter of dy to the argmax), in the
// tensor's own type T: <name>_f32 for F32, <name>_f64 for F64 (the backend accepts only these). The
// forward only compares and copies, so both are exact; the backward adds with atomicAdd of T.
#include "common.cuh"

// Max pooling over compact [n*c planes, h, w]; indices are flat within a plane (ih*w + iw).
// The scan order and the comparison (v > best || v is NaN) are those of the CPU kernel, so the
// same index is chosen on ties and NaNs.
template <typename T>
__device__ void maxpool2d(const T* x, T* y, int* idx, int planes, int h, int w, int oh, int ow, int kh, int kw, int sh,
                          int sw, int ph, int pw, int dh, int dw) {
    int total = planes * oh * ow;
    WP_LOOP(e, total) {
        int q = e % ow, r = (e / ow) % oh, pl = e / (oh * ow);
        int ih0 = r * sh - ph, ih1 = min(ih0 + (kh - 1) * dh + 1, h);
        while (ih0 < 0) ih0 += dh;
        int iw0 = q * sw - pw, iw1 = min(iw0 + (kw - 1) * dw + 1, w);
        while (iw0 < 0) iw0 += dw;
        int bi = ih0 * w + iw0;
        T best = T(-INFINITY);
        const T* xp = x + (size_t)pl * h * w;
        for (int ih = ih0; ih < ih1; ih += dh)
            for (int iw = iw0; iw < iw1; iw += dw) {
                T v = xp[ih * w + iw];
                if (v > best || v != v) { best = v; bi = ih * w + iw; }
            }
        y[e] = best;
        idx[e] = bi;
    }
}

// dx (zeroed by the caller) [plane, idx] += dy; overlapping windows make the accumulation order (and
// so the last bit) nondeterministic.
template <typename T>
__device__ void maxpool2d_backward(const T* dy, const int* idx, T* dx, int planes, int hw, int ohw) {
    int total = planes * ohw;
    WP_LOOP(e, total) atomicAdd(dx + (size_t)(e / ohw) * hw + idx[e], dy[e]);
}

extern "C" __global__ void wp_maxpool2d_f32(const float* x, float* y, int* idx, int planes, int h, int w, int oh, int ow,
                                            int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    maxpool2d<float>(x, y, idx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
}

extern "C" __global__ void wp_maxpool2d_backward_f32(const float* dy, const int* idx, float* dx, int planes, int hw, int ohw) {
    maxpool2d_backward<float>(dy, idx, dx, planes, hw, ohw);
}

extern "C" __global__ void wp_maxpool2d_f64(const double* x, double* y, int* idx, int planes, int h, int w, int oh, int ow,
                                            int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
    maxpool2d<double>(x, y, idx, planes, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
}

extern "C" __global__ void wp_maxpool2d_backward_f64(const double* dy, const int* idx, double* dx, int planes, int hw,
                                                     int ohw) {
    maxpool2d_backward<double>(dy, idx, dx, planes, hw, ohw);
}
