// index_select, gather and scatter_add over strided layouts. The layouts arrive uncoalesced
// (Launch.layExact): the kernels read shape[dim] and stride[dim] by dim number and walk one
// layout's dims with another's strides, so every Lay here has the rank of the op's tensors.
#include "common.cuh"

// out (compact, shape lx.shape with dim -> len) = x[..., index[j], ...].
extern "C" __global__ void wp_index_select(const void* x, int dt, Lay lx, int dim, const int* index, Lay lo,
                                           void* y, int* err, int n) {
    WP_LOOP(e, n) {
        int rem = e, off = lx.offset;
#pragma unroll
        for (int d = WP_MAX_RANK - 1; d >= 0; --d) {  // constant indices: the Lay stays in parameter space
            if (d >= lo.rank) continue;
            int s = lo.shape[d], q = rem / s, m = rem - q * s;
            rem = q;
            if (d == dim) {
                int v = index[m];
                if (!check_index(v, lx.shape[d], err)) { m = 0; v = 0; }
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
        int rem = e, io = li.offset, so = lx.offset, dimSize = 0, dimStride = 0;
#pragma unroll
        for (int d = WP_MAX_RANK - 1; d >= 0; --d) {
            if (d >= li.rank) continue;
            int s = li.shape[d], q = rem / s, m = rem - q * s;
            rem = q;
            io += m * li.stride[d];
            if (d != dim) so += m * lx.stride[d];
            else { dimSize = lx.shape[d]; dimStride = lx.stride[d]; }
        }
        int v = index[io];
        if (!check_index(v, dimSize, err)) v = 0;
        st(y, dt, e, ld(x, dt, so + v * dimStride));
    }
}

// out (compact, shape lo.shape, zeroed) [m with m[dim] = index[m]] += src[m], over li's shape.
// Atomic adds into WP_F32, WP_F64 or WP_I32.
extern "C" __global__ void wp_scatter_add(const int* index, Lay li, const void* src, int sdt, Lay ls,
                                          void* out, int odt, Lay lo, int dim, int* err, int n) {
    WP_LOOP(e, n) {
        int rem = e, io = li.offset, so = ls.offset, oo = 0, dimSize = 0, dimStride = 0;
#pragma unroll
        for (int d = WP_MAX_RANK - 1; d >= 0; --d) {
            if (d >= li.rank) continue;
            int s = li.shape[d], q = rem / s, m = rem - q * s;
            rem = q;
            io += m * li.stride[d];
            so += m * ls.stride[d];
            if (d != dim) oo += m * lo.stride[d];
            else { dimSize = lo.shape[d]; dimStride = lo.stride[d]; }
        }
        int v = index[io];
        if (!check_index(v, dimSize, err)) continue;
        oo += v * dimStride;
        double val = ld(src, sdt, so);
        if (odt == WP_F32) atomicAdd((float*)out + oo, (float)val);
        else if (odt == WP_F64) atomicAdd((double*)out + oo, val);
        else atomicAdd((int*)out + oo, (int)val);
    }
}
