package org.wpunet.core.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * SIMD rows of {@link MaxPool2x2} (only loaded when SIMD is on). Per L outputs, two vectors of each
 * input row are split into their even and odd columns (two-vector shuffles), and the four
 * candidates are combined in the scalar order x[2r][2q], x[2r][2q+1], x[2r+1][2q], x[2r+1][2q+1]
 * with the same rule, so the result is the scalar kernel's bit for bit.
 */
final class MaxPool2x2Vector {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane i takes element 2i (odd: 2i + 1) of the 2L-element concatenation of two vectors. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(S, i -> 2 * i), ODD = VectorShuffle.fromOp(S, i -> 2 * i + 1);

    private MaxPool2x2Vector() {}

    static void row(float[] x, int top, int bot, float[] y, int dst, int ow) {
        int q = 0;
        for (; q + L <= ow; q += L) {
            FloatVector t0 = FloatVector.fromArray(S, x, top + 2 * q), t1 = FloatVector.fromArray(S, x, top + 2 * q + L);
            FloatVector b0 = FloatVector.fromArray(S, x, bot + 2 * q), b1 = FloatVector.fromArray(S, x, bot + 2 * q + L);
            FloatVector best = t0.rearrange(EVEN, t1);
            best = pick(best, t0.rearrange(ODD, t1));
            best = pick(best, b0.rearrange(EVEN, b1));
            pick(best, b0.rearrange(ODD, b1)).intoArray(y, dst + q);
        }
        MaxPool2x2.row(x, top, bot, y, dst, q, ow);
    }

    private static FloatVector pick(FloatVector best, FloatVector v) {
        VectorMask<Float> take = v.compare(VectorOperators.GT, best).or(v.test(VectorOperators.IS_NAN));
        return best.blend(v, take);
    }
}
