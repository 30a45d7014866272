package org.wpunet.train.data;

/**
 * Probabilities of the sources of the previous-slice input in {@link PrevMaskMode#MIXED} mode. They
 * must lie in [0, 1] and sum to 1. {@link PrevSource#OWN} is drawn only from the 1-based epoch
 * {@code ownFromEpoch} on; before that its probability goes to {@link PrevSource#TRUE} (the
 * network's own predictions are noise in the first epochs).
 */
public record MixedPrevMask(double pTrue, double pEmpty, double pDegraded, double pOwn, int ownFromEpoch) {
    /** How far the sum may be from 1 (decimal fractions such as 0.1 + 0.2 are not exact in binary). */
    private static final double SUM_TOLERANCE = 1e-6;

    public MixedPrevMask {
        check("pTrue", pTrue);
        check("pEmpty", pEmpty);
        check("pDegraded", pDegraded);
        check("pOwn", pOwn);
        double sum = pTrue + pEmpty + pDegraded + pOwn;
        if (Math.abs(sum - 1) > SUM_TOLERANCE)
            throw new IllegalArgumentException("previous-mask probabilities must sum to 1: true " + pTrue + " + empty " + pEmpty
                    + " + degraded " + pDegraded + " + own " + pOwn + " = " + Math.round(sum * 1e9) / 1e9);
        if (ownFromEpoch < 1) throw new IllegalArgumentException("ownFromEpoch is a 1-based epoch, got " + ownFromEpoch);
    }

    private static void check(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
    }

    /**
     * 0.5 true / 0.2 empty / 0.3 degraded / 0 own, own from epoch 10 if turned on. Half the samples
     * keep the original's clean ground truth so the network still learns to exploit a good previous
     * mask; empty masks teach it to segment the first slice of a stack (no predecessor) and to fall
     * back on the image where the previous mask is silent; degraded masks mimic the errors of a
     * predicted mask at inference (gaps, offsets, thick stretches), so propagation does not copy
     * them blindly. Own predictions cost a forward pass each, so the trainer opts in ({@link #withOwn}).
     */
    public static MixedPrevMask defaults() { return new MixedPrevMask(0.5, 0.2, 0.3, 0.0, 10); }

    /** These probabilities with {@code pOwn} taken from {@code pTrue}, drawn from {@code fromEpoch} on. */
    public MixedPrevMask withOwn(double pOwn, int fromEpoch) {
        if (pOwn > pTrue + this.pOwn + SUM_TOLERANCE)
            throw new IllegalArgumentException("pOwn " + pOwn + " exceeds the true-mask probability " + (pTrue + this.pOwn) + " it is taken from");
        return new MixedPrevMask(Math.max(0, pTrue + this.pOwn - pOwn), pEmpty, pDegraded, pOwn, fromEpoch);
    }

    /** The source for uniform {@code u} in [0, 1) at the 1-based {@code epoch}. */
    PrevSource choose(double u, int epoch) {
        double own = epoch >= ownFromEpoch ? pOwn : 0;
        double[] p = {pTrue + (pOwn - own), pEmpty, pDegraded, own};
        PrevSource[] s = PrevSource.values(); // TRUE, EMPTY, DEGRADED, OWN: the order of p
        double acc = 0;
        int last = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] <= 0) continue;
            last = i;
            acc += p[i];
            if (u < acc) return s[i];
        }
        return s[last]; // u beyond a sum that rounds just below 1
    }
}
