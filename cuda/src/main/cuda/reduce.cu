// Reductions (one block per output element, fixed-shape tree: deterministic) and softmax.
// Op codes are org.wpunet.core.ReduceOp ordinals: SUM=0, MAX=1, MIN=2, ARGMAX=3, ARGMIN=4.
#include "common.cuh"

#define WP_RED_THREADS 256

// {value, index} partial result; index -1 marks "empty" (the op's identity).
struct Acc { double v; int i; };

// Combines two partials of MAX/MIN/ARG*: NaN wins (the smallest index among NaNs, as the CPU's
// first-NaN scan), ties keep the smaller index (first hit).
__device__ __forceinline__ Acc combine(bool isMax, Acc a, Acc b) {
    if (a.i < 0) return b;
    if (b.i < 0) return a;
    bool an = a.v != a.v, bn = b.v != b.v;
    if (an || bn) {
        if (an && bn) return a.i <= b.i ? a : b;
        return an ? a : b;
    }
    if (a.v == b.v) return a.i <= b.i ? a : b;
    return (isMax ? b.v > a.v : b.v < a.v) ? b : a;
}

// Reduces the dims of `lr` (shape/strides of the reduced sub-space, offset 0) for each element of
// the kept sub-space `lk` (carrying the input's offset). `inner` = numel of lr.
extern "C" __global__ void wp_reduce(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, void* y, int ydt) {
    __shared__ double sv[WP_RED_THREADS];
    __shared__ int si[WP_RED_THREADS];
    int o = blockIdx.x;
    int base = lay_offset(lk, o);
    int t = threadIdx.x;
    if (op == 0) {
        double acc = 0;
        for (int j = t; j < inner; j += blockDim.x) acc += ld(x, xdt, base + lay_offset(lr, j));
        sv[t] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s) sv[t] += sv[t + s];
            __syncthreads();
        }
        if (t == 0) st(y, ydt, o, sv[0]);
        return;
    }
    bool isMax = (op == 1 || op == 3);
    Acc a; a.v = isMax ? -INFINITY : INFINITY; a.i = -1;
    for (int j = t; j < inner; j += blockDim.x) {
        Acc b; b.v = ld(x, xdt, base + lay_offset(lr, j)); b.i = j;
        a = combine(isMax, a, b);
    }
    sv[t] = a.v; si[t] = a.i;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) {
            Acc p; p.v = sv[t]; p.i = si[t];
            Acc q; q.v = sv[t + s]; q.i = si[t + s];
            Acc r = combine(isMax, p, q);
            sv[t] = r.v; si[t] = r.i;
        }
        __syncthreads();
    }
    if (t == 0) st(y, ydt, o, op >= 3 ? (double)si[0] : sv[0]);
}

// Block-wide max and sum in double, result broadcast to every thread.
__device__ double block_max(double v, double* sh) {
    int t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] = fmax(sh[t], sh[t + s]);
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

__device__ double block_sum(double v, double* sh) {
    int t = threadIdx.x;
    sh[t] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) sh[t] += sh[t + s];
        __syncthreads();
    }
    double r = sh[0];
    __syncthreads();
    return r;
}

// (log-)softmax over the middle dim of a compact [outer, n, inner] tensor, one block per row
// r = (o, k): y = x - m - log(sum exp(x - m)) (log) or exp(x - m) / sum exp(x - m), m = row max.
extern "C" __global__ void wp_softmax(const void* x, int dt, void* y, int n, int inner, int logMode) {
    __shared__ double sh[WP_RED_THREADS];
    int r = blockIdx.x;
    int base = (r / inner) * n * inner + r % inner;
    double m = -INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) m = fmax(m, ld(x, dt, base + j * inner));
    m = block_max(m, sh);
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += exp(ld(x, dt, base + j * inner) - m);
    s = block_sum(s, sh);
    double lse = m + log(s), inv = 1.0 / s;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double v = ld(x, dt, base + j * inner);
        st(y, dt, base + j * inner, logMode ? v - lse : exp(v - m) * inv);
    }
}

// Sum of squares of a compact F32 vector into out[blockIdx.x] (one partial per block; the host
// sums the partials in double): the global gradient norm is sqrt of the sum over all parameters.
extern "C" __global__ void wp_sumsq_f32(const float* x, int n, double* partial) {
    __shared__ double sh[WP_RED_THREADS];
    double acc = 0;
    WP_LOOP(i, n) { double v = x[i]; acc += v * v; }
    double s = block_sum(acc, sh);
    if (threadIdx.x == 0) partial[blockIdx.x] = s;
}
