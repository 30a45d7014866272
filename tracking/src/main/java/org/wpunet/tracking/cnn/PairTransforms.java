package org.wpunet.tracking.cnn;

import java.util.SplittableRandom;

/**
 * The dihedral transforms of a square 2-channel crop used by training augmentation and test-time
 * augmentation: channel swap, horizontal/vertical flip, rotation by quarter turns (counter-clockwise,
 * torchvision's {@code rotate(90)}; exact index permutations, no interpolation).
 */
public final class PairTransforms {
    private PairTransforms() {}

    /** The original's 7 TTA copies: identity, channel swap, hflip, vflip, rot 90, 180, 270. */
    public static final int TTA_COPIES = 7;

    /**
     * Writes the transformed crop: first channel swap (optional), then flips, then {@code quarter}
     * counter-clockwise quarter turns: {@code dst(i, j) = src'(j, S-1-i)} per turn.
     */
    public static void apply(float[] src, int so, float[] dst, int d, int size, boolean swap, boolean hflip, boolean vflip, int quarter) {
        int plane = size * size, q = Math.floorMod(quarter, 4);
        for (int ch = 0; ch < 2; ch++) {
            int sc = so + (swap ? 1 - ch : ch) * plane, dc = d + ch * plane;
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    // the destination pixel (i, j) after q turns comes from (r, c) of the flipped image
                    int r, c;
                    switch (q) {
                        case 0 -> { r = i; c = j; }
                        case 1 -> { r = j; c = size - 1 - i; }
                        case 2 -> { r = size - 1 - i; c = size - 1 - j; }
                        default -> { r = size - 1 - j; c = i; }
                    }
                    if (vflip) r = size - 1 - r;
                    if (hflip) c = size - 1 - c;
                    dst[dc + i * size + j] = src[sc + r * size + c];
                }
            }
        }
    }

    /** TTA copy {@code k} (0..6) of the crop at {@code so} into {@code dst} at {@code d}. */
    public static void tta(int k, float[] src, int so, float[] dst, int d, int size) {
        switch (k) {
            case 0 -> apply(src, so, dst, d, size, false, false, false, 0);
            case 1 -> apply(src, so, dst, d, size, true, false, false, 0);
            case 2 -> apply(src, so, dst, d, size, false, true, false, 0);
            case 3 -> apply(src, so, dst, d, size, false, false, true, 0);
            case 4, 5, 6 -> apply(src, so, dst, d, size, false, false, false, k - 3);
            default -> throw new IllegalArgumentException("TTA copy must be 0..6, got " + k);
        }
    }

    /**
     * The original's training augmentation (train_track_net.py): RandomChannelFlip(p 0.5);
     * RandomChoice(hflip p 0.5, vflip p 0.5); RandomChoice(rot 90, 180, 270) (always rotates).
     */
    public static void augment(float[] src, int so, float[] dst, int d, int size, SplittableRandom rnd) {
        boolean swap = rnd.nextDouble() < 0.5;
        boolean horizontal = rnd.nextBoolean(), flip = rnd.nextDouble() < 0.5;
        int quarter = 1 + rnd.nextInt(3);
        apply(src, so, dst, d, size, swap, flip && horizontal, flip && !horizontal, quarter);
    }
}
