// Reductions (one block per output element, fixed-shape tree: deterministic) and softmax.
// Op codes are org.wpunet.core.ReduceOp ordinals, named in kernel_codes.cuh.
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
// One block per (output, chunk): with chunks > 1 block b reduces the chunk b % chunks of output
// b / chunks into y[b] (F64 partials) and, for MAX/MIN/ARG*, the index of its winner into yi[b]; a
// second launch combines the partials in chunk order (wp_reduce with SUM, or wp_reduce_pairs), so the
// result does not depend on scheduling. yi is null for sums and single-pass launches.
extern "C" __global__ void wp_reduce(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, int chunks, void* y, int ydt,
                                     int* yi) {
    __shared__ double sv[WP_RED_THREADS];
    __shared__ int si[WP_RED_THREADS];
    int o = blockIdx.x / chunks, ck = blockIdx.x - o * chunks;
    int base = lay_offset(lk, o);
    int t = threadIdx.x;
    int from = (int)((long long)inner * ck / chunks), to = (int)((long long)inner * (ck + 1) / chunks);
    if (op == WP_REDUCE_SUM || op == WP_REDUCE_SUM_SQUARES) {
        double acc = 0;
        for (int j = from + t; j < to; j += blockDim.x) {
            double v = ld(x, xdt, base + lay_offset(lr, j));
            acc += op == WP_REDUCE_SUM_SQUARES ? v * v : v;
        }
        sv[t] = acc;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s) sv[t] += sv[t + s];
            __syncthreads();
        }
        if (t == 0) st(y, ydt, blockIdx.x, sv[0]);
        return;
    }
    bool isMax = (op == WP_REDUCE_MAX || op == WP_REDUCE_ARGMAX);
    Acc a; a.v = isMax ? -INFINITY : INFINITY; a.i = -1;
    for (int j = from + t; j < to; j += blockDim.x) {
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
    if (t != 0) return;
    if (chunks == 1) {
        st(y, ydt, o, (op == WP_REDUCE_ARGMAX || op == WP_REDUCE_ARGMIN) ? (double)si[0] : sv[0]);
    } else {
        ((double*)y)[blockIdx.x] = sv[0];
        yi[blockIdx.x] = si[0];
    }
}

// Second pass of a chunked MAX/MIN/ARGMAX/ARGMIN: one thread per output combines its chunks' (value,
// index) partials in chunk order (index -1 = empty chunk), so ties and NaNs pick what one pass picks.
extern "C" __global__ void wp_reduce_pairs(int op, const double* pv, const int* pi, int chunks, int outN, void* y, int ydt) {
    WP_LOOP(o, outN) {
        bool isMax = (op == WP_REDUCE_MAX || op == WP_REDUCE_ARGMAX);
        Acc a; a.v = isMax ? -INFINITY : INFINITY; a.i = -1;
        for (int c = 0; c < chunks; ++c) {
            Acc b; b.v = pv[(size_t)o * chunks + c]; b.i = pi[(size_t)o * chunks + c];
            a = combine(isMax, a, b);
        }
        st(y, ydt, o, (op == WP_REDUCE_ARGMAX || op == WP_REDUCE_ARGMIN) ? (double)a.i : a.v);
    }
}

// Short reductions (inner <= 32, e.g. argmax over 2 classes per pixel): one thread per output, the
// inner elements scanned in order (so ties and NaNs pick what the block kernel and the CPU pick).
extern "C" __global__ void wp_reduce_rows(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, int outN, void* y, int ydt) {
    WP_LOOP(o, outN) {
        int base = lay_offset(lk, o);
        if (op == WP_REDUCE_SUM || op == WP_REDUCE_SUM_SQUARES) {
            double acc = 0;
            for (int j = 0; j < inner; ++j) {
                double v = ld(x, xdt, base + lay_offset(lr, j));
                acc += op == WP_REDUCE_SUM_SQUARES ? v * v : v;
            }
            st(y, ydt, o, acc);
        } else {
            bool isMax = (op == WP_REDUCE_MAX || op == WP_REDUCE_ARGMAX);
            Acc a; a.v = isMax ? -INFINITY : INFINITY; a.i = -1;
            for (int j = 0; j < inner; ++j) {
                Acc b; b.v = ld(x, xdt, base + lay_offset(lr, j)); b.i = j;
                a = combine(isMax, a, b);
            }
            st(y, ydt, o, (op == WP_REDUCE_ARGMAX || op == WP_REDUCE_ARGMIN) ? (double)a.i : a.v);
        }
    }
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

// (log-)softmax over a short middle dim (n <= 32, e.g. 2 classes per pixel): one thread per row.
extern "C" __global__ void wp_softmax_rows(const void* x, int dt, void* y, int n, int inner, int rows, int logMode) {
    WP_LOOP(r, rows) {
        int base = (r / inner) * n * inner + r % inner;
        double m = -INFINITY;
        for (int j = 0; j < n; ++j) m = fmax(m, ld(x, dt, base + j * inner));
        double s = 0;
        for (int j = 0; j < n; ++j) s += exp(ld(x, dt, base + j * inner) - m);
        double lse = m + log(s), inv = 1.0 / s;
        for (int j = 0; j < n; ++j) {
            double v = ld(x, dt, base + j * inner);
            st(y, dt, base + j * inner, logMode ? v - lse : exp(v - m) * inv);
        }
    }
}
