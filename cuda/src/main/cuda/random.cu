// Counter-based random numbers (org.wpunet.core.Rng).
#include "common.cuh"

// org.wpunet.core.Rng: the same bits for UNIFORM (SplitMix64 finaliser on seed-mixed counters); NORMAL goes
// through CUDA's log/cos, which may differ from java.lang.Math in the last bit
__device__ __forceinline__ unsigned long long rng_mix(unsigned long long seed, unsigned long long counter) {
    unsigned long long z = seed * 0x9E3779B97F4A7C15ull + counter * 0xD1B54A32D192ED03ull + 0x632BE59BD9B4E019ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

__device__ __forceinline__ double rng_uniform_double(unsigned long long seed, unsigned long long c) {
    return (double)(rng_mix(seed, c) >> 11) * 0x1.0p-53;
}

// dist WP_RNG_UNIFORM (F32: top 24 bits; other dtypes: 53-bit double), WP_RNG_NORMAL (Box-Muller on the
// uniforms of counters base+2i and base+2i+1, u1 moved into (0,1]).
extern "C" __global__ void wp_random(int dist, void* y, int dt, int n, long long seed, long long counter) {
    unsigned long long s = (unsigned long long)seed, c = (unsigned long long)counter;
    WP_LOOP(i, n) {
        if (dist == WP_RNG_UNIFORM) {
            if (dt == WP_F32) ((float*)y)[i] = (float)(rng_mix(s, c + i) >> 40) * 0x1.0p-24f;
            else st(y, dt, i, rng_uniform_double(s, c + i));
        } else {
            double u1 = 1.0 - rng_uniform_double(s, c + 2ull * i);
            double u2 = rng_uniform_double(s, c + 2ull * i + 1);
            st(y, dt, i, sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2));
        }
    }
}
