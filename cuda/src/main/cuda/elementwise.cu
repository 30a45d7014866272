// Elementwise kernels over strided layouts (stride 0 = broadcast), one instance per compute type:
// <name>_f64 computes in double (any operand F64 or I32: exact for every int), <name>_f32 in float (F32,
// BF16, F16 and U8 operands only); values are rounded once when stored. KernelCalls.computeType picks.
// Op codes are the ordinals of org.wpunet.core.UnaryOp / BinaryOp, named in kernel_codes.cuh.
// Contiguous fast path: the host passes contiguous = 1 when every operand's coalesced layout is dense
// (rank 0, or rank 1 with stride 1: Launch.isDense), and element i is then at offset + i, with no
// lay_offset at all; each kernel body is instantiated for both cases (K = true / false).
#include "common.cuh"

// The storage index of element i of an operand: offset + i on the contiguous path, else lay_offset.
template <bool K>
__device__ __forceinline__ int at(const Lay& l, int i) { return K ? l.offset + i : lay_offset(l, i); }

template <typename C>
__device__ __forceinline__ C unary_apply(int op, C x) {
    const C zero = C(0), one = C(1);
    switch (op) {
        case WP_UNARY_NEG: return -x;
        case WP_UNARY_ABS: return fabs(x);
        case WP_UNARY_EXP: return exp(x);
        case WP_UNARY_LOG: return log(x);
        case WP_UNARY_SQRT: return sqrt(x);
        case WP_UNARY_RELU: return (x > zero || x != x) ? x : zero;  // NaN kept
        case WP_UNARY_SIGMOID: return x >= zero ? one / (one + exp(-x)) : exp(x) / (one + exp(x));  // stable both ways
        case WP_UNARY_TANH: return tanh(x);
        case WP_UNARY_SIGN: return x > zero ? one : (x < zero ? -one : x);  // signum keeps 0, -0 and NaN
        case WP_UNARY_SQUARE: return x * x;
        case WP_UNARY_RECIPROCAL: return one / x;
        default: return C(NAN);  // not an op code
    }
}

template <typename C>
__device__ __forceinline__ C binary_apply(int op, C a, C b) {
    const C zero = C(0), one = C(1);
    switch (op) {
        case WP_BINARY_ADD: return a + b;
        case WP_BINARY_SUB: return a - b;
        case WP_BINARY_MUL: return a * b;
        case WP_BINARY_DIV: return a / b;
        case WP_BINARY_POW: return pow(a, b);
        case WP_BINARY_MAXIMUM: return (a != a || b != b) ? (a + b) : fmax(a, b);  // NaN propagates
        case WP_BINARY_MINIMUM: return (a != a || b != b) ? (a + b) : fmin(a, b);  // NaN propagates
        case WP_BINARY_EQ: return a == b ? one : zero;
        case WP_BINARY_NE: return a != b ? one : zero;
        case WP_BINARY_LT: return a < b ? one : zero;
        case WP_BINARY_LE: return a <= b ? one : zero;
        case WP_BINARY_GT: return a > b ? one : zero;
        case WP_BINARY_GE: return a >= b ? one : zero;
        default: return C(NAN);  // not an op code
    }
}

template <typename C, bool K>
__device__ void unary_kernel(int op, const void* x, int xdt, const Lay& lx, void* y, int ydt, int n) {
    WP_LOOP(i, n) stc<C>(y, ydt, i, unary_apply<C>(op, ldc<C>(x, xdt, at<K>(lx, i))));
}

template <typename C, bool K>
__device__ void binary_kernel(int op, const void* a, int adt, const Lay& la, const void* b, int bdt, const Lay& lb,
                              void* y, int ydt, int n) {
    WP_LOOP(i, n) stc<C>(y, ydt, i, binary_apply<C>(op, ldc<C>(a, adt, at<K>(la, i)), ldc<C>(b, bdt, at<K>(lb, i))));
}

template <typename C, bool K>
__device__ void binary_scalar_kernel(int op, const void* x, int xdt, const Lay& lx, double c, int scalarFirst, void* y,
                                     int ydt, int n) {
    C s = C(c);
    WP_LOOP(i, n) {
        C v = ldc<C>(x, xdt, at<K>(lx, i));
        stc<C>(y, ydt, i, scalarFirst ? binary_apply<C>(op, s, v) : binary_apply<C>(op, v, s));
    }
}

template <typename C, bool K>
__device__ void where_kernel(const void* c, int cdt, const Lay& lc, const void* a, int adt, const Lay& la, const void* b,
                             int bdt, const Lay& lb, void* y, int ydt, int n) {
    WP_LOOP(i, n) {
        bool t = ldc<C>(c, cdt, at<K>(lc, i)) != C(0);
        stc<C>(y, ydt, i, t ? ldc<C>(a, adt, at<K>(la, i)) : ldc<C>(b, bdt, at<K>(lb, i)));
    }
}

// min(max(x, lo), hi) with NaN passed through, in the input dtype.
template <typename C, bool K>
__device__ void clamp_kernel(const void* x, int dt, const Lay& lx, double lo, double hi, void* y, int n) {
    C l = C(lo), h = C(hi);
    WP_LOOP(i, n) {
        C v = ldc<C>(x, dt, at<K>(lx, i));
        stc<C>(y, dt, i, v != v ? v : fmin(fmax(v, l), h));
    }
}

// dst[ld] = src[ls] (accumulate = 0) or dst[ld] += src[ls]; converts dtypes. Concat and slice
// assignment are this copy into a narrowed destination layout.
template <typename C, bool K>
__device__ void copy_kernel(const void* src, int sdt, const Lay& ls, void* dst, int ddt, const Lay& ldst, int accumulate, int n) {
    WP_LOOP(i, n) {
        int od = at<K>(ldst, i);
        C v = ldc<C>(src, sdt, at<K>(ls, i));
        stc<C>(dst, ddt, od, accumulate ? ldc<C>(dst, ddt, od) + v : v);
    }
}

template <typename C>
__device__ void fill_kernel(void* y, int dt, double v, int n) {
    C c = C(v);
    WP_LOOP(i, n) stc<C>(y, dt, i, c);
}

// The entry points: one per kernel and compute type (f32 = float, f64 = double), written out so that
// KernelAbiTest and CudaPtxTest can read their signatures.
extern "C" __global__ void wp_unary_f32(int op, const void* x, int xdt, Lay lx, void* y, int ydt, int contiguous, int n) {
    if (contiguous) unary_kernel<float, true>(op, x, xdt, lx, y, ydt, n);
    else unary_kernel<float, false>(op, x, xdt, lx, y, ydt, n);
}

extern "C" __global__ void wp_binary_f32(int op, const void* a, int adt, Lay la, const void* b, int bdt, Lay lb,
                                         void* y, int ydt, int contiguous, int n) {
    if (contiguous) binary_kernel<float, true>(op, a, adt, la, b, bdt, lb, y, ydt, n);
    else binary_kernel<float, false>(op, a, adt, la, b, bdt, lb, y, ydt, n);
}

extern "C" __global__ void wp_binary_scalar_f32(int op, const void* x, int xdt, Lay lx, double c,
                                                int scalarFirst, void* y, int ydt, int contiguous, int n) {
    if (contiguous) binary_scalar_kernel<float, true>(op, x, xdt, lx, c, scalarFirst, y, ydt, n);
    else binary_scalar_kernel<float, false>(op, x, xdt, lx, c, scalarFirst, y, ydt, n);
}

extern "C" __global__ void wp_where_f32(const void* c, int cdt, Lay lc, const void* a, int adt, Lay la,
                                        const void* b, int bdt, Lay lb, void* y, int ydt, int contiguous, int n) {
    if (contiguous) where_kernel<float, true>(c, cdt, lc, a, adt, la, b, bdt, lb, y, ydt, n);
    else where_kernel<float, false>(c, cdt, lc, a, adt, la, b, bdt, lb, y, ydt, n);
}

extern "C" __global__ void wp_clamp_f32(const void* x, int dt, Lay lx, double lo, double hi, void* y, int contiguous, int n) {
    if (contiguous) clamp_kernel<float, true>(x, dt, lx, lo, hi, y, n);
    else clamp_kernel<float, false>(x, dt, lx, lo, hi, y, n);
}

extern "C" __global__ void wp_copy_f32(const void* src, int sdt, Lay ls, void* dst, int ddt, Lay ldst,
                                       int accumulate, int contiguous, int n) {
    if (contiguous) copy_kernel<float, true>(src, sdt, ls, dst, ddt, ldst, accumulate, n);
    else copy_kernel<float, false>(src, sdt, ls, dst, ddt, ldst, accumulate, n);
}

extern "C" __global__ void wp_fill_f32(void* y, int dt, double v, int n) {
    fill_kernel<float>(y, dt, v, n);
}

extern "C" __global__ void wp_unary_f64(int op, const void* x, int xdt, Lay lx, void* y, int ydt, int contiguous, int n) {
    if (contiguous) unary_kernel<double, true>(op, x, xdt, lx, y, ydt, n);
    else unary_kernel<double, false>(op, x, xdt, lx, y, ydt, n);
}

extern "C" __global__ void wp_binary_f64(int op, const void* a, int adt, Lay la, const void* b, int bdt, Lay lb,
                                         void* y, int ydt, int contiguous, int n) {
    if (contiguous) binary_kernel<double, true>(op, a, adt, la, b, bdt, lb, y, ydt, n);
    else binary_kernel<double, false>(op, a, adt, la, b, bdt, lb, y, ydt, n);
}

extern "C" __global__ void wp_binary_scalar_f64(int op, const void* x, int xdt, Lay lx, double c,
                                                int scalarFirst, void* y, int ydt, int contiguous, int n) {
    if (contiguous) binary_scalar_kernel<double, true>(op, x, xdt, lx, c, scalarFirst, y, ydt, n);
    else binary_scalar_kernel<double, false>(op, x, xdt, lx, c, scalarFirst, y, ydt, n);
}

extern "C" __global__ void wp_where_f64(const void* c, int cdt, Lay lc, const void* a, int adt, Lay la,
                                        const void* b, int bdt, Lay lb, void* y, int ydt, int contiguous, int n) {
    if (contiguous) where_kernel<double, true>(c, cdt, lc, a, adt, la, b, bdt, lb, y, ydt, n);
    else where_kernel<double, false>(c, cdt, lc, a, adt, la, b, bdt, lb, y, ydt, n);
}

extern "C" __global__ void wp_clamp_f64(const void* x, int dt, Lay lx, double lo, double hi, void* y, int contiguous, int n) {
    if (contiguous) clamp_kernel<double, true>(x, dt, lx, lo, hi, y, n);
    else clamp_kernel<double, false>(x, dt, lx, lo, hi, y, n);
}

extern "C" __global__ void wp_copy_f64(const void* src, int sdt, Lay ls, void* dst, int ddt, Lay ldst,
                                       int accumulate, int contiguous, int n) {
    if (contiguous) copy_kernel<double, true>(src, sdt, ls, dst, ddt, ldst, accumulate, n);
    else copy_kernel<double, false>(src, sdt, ls, dst, ddt, ldst, accumulate, n);
}

extern "C" __global__ void wp_fill_f64(void* y, int dt, double v, int n) {
    fill_kernel<double>(y, dt, v, n);
}
