package org.wpunet.infer;

import java.util.Locale;

/**
 * Options of a {@link Segmenter}.
 *
 * @param tile      core size of a tile in pixels (at least 16); the original uses 256
 * @param margin    context pixels added around each core (at least 0); the original uses 32
 * @param stitch    {@link Stitch#ORIGINAL} or {@link Stitch#BLEND}
 * @param closeGaps run {@link GapClosing} on the stitched boundary map
 * @param batch     tiles per forward pass (at least 1)
 * @param precision fp32, tf32 (TF32 tensor-core matmuls where the device has them) or bf16 (autocast)
 */
public record SegmentOptions(int tile, int margin, Stitch stitch, boolean closeGaps, int batch, String precision) {
    public SegmentOptions {
        if (tile < 16) throw new IllegalArgumentException("tile must be at least 16 pixels, got " + tile);
        if (margin < 0) throw new IllegalArgumentException("margin must be >= 0, got " + margin);
        if (stitch == null) throw new IllegalArgumentException("stitch must be ORIGINAL or BLEND, got null");
        if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        precision = precision == null ? "fp32" : precision.toLowerCase(Locale.ROOT);
        if (!precision.equals("fp32") && !precision.equals("tf32") && !precision.equals("bf16"))
            throw new IllegalArgumentException("precision must be fp32, tf32 or bf16, got '" + precision + "'");
    }

    /** Tile 256, margin 32 (the original's layout), BLEND, gap closing on, batch 4, fp32. */
    public static SegmentOptions defaults() { return new SegmentOptions(256, 32, Stitch.BLEND, true, 4, "fp32"); }

    /** The original's inference exactly: tile 256, margin 32, ORIGINAL stitching, no gap closing. */
    public static SegmentOptions original() { return new SegmentOptions(256, 32, Stitch.ORIGINAL, false, 4, "fp32"); }

    public SegmentOptions withTile(int t, int m) { return new SegmentOptions(t, m, stitch, closeGaps, batch, precision); }

    public SegmentOptions withStitch(Stitch s) { return new SegmentOptions(tile, margin, s, closeGaps, batch, precision); }

    public SegmentOptions withCloseGaps(boolean on) { return new SegmentOptions(tile, margin, stitch, on, batch, precision); }

    public SegmentOptions withBatch(int b) { return new SegmentOptions(tile, margin, stitch, closeGaps, b, precision); }

    public SegmentOptions withPrecision(String p) { return new SegmentOptions(tile, margin, stitch, closeGaps, batch, p); }
}
