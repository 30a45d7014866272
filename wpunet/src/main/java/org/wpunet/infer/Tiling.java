package org.wpunet.infer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.wpunet.model.AbstractUNet;

/**
 * The tile layout of one slice: every pixel belongs to the core of exactly one tile; each tile adds
 * up to {@code margin} pixels of context around its core, and its network input is a multiple of 16
 * on each side.
 *
 * <p>Per axis of length L with core size T and margin M: n = ceil(L / T) tiles; core j is
 * [floor(jL/n), floor((j+1)L/n)) (cores differ by at most one pixel; for L = nT they are exactly
 * [jT, (j+1)T)). The wanted extent is the core widened by M on each side, cut at the image:
 * [max(0, c0 - M), min(L, c1 + M)). Its length rounded up to a multiple of 16 is the input size S.
 * When S ≤ L the extra pixels are real image: the extent is widened evenly on both sides and shifted
 * back inside [0, L). When S > L (the tile spans the whole axis) the input starts at 0 and the pixels
 * past the image are mirrored ({@link #reflect}, numpy's "reflect": the edge pixel is not repeated).
 *
 * <p>For L = 256k with T = 256, M = 32 this is the original's {@code tailor(256, 256, region=32)}:
 * tile i starts at 0 if i = 0, else 256i - 32, and is 288 pixels high for the first and last row, 320
 * inside; its core starts 0 (i = 0) or 32 pixels into the tile. Unlike the original, no pixel is lost
 * when L is not a multiple of T.
 */
public final class Tiling {
    /**
     * One axis of a tile: network input coordinate u ∈ [0, size) reads image coordinate
     * {@code reflect(start + u)}; the core [core0, core1) is in image coordinates; [start, realEnd)
     * are the real (not mirrored) image pixels of the input.
     */
    public record Span(int start, int size, int core0, int core1, int realEnd) {
        /** Image coordinate read by input coordinate u. */
        public int source(int u, int length) { return reflect(start + u, length); }

        /**
         * Blending weight of image coordinate c ∈ [start, realEnd): 1 inside the core; at distance d
         * outside it, cos²(π/2 · d / (R + 1)) where R is how far the tile reaches on that side, so the
         * weight falls smoothly towards the tile's edge, where the network sees the least context.
         */
        public double weight(int c) {
            if (c < core0) return ramp(core0 - c, core0 - start);
            if (c >= core1) return ramp(c - core1 + 1, realEnd - core1);
            return 1;
        }

        private static double ramp(int d, int reach) {
            double cos = Math.cos(Math.PI / 2 * d / (reach + 1));
            return cos * cos;
        }
    }

    /** Tile (row, col) of the grid; y and x spans. */
    public record Tile(int row, int col, Span y, Span x) {}

    private final int width, height, tile, margin;
    private final Span[] rows, cols;

    private Tiling(int width, int height, int tile, int margin) {
        this.width = width;
        this.height = height;
        this.tile = tile;
        this.margin = margin;
        this.rows = spans(height, tile, margin);
        this.cols = spans(width, tile, margin);
    }

    /**
     * The layout of a width x height image with cores of at most {@code tile} pixels and {@code margin}
     * pixels of context. Sides under 16 pixels are refused: the network's four poolings would see an
     * image made mostly of mirrored pixels.
     */
    public static Tiling of(int width, int height, int tile, int margin) {
        if (width < AbstractUNet.SIZE_MULTIPLE || height < AbstractUNet.SIZE_MULTIPLE)
            throw new IllegalArgumentException("image " + width + "x" + height + " is too small: both sides must be at least "
                    + AbstractUNet.SIZE_MULTIPLE + " pixels");
        if (tile < AbstractUNet.SIZE_MULTIPLE) throw new IllegalArgumentException("tile must be at least 16 pixels, got " + tile);
        if (margin < 0) throw new IllegalArgumentException("margin must be >= 0, got " + margin);
        return new Tiling(width, height, tile, margin);
    }

    static Span[] spans(int length, int tile, int margin) {
        int n = (length + tile - 1) / tile;
        Span[] out = new Span[n];
        for (int j = 0; j < n; j++) {
            int c0 = (int) ((long) j * length / n), c1 = (int) ((long) (j + 1) * length / n);
            int w0 = Math.max(0, c0 - margin), w1 = Math.min(length, c1 + margin);
            int size = roundUp(w1 - w0);
            int start;
            if (size <= length) {
                start = w0 - (size - (w1 - w0)) / 2;          // widen evenly with real pixels
                start = Math.max(0, Math.min(start, length - size));
            } else {
                start = 0;                                     // spans the axis: mirror past its end
            }
            out[j] = new Span(start, size, c0, c1, Math.min(length, start + size));
        }
        return out;
    }

    static int roundUp(int v) {
        int m = AbstractUNet.SIZE_MULTIPLE;
        return (v + m - 1) / m * m;
    }

    /**
     * numpy's "reflect" index into [0, length): -1 -> 1, length -> length - 2; folded repeatedly
     * (period 2(length - 1)), so any offset is valid.
     */
    public static int reflect(int c, int length) {
        if (length == 1) return 0;
        int period = 2 * (length - 1);
        int m = Math.floorMod(c, period);
        return m < length ? m : period - m;
    }

    /** All tiles in raster order. */
    public List<Tile> tiles() {
        List<Tile> out = new ArrayList<>(rows.length * cols.length);
        for (int i = 0; i < rows.length; i++)
            for (int j = 0; j < cols.length; j++) out.add(new Tile(i, j, rows[i], cols[j]));
        return Collections.unmodifiableList(out);
    }

    /**
     * Σ over the rows of tiles of their y weight at each image row (length height). The tiles form a
     * grid, so the total blending weight at (x, y) is {@code rowWeightSums()[y] * colWeightSums()[x]}.
     */
    public double[] rowWeightSums() { return weightSums(rows, height); }

    /** Σ over the columns of tiles of their x weight at each image column (length width). */
    public double[] colWeightSums() { return weightSums(cols, width); }

    private static double[] weightSums(Span[] spans, int length) {
        double[] s = new double[length];
        for (Span sp : spans) for (int c = sp.start(); c < sp.realEnd(); c++) s[c] += sp.weight(c);
        return s;
    }

    public int width() { return width; }

    public int height() { return height; }

    public int tile() { return tile; }

    public int margin() { return margin; }

    public int rowCount() { return rows.length; }

    public int colCount() { return cols.length; }
}
