// Shared helpers of the wpunet CUDA kernels: strided layouts and dtype-generic loads/stores.
// Dtype codes are org.wpunet.core.DType ordinals, named in kernel_codes.cuh (generated from the enums).
#pragma once
#include <cuda_fp16.h>
#include "kernel_codes.cuh"

#define WP_MAX_RANK 8

// A strided view (org.wpunet.core.Layout) passed by value: element i (row-major over shape) lives
// at offset + sum_d idx_d * stride[d]. Only 18 ints, so it fits the kernel parameter space easily.
struct Lay {
    int rank;
    int offset;
    int shape[WP_MAX_RANK];
    int stride[WP_MAX_RANK];
};

// Rank 0 and 1 (every compact or coalesced-contiguous operand) take the fast path without divisions.
// The loop runs over the constant WP_MAX_RANK and is fully unrolled, so shape[d] / stride[d] are read
// with constant indices straight from the parameter space: a dynamic index would make the compiler copy
// the whole by-value struct to local memory (a 72-216 B stack frame per kernel).
__device__ __forceinline__ int lay_offset(const Lay& l, int i) {
    if (l.rank <= 1) return l.offset + (l.rank == 0 ? 0 : i * l.stride[0]);
    int o = l.offset;
#pragma unroll
    for (int d = WP_MAX_RANK - 1; d >= 0; --d) {
        if (d < l.rank) {
            int s = l.shape[d];
            int q = i / s;
            o += (i - q * s) * l.stride[d];
            i = q;
        }
    }
    return o;
}

// float -> bfloat16 bits exactly as DType.floatToBf16: round to nearest even, NaN stays NaN (quiet bit set).
__device__ __forceinline__ unsigned short f2bf(float f) {
    unsigned int bits = __float_as_uint(f);
    if (f != f) return (unsigned short)((bits >> 16) | 0x40);
    unsigned int rounding = 0x7FFFu + ((bits >> 16) & 1u);
    return (unsigned short)((bits + rounding) >> 16);
}

__device__ __forceinline__ double ld(const void* p, int dt, int i) {
    switch (dt) {
        case WP_F32: return (double)((const float*)p)[i];
        case WP_F64: return ((const double*)p)[i];
        case WP_I32: return (double)((const int*)p)[i];
        case WP_U8: return (double)((const unsigned char*)p)[i];
        case WP_BF16: return (double)__uint_as_float(((unsigned int)((const unsigned short*)p)[i]) << 16);
        default: return (double)__half2float(((const __half*)p)[i]);
    }
}

// Stores like CpuStorage.set: floats round to nearest, integers truncate toward zero (NaN -> 0,
// clamped to the int range like Java's (int) cast), U8 keeps the low 8 bits of that int.
__device__ __forceinline__ void st(void* p, int dt, int i, double v) {
    switch (dt) {
        case WP_F32: ((float*)p)[i] = (float)v; break;
        case WP_F64: ((double*)p)[i] = v; break;
        case WP_I32: ((int*)p)[i] = (int)v; break;
        case WP_U8: ((unsigned char*)p)[i] = (unsigned char)(int)v; break;
        case WP_BF16: ((unsigned short*)p)[i] = f2bf((float)v); break;
        default: ((__half*)p)[i] = __float2half_rn((float)v); break;
    }
}

// Loads and stores in a compute type C: double (exact for every dtype, the F64 and I32 kernels) or float
// (the F32 kernels, used when no operand is F64 or I32: F32, BF16, F16 and U8 are exact in float).
template <typename C> __device__ __forceinline__ C ldc(const void* p, int dt, int i);
template <> __device__ __forceinline__ double ldc<double>(const void* p, int dt, int i) { return ld(p, dt, i); }
template <> __device__ __forceinline__ float ldc<float>(const void* p, int dt, int i) {
    switch (dt) {
        case WP_F32: return ((const float*)p)[i];
        case WP_U8: return (float)((const unsigned char*)p)[i];
        case WP_BF16: return __uint_as_float(((unsigned int)((const unsigned short*)p)[i]) << 16);
        case WP_F16: return __half2float(((const __half*)p)[i]);
        default: return (float)ld(p, dt, i);
    }
}

template <typename C> __device__ __forceinline__ void stc(void* p, int dt, int i, C v);
template <> __device__ __forceinline__ void stc<double>(void* p, int dt, int i, double v) { st(p, dt, i, v); }
template <> __device__ __forceinline__ void stc<float>(void* p, int dt, int i, float v) {
    switch (dt) {
        case WP_F32: ((float*)p)[i] = v; break;
        case WP_U8: ((unsigned char*)p)[i] = (unsigned char)(int)v; break;
        case WP_BF16: ((unsigned short*)p)[i] = f2bf(v); break;
        case WP_F16: ((__half*)p)[i] = __float2half_rn(v); break;
        default: st(p, dt, i, (double)v); break;
    }
}

// Grid-stride loop over n elements.
// The step is taken in 64 bits and clamped to n, so i never overflows when n is near INT_MAX.
#define WP_LOOP(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                           i = ((long long)i + (long long)blockDim.x * gridDim.x >= (long long)(n)) ? (n) : i + blockDim.x * gridDim.x)

// Records the first bad index (value + size reported) so the host can throw like the CPU backend.
__device__ __forceinline__ bool check_index(int v, int size, int* err) {
    if (v < 0 || v >= size) {
        if (atomicCAS(err, 0, 1) == 0) { err[1] = v; err[2] = size; }  // first writer reports
        return false;
    }
    return true;
}
