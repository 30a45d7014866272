// Elementwise kernels over strided layouts (stride 0 = broadcast). Values are computed in double and
// stored in the output dtype, which reproduces the CPU backend's double path; op codes are the
// ordinals of org.wpunet.core.UnaryOp / BinaryOp, named in kernel_codes.cuh.
#include "common.cuh"

__device__ __forceinline__ double unary_apply(int op, double x) {
    switch (op) {
        case WP_UNARY_NEG: return -x;
        case WP_UNARY_ABS: return fabs(x);
        case WP_UNARY_EXP: return exp(x);
        case WP_UNARY_LOG: return log(x);
        case WP_UNARY_SQRT: return sqrt(x);
        case WP_UNARY_RELU: return (x > 0 || x != x) ? x : 0.0;  // NaN kept
        case WP_UNARY_SIGMOID: return x >= 0 ? 1.0 / (1.0 + exp(-x)) : exp(x) / (1.0 + exp(x));  // stable both ways
        case WP_UNARY_TANH: return tanh(x);
        case WP_UNARY_SIGN: return x > 0 ? 1.0 : (x < 0 ? -1.0 : x);  // signum keeps 0, -0 and NaN
        case WP_UNARY_SQUARE: return x * x;
        case WP_UNARY_RECIPROCAL: return 1.0 / x;
        default: return __longlong_as_double(0x7ff8000000000000ll);  // not an op code: NaN
    }
}

__device__ __forceinline__ double binary_apply(int op, double a, double b) {
    switch (op) {
        case WP_BINARY_ADD: return a + b;
        case WP_BINARY_SUB: return a - b;
        case WP_BINARY_MUL: return a * b;
        case WP_BINARY_DIV: return a / b;
        case WP_BINARY_POW: return pow(a, b);
        case WP_BINARY_MAXIMUM: return (a != a || b != b) ? (a + b) : fmax(a, b);  // NaN propagates
        case WP_BINARY_MINIMUM: return (a != a || b != b) ? (a + b) : fmin(a, b);  // NaN propagates
        case WP_BINARY_EQ: return a == b ? 1.0 : 0.0;
        case WP_BINARY_NE: return a != b ? 1.0 : 0.0;
        case WP_BINARY_LT: return a < b ? 1.0 : 0.0;
        case WP_BINARY_LE: return a <= b ? 1.0 : 0.0;
        case WP_BINARY_GT: return a > b ? 1.0 : 0.0;
        case WP_BINARY_GE: return a >= b ? 1.0 : 0.0;
        default: return __longlong_as_double(0x7ff8000000000000ll);  // not an op code: NaN
    }
}

extern "C" __global__ void wp_unary(int op, const void* x, int xdt, Lay lx, void* y, int ydt, int n) {
    WP_LOOP(i, n) st(y, ydt, i, unary_apply(op, ld(x, xdt, lay_offset(lx, i))));
}

extern "C" __global__ void wp_binary(int op, const void* a, int adt, Lay la, const void* b, int bdt, Lay lb,
                                     void* y, int ydt, int n) {
    WP_LOOP(i, n) st(y, ydt, i, binary_apply(op, ld(a, adt, lay_offset(la, i)), ld(b, bdt, lay_offset(lb, i))));
}

extern "C" __global__ void wp_binary_scalar(int op, const void* x, int xdt, Lay lx, double c, int scalarFirst,
                                            void* y, int ydt, int n) {
    WP_LOOP(i, n) {
        double v = ld(x, xdt, lay_offset(lx, i));
        st(y, ydt, i, scalarFirst ? binary_apply(op, c, v) : binary_apply(op, v, c));
    }
}

extern "C" __global__ void wp_where(const void* c, int cdt, Lay lc, const void* a, int adt, Lay la,
                                    const void* b, int bdt, Lay lb, void* y, int ydt, int n) {
    WP_LOOP(i, n) {
        bool t = ld(c, cdt, lay_offset(lc, i)) != 0.0;
        st(y, ydt, i, t ? ld(a, adt, lay_offset(la, i)) : ld(b, bdt, lay_offset(lb, i)));
    }
}

// min(max(x, lo), hi) with NaN passed through, in the input dtype.
extern "C" __global__ void wp_clamp(const void* x, int dt, Lay lx, double lo, double hi, void* y, int n) {
    WP_LOOP(i, n) {
        double v = ld(x, dt, lay_offset(lx, i));
        st(y, dt, i, v != v ? v : fmin(fmax(v, lo), hi));
    }
}

// dst[ld] = src[ls] (accumulate = 0) or dst[ld] += src[ls]; converts dtypes. Concat and slice
// assignment are this copy into a narrowed destination layout.
extern "C" __global__ void wp_copy(const void* src, int sdt, Lay ls, void* dst, int ddt, Lay ldst, int accumulate, int n) {
    WP_LOOP(i, n) {
        int od = lay_offset(ldst, i);
        double v = ld(src, sdt, lay_offset(ls, i));
        st(dst, ddt, od, accumulate ? ld(dst, ddt, od) + v : v);
    }
}

extern "C" __global__ void wp_fill(void* y, int dt, double v, int n) {
    WP_LOOP(i, n) st(y, dt, i, v);
}
