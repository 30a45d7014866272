package org.wpunet.train.data;

import java.util.Locale;

/** How slice k's previous-slice input is made in training. */
public enum PrevMaskMode {
    /** Always the previous slice's ground-truth boundary, as the original trainer. */
    GT,
    /** A per-sample mixture of true, empty, degraded and own-prediction masks ({@link MixedPrevMask}). */
    MIXED;

    /** "gt" or "mixed" (case-insensitive, surrounding blanks ignored). */
    public static PrevMaskMode parse(String s) {
        if (s != null) {
            switch (s.strip().toLowerCase(Locale.ROOT)) {
                case "gt" -> { return GT; }
                case "mixed" -> { return MIXED; }
                default -> { }
            }
        }
        throw new IllegalArgumentException("unknown previous-mask mode '" + s + "'; expected gt or mixed");
    }
}
