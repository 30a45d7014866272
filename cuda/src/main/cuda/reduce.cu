// Reductions (one block per output element or (output, chunk), fixed-shape tree: deterministic) and
// softmax, one instance per compute type C like elementwise.cu: <name>_f32 accumulates in float (F32,
// BF16, F16 and U8 data), <name>_f64 in double (F64 or I32 data, or an F64 result); KernelCalls picks.
// Op codes are org.wpunet.core.ReduceOp ordinals, named in kernel_codes.cuh.
//
// Accuracy of float sums (PyTorch's CUDA reductions sum float in float the same way: per-thread float
// accumulators, then a tree across warps and the block, and a second pass over per-block partials):
// thread t adds elements t, t + 256, ... of its block's range serially (m = ceil(len / 256) terms), a
// shuffle tree in each warp (5 levels) and one across the 8 warps (3 levels) combine the 256 sums. With
// u = 2^-24 the error is at most ~(m - 1 + 8) u sum|x|; a long reduction with few outputs is cut into
// chunks of ~KernelCalls.CHUNK_INNER (m <= 256) whose partials a second launch adds the same way (another
// ~(ceil(chunks / 256) + 8) u sum|x|). Rounding errors of random sign grow like the square root of
// that: a float sum of 10^7 elements is good to ~17 u sum|x| typically, <= 290 u sum|x| at worst, where
// one serial float loop may be off by 10^7 u sum|x| (KernelComputeTypeTest checks a 2^20 row).
// Max/min/arg* only compare: exact in either type. KernelCalls launches SUM_SQUARES as _f64 always
// (Tensor.sumSquares promises double accumulation on every backend).
#include "common.cuh"

#define WP_RED_THREADS 256
#define WP_RED_WARPS (WP_RED_THREADS / 32)

// {value, index} partial result; index -1 marks "empty" (the op's identity).
template <typename C> struct Acc { C v; int i; };

// Combines two partials of MAX/MIN/ARG*: NaN wins (the smallest index among NaNs, as the CPU's
// first-NaN scan), ties keep the smaller index (first hit).
template <typename C>
__device__ __forceinline__ Acc<C> combine(bool isMax, Acc<C> a, Acc<C> b) {
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

__device__ __forceinline__ bool is_sum(int op) { return op == WP_REDUCE_SUM || op == WP_REDUCE_SUM_SQUARES; }
__device__ __forceinline__ bool is_max(int op) { return op == WP_REDUCE_MAX || op == WP_REDUCE_ARGMAX; }
__device__ __forceinline__ bool is_arg(int op) { return op == WP_REDUCE_ARGMAX || op == WP_REDUCE_ARGMIN; }

// The block's WP_RED_THREADS values combined by a fixed tree, the result in thread 0: within each warp
// lane l takes lane l + off for off = 16, 8, 4, 2, 1 (shuffles), then warp 0 does the same over the
// WP_RED_WARPS warp results (off = 4, 2, 1). sh holds WP_RED_WARPS values. KernelEmulator.blockTree
// transcribes this order.
template <typename C>
__device__ __forceinline__ C block_sum_tree(C v, C* sh) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    if (lane == 0) sh[w] = v;
    __syncthreads();
    if (w == 0) {
        v = sh[lane < WP_RED_WARPS ? lane : 0];  // lanes >= WP_RED_WARPS never reach lane 0
#pragma unroll
        for (int off = WP_RED_WARPS / 2; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
    }
    return v;
}

template <typename C>
__device__ __forceinline__ Acc<C> block_pair_tree(bool isMax, Acc<C> a, C* shv, int* shi) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) {
        Acc<C> b; b.v = __shfl_down_sync(0xffffffffu, a.v, off); b.i = __shfl_down_sync(0xffffffffu, a.i, off);
        a = combine<C>(isMax, a, b);  // lanes >= 32 - off get their own value back: a no-op
    }
    if (lane == 0) { shv[w] = a.v; shi[w] = a.i; }
    __syncthreads();
    if (w == 0) {
        int k = lane < WP_RED_WARPS ? lane : 0;
        a.v = shv[k]; a.i = shi[k];
#pragma unroll
        for (int off = WP_RED_WARPS / 2; off > 0; off >>= 1) {
            Acc<C> b; b.v = __shfl_down_sync(0xffffffffu, a.v, off); b.i = __shfl_down_sync(0xffffffffu, a.i, off);
            a = combine<C>(isMax, a, b);
        }
    }
    return a;
}

// Reduces the dims of `lr` (shape/strides of the reduced sub-space, offset 0) for each element of
// the kept sub-space `lk` (carrying the input's offset). `inner` = numel of lr.
// One block per (output, chunk): with chunks > 1 block b reduces the chunk b % chunks of output
// b / chunks into y[b] (partials of the compute type: F32 or F64) and, for MAX/MIN/ARG*, the index of
// its winner into yi[b]; a second launch combines the partials in chunk order (wp_reduce with SUM, or
// wp_reduce_pairs), so the result does not depend on scheduling. yi is null for sums and single-pass
// launches. Indices are stored from the int (exact beyond 2^24).
template <typename C>
__device__ void reduce_blocks(int op, const void* x, int xdt, const Lay& lk, const Lay& lr, int inner, int chunks,
                              void* y, int ydt, int* yi) {
    __shared__ C sv[WP_RED_WARPS];
    __shared__ int si[WP_RED_WARPS];
    int o = blockIdx.x / chunks, ck = blockIdx.x - o * chunks;
    int base = lay_offset(lk, o);
    int t = threadIdx.x;
    int from = (int)((long long)inner * ck / chunks), to = (int)((long long)inner * (ck + 1) / chunks);
    if (is_sum(op)) {
        C acc = C(0);
        for (int j = from + t; j < to; j += blockDim.x) {
            C v = ldc<C>(x, xdt, base + lay_offset(lr, j));
            acc += op == WP_REDUCE_SUM_SQUARES ? v * v : v;
        }
        acc = block_sum_tree<C>(acc, sv);
        if (t == 0) stc<C>(y, ydt, blockIdx.x, acc);
        return;
    }
    bool isMax = is_max(op);
    Acc<C> a; a.v = isMax ? C(-INFINITY) : C(INFINITY); a.i = -1;  // empty: the identity
    for (int j = from + t; j < to; j += blockDim.x) {
        Acc<C> b; b.v = ldc<C>(x, xdt, base + lay_offset(lr, j)); b.i = j;
        a = combine<C>(isMax, a, b);
    }
    a = block_pair_tree<C>(isMax, a, sv, si);
    if (t != 0) return;
    if (chunks > 1) {
        stc<C>(y, ydt, blockIdx.x, a.v);
        yi[blockIdx.x] = a.i;
    } else if (is_arg(op)) {
        st(y, ydt, o, (double)a.i);
    } else {
        stc<C>(y, ydt, o, a.v);
    }
}

// Second pass of a chunked MAX/MIN/ARGMAX/ARGMIN: one thread per output combines its chunks' (value,
// index) partials in chunk order (index -1 = empty chunk), so ties and NaNs pick what one pass picks.
template <typename C>
__device__ void reduce_pairs(int op, const C* pv, const int* pi, int chunks, int outN, void* y, int ydt) {
    bool isMax = is_max(op);
    WP_LOOP(o, outN) {
        Acc<C> a; a.v = isMax ? C(-INFINITY) : C(INFINITY); a.i = -1;  // empty: the identity
        for (int c = 0; c < chunks; ++c) {
            Acc<C> b; b.v = pv[(size_t)o * chunks + c]; b.i = pi[(size_t)o * chunks + c];
            a = combine<C>(isMax, a, b);
        }
        if (is_arg(op)) st(y, ydt, o, (double)a.i); else stc<C>(y, ydt, o, a.v);
    }
}

// Short reductions (inner <= 32, e.g. argmax over 2 classes per pixel): one thread per output, the
// inner elements scanned in order (so ties and NaNs pick what the block kernel and the CPU pick).
template <typename C>
__device__ void reduce_rows(int op, const void* x, int xdt, const Lay& lk, const Lay& lr, int inner, int outN, void* y,
                            int ydt) {
    WP_LOOP(o, outN) {
        int base = lay_offset(lk, o);
        if (is_sum(op)) {
            C acc = C(0);
            for (int j = 0; j < inner; ++j) {
                C v = ldc<C>(x, xdt, base + lay_offset(lr, j));
                acc += op == WP_REDUCE_SUM_SQUARES ? v * v : v;
            }
            stc<C>(y, ydt, o, acc);
        } else {
            bool isMax = is_max(op);
            Acc<C> a; a.v = isMax ? C(-INFINITY) : C(INFINITY); a.i = -1;  // empty: the identity
            for (int j = 0; j < inner; ++j) {
                Acc<C> b; b.v = ldc<C>(x, xdt, base + lay_offset(lr, j)); b.i = j;
                a = combine<C>(isMax, a, b);
            }
            if (is_arg(op)) st(y, ydt, o, (double)a.i); else stc<C>(y, ydt, o, a.v);
        }
    }
}

// Block-wide max (NaN-dropping fmax, as before) and sum of the compute type, broadcast to every thread.
template <typename C>
__device__ C block_max(C v, C* sh) {
    int lane = threadIdx.x & 31, w = threadIdx.x >> 5;
#pragma unroll
    for (int off = 16; off > 0; off >>= 1) v = fmax(v, __shfl_down_sync(0xffffffffu, v, off));
    if (lane == 0) sh[w] = v;
    __syncthreads();
    if (w == 0) {
        v = sh[lane < WP_RED_WARPS ? lane : 0];
#pragma unroll
        for (int off = WP_RED_WARPS / 2; off > 0; off >>= 1) v = fmax(v, __shfl_down_sync(0xffffffffu, v, off));
        if (lane == 0) sh[WP_RED_WARPS] = v;
    }
    __syncthreads();
    return sh[WP_RED_WARPS];
}

template <typename C>
__device__ C block_sum(C v, C* sh) {
    v = block_sum_tree<C>(v, sh);
    if (threadIdx.x == 0) sh[WP_RED_WARPS] = v;
    __syncthreads();
    return sh[WP_RED_WARPS];
}

// (log-)softmax over the middle dim of a compact [outer, n, inner] tensor of T = C (F32 or F64), one block
// per row r = (o, k): y = (x - m) - log(sum exp(x - m)) (log; both terms are rounded separately, so no
// cancellation against a large m) or exp(x - m) * (1 / sum exp(x - m)), m = row max.
template <typename C>
__device__ void softmax_block(const C* x, C* y, int n, int inner, int logMode) {
    __shared__ C sh[WP_RED_WARPS + 1];
    int r = blockIdx.x;
    size_t base = (size_t)(r / inner) * n * inner + r % inner;
    C m = C(-INFINITY);
    for (int j = threadIdx.x; j < n; j += blockDim.x) m = fmax(m, x[base + (size_t)j * inner]);
    m = block_max<C>(m, sh);
    C s = C(0);
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += exp(x[base + (size_t)j * inner] - m);
    s = block_sum<C>(s, sh);
    C ls = log(s), inv = C(1) / s;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        C d = x[base + (size_t)j * inner] - m;
        y[base + (size_t)j * inner] = logMode ? d - ls : exp(d) * inv;
    }
}

// (log-)softmax over a short middle dim (n <= 32, e.g. 2 classes per pixel): one thread per row.
template <typename C>
__device__ void softmax_rows(const C* x, C* y, int n, int inner, int rows, int logMode) {
    WP_LOOP(r, rows) {
        size_t base = (size_t)(r / inner) * n * inner + r % inner;
        C m = C(-INFINITY);
        for (int j = 0; j < n; ++j) m = fmax(m, x[base + (size_t)j * inner]);
        C s = C(0);
        for (int j = 0; j < n; ++j) s += exp(x[base + (size_t)j * inner] - m);
        C ls = log(s), inv = C(1) / s;
        for (int j = 0; j < n; ++j) {
            C d = x[base + (size_t)j * inner] - m;
            y[base + (size_t)j * inner] = logMode ? d - ls : exp(d) * inv;
        }
    }
}

// The entry points, one per kernel and compute type, written out so that KernelAbiTest and CudaPtxTest
// can read their signatures.
extern "C" __global__ void wp_reduce_f32(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, int chunks, void* y,
                                         int ydt, int* yi) {
    reduce_blocks<float>(op, x, xdt, lk, lr, inner, chunks, y, ydt, yi);
}

extern "C" __global__ void wp_reduce_pairs_f32(int op, const float* pv, const int* pi, int chunks, int outN, void* y, int ydt) {
    reduce_pairs<float>(op, pv, pi, chunks, outN, y, ydt);
}

extern "C" __global__ void wp_reduce_rows_f32(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, int outN, void* y,
                                              int ydt) {
    reduce_rows<float>(op, x, xdt, lk, lr, inner, outN, y, ydt);
}

extern "C" __global__ void wp_softmax_f32(const float* x, float* y, int n, int inner, int logMode) {
    softmax_block<float>(x, y, n, inner, logMode);
}

extern "C" __global__ void wp_softmax_rows_f32(const float* x, float* y, int n, int inner, int rows, int logMode) {
    softmax_rows<float>(x, y, n, inner, rows, logMode);
}

extern "C" __global__ void wp_reduce_f64(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, int chunks, void* y,
                                         int ydt, int* yi) {
    reduce_blocks<double>(op, x, xdt, lk, lr, inner, chunks, y, ydt, yi);
}

extern "C" __global__ void wp_reduce_pairs_f64(int op, const double* pv, const int* pi, int chunks, int outN, void* y,
                                               int ydt) {
    reduce_pairs<double>(op, pv, pi, chunks, outN, y, ydt);
}

extern "C" __global__ void wp_reduce_rows_f64(int op, const void* x, int xdt, Lay lk, Lay lr, int inner, int outN, void* y,
                                              int ydt) {
    reduce_rows<double>(op, x, xdt, lk, lr, inner, outN, y, ydt);
}

extern "C" __global__ void wp_softmax_f64(const double* x, double* y, int n, int inner, int logMode) {
    softmax_block<double>(x, y, n, inner, logMode);
}

extern "C" __global__ void wp_softmax_rows_f64(const double* x, double* y, int n, int inner, int rows, int logMode) {
    softmax_rows<double>(x, y, n, inner, rows, logMode);
}
