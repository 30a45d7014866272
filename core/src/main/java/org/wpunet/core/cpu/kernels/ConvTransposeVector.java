package org.wpunet.core.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD rows of {@link ConvTranspose2dKernels}' 2-wide up-sampling (only loaded when SIMD is on): the
 * two taps' rows of the GEMM result, bias added, zipped into one output row with two-vector shuffles
 * (the same single float addition per element as the scalar loop).
 */
final class ConvTransposeVector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane 2i takes lane i of the first vector, lane 2i + 1 lane i of the second (indexes >= L pick the second). */
    private static final VectorShuffle<Float> ZIP_LOW = VectorShuffle.fromOp(S, i -> (i & 1) * L + i / 2),
            ZIP_HIGH = VectorShuffle.fromOp(S, i -> (i & 1) * L + L / 2 + i / 2);

    private ConvTransposeVector() {}

    /** The scalar loop's y[dst + 2q] = t[a + q] + bias, y[dst + 2q + 1] = t[b + q] + bias; returns the q it stopped at. */
    static int interleave(float[] t, int a, int b, float bias, float[] y, int dst, int w) {
        int q = 0;
        for (; q + L <= w; q += L) {
            FloatVector even = FloatVector.fromArray(S, t, a + q).add(bias), odd = FloatVector.fromArray(S, t, b + q).add(bias);
            even.rearrange(ZIP_LOW, odd).intoArray(y, dst + 2 * q);
            even.rearrange(ZIP_HIGH, odd).intoArray(y, dst + 2 * q + L);
        }
        return q;
    }
}
