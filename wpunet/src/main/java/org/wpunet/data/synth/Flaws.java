package org.wpunet.data.synth;

import java.util.Locale;

/**
 * Imaging flaws of an etched optical micrograph, with presets light / medium / heavy.
 *
 * @param name                   preset name (for reports)
 * @param missingFraction        fraction of boundary pixels in stretches that did not etch (groove
 *                               depth 0-8 % of normal): invisible in this slice, explained by neighbours
 * @param faintFraction          fraction of boundary pixels in vague stretches (depth 20-45 %)
 * @param scratchesPerMegapixel  mean number (Poisson) of polishing scratches per 10^6 pixels
 * @param pitsPerMegapixel       mean number (Poisson) of dark pits and noise spots per 10^6 pixels
 * @param noiseSigma             sensor noise, standard deviation in units of full scale
 * @param illumination           relative amplitude of the illumination gradient and vignetting
 */
public record Flaws(String name, double missingFraction, double faintFraction, double scratchesPerMegapixel,
                    double pitsPerMegapixel, double noiseSigma, double illumination) {
    public static final Flaws NONE = new Flaws("none", 0, 0, 0, 0, 0, 0);
    public static final Flaws LIGHT = new Flaws("light", 0.02, 0.05, 4, 60, 0.012, 0.04);
    public static final Flaws MEDIUM = new Flaws("medium", 0.05, 0.10, 10, 200, 0.02, 0.08);
    public static final Flaws HEAVY = new Flaws("heavy", 0.10, 0.15, 25, 500, 0.03, 0.14);

    public Flaws {
        if (missingFraction < 0 || faintFraction < 0 || missingFraction + faintFraction > 0.9)
            throw new IllegalArgumentException("missing + faint boundary fractions must be in [0, 0.9], got "
                    + missingFraction + " + " + faintFraction);
        if (scratchesPerMegapixel < 0 || pitsPerMegapixel < 0 || noiseSigma < 0 || noiseSigma > 0.5
                || illumination < 0 || illumination > 0.5)
            throw new IllegalArgumentException("flaw rates must be >= 0 (noise and illumination <= 0.5)");
    }

    /** The preset called {@code name}: none, light, medium or heavy. */
    public static Flaws of(String name) {
        return switch (name == null ? "" : name.toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "light" -> LIGHT;
            case "medium" -> MEDIUM;
            case "heavy" -> HEAVY;
            default -> throw new IllegalArgumentException("unknown flaw severity '" + name + "' (none, light, medium, heavy)");
        };
    }
}
