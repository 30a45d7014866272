package org.wpunet.tracking.export;

import java.awt.Color;

/**
 * A stable pseudo-random colour per grain id, the same in every picture (slice PNGs, orthogonal
 * views) and every run: the id is hashed (SplitMix64's finaliser) into a hue, a saturation in
 * [0.45, 0.85] and a brightness in [0.70, 1.00], so that neighbouring ids get unrelated colours and no
 * grain is so dark that the (black) boundaries disappear. Label 0 ("no grain") is mid grey.
 */
public final class GrainColours {
    private GrainColours() {}

    /** The colour of label 0 (no grain). */
    public static final int NO_GRAIN = 0x808080;

    /** 0xRRGGBB of grain {@code id}. */
    public static int rgb(int id) {
        if (id == 0) return NO_GRAIN;
        long h = mix(id);
        float hue = (h & 0xFFFF) / 65536f;
        float sat = 0.45f + 0.40f * ((h >>> 16) & 0xFF) / 255f;
        float val = 0.70f + 0.30f * ((h >>> 24) & 0xFF) / 255f;
        return Color.HSBtoRGB(hue, sat, val) & 0xFFFFFF;
    }

    /** SplitMix64's finaliser: a bijective, well-mixing hash of a 64-bit value. */
    private static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** {@code rgb} darkened to a fraction {@code f} of its brightness (for boundaries drawn over a grain). */
    static int darken(int rgb, float f) {
        int r = Math.round(((rgb >> 16) & 0xFF) * f), g = Math.round(((rgb >> 8) & 0xFF) * f), b = Math.round((rgb & 0xFF) * f);
        return (r << 16) | (g << 8) | b;
    }
}
