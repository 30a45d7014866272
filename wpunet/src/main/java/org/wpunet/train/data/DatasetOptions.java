package org.wpunet.train.data;

import java.util.Objects;

/**
 * How samples are made: the crop (tile) size, the image normalisation (v/255 - mean)/std, the
 * target's dilation (a dilation x dilation square) and the previous-slice input.
 */
public record DatasetOptions(int crop, double mean, double std, int dilation, PrevMaskMode prevMode, MixedPrevMask mixed) {
    /** WPU-Net halves the resolution four times, so the input side must be a multiple of 2^4. */
    public static final int CROP_MULTIPLE = 16;

    public DatasetOptions {
        if (crop <= 0 || crop % CROP_MULTIPLE != 0)
            throw new IllegalArgumentException("crop must be a positive multiple of " + CROP_MULTIPLE
                    + " (WPU-Net pools four times), got " + crop);
        if (!Double.isFinite(mean)) throw new IllegalArgumentException("mean must be finite, got " + mean);
        if (!(std > 0) || !Double.isFinite(std)) throw new IllegalArgumentException("std must be positive and finite, got " + std);
        if (dilation <= 0 || dilation % 2 == 0)
            throw new IllegalArgumentException("dilation must be an odd positive square width, got " + dilation);
        Objects.requireNonNull(prevMode, "prevMode");
        Objects.requireNonNull(mixed, "mixed");
    }

    /**
     * The original's settings: 256 crops, mean 0.9336267 / std 0.1365774 (of the pure-iron images),
     * 5x5 dilation; previous mask = ground truth (as the original; the trainer picks MIXED explicitly),
     * with {@link MixedPrevMask#defaults()} ready for it.
     */
    public static DatasetOptions defaults() {
        return new DatasetOptions(256, 0.9336267, 0.1365774, 5, PrevMaskMode.GT, MixedPrevMask.defaults());
    }

    public DatasetOptions withCrop(int c) { return new DatasetOptions(c, mean, std, dilation, prevMode, mixed); }
    public DatasetOptions withNormalisation(double m, double s) { return new DatasetOptions(crop, m, s, dilation, prevMode, mixed); }
    public DatasetOptions withDilation(int d) { return new DatasetOptions(crop, mean, std, d, prevMode, mixed); }
    public DatasetOptions withPrevMode(PrevMaskMode m) { return new DatasetOptions(crop, mean, std, dilation, m, mixed); }
    public DatasetOptions withMixed(MixedPrevMask m) { return new DatasetOptions(crop, mean, std, dilation, prevMode, m); }
}
