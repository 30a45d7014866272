package org.wpunet.tracking.cnn;

import java.util.Arrays;

/**
 * The classifier's input for one (previous grain, current grain) pair: the original's
 * {@code crop_two_slice_data} followed by its nearest-neighbour resize (ORIGINAL.md section 8).
 *
 * <ol>
 * <li>An H x W x 2 binary array: channel 0 set on the previous grain, channel 1 on the current grain.</li>
 * <li>The 3D connected component (full 26-connectivity) holding the first set voxel in C order (row,
 *     then column, then channel): the component skimage/scipy number 1.</li>
 * <li>Its bounding box over rows, columns and channels; the array is cropped to it (other components
 *     inside the box stay). Crops with fewer than 2 rows, 2 columns or 2 channels are skipped.</li>
 * <li>Nearest resize to size x size, as PIL's NEAREST: {@code src = floor((dst + 0.5) * in / out)};
 *     values 0 or 1 (ToTensor of 0/255).</li>
 * </ol>
 * The output is channel-major: {@code out[offset + ch * size * size + row * size + col]}.
 */
public final class PairCrop {
    private PairCrop() {}

    /** The original's input size (VGG13-BN without adaptive pooling needs it). */
    public static final int ORIGINAL_SIZE = 224;

    /**
     * The crop window of a pair, rows {@code [row0, row1)}, columns {@code [col0, col1)} of the slice.
     * (Channels are always both: a one-channel crop is skipped.)
     */
    public record Box(int row0, int row1, int col0, int col1) {
        public int height() { return row1 - row0; }

        public int width() { return col1 - col0; }
    }

    /**
     * Bounding boxes of every label of a slice: {@code boxes[l] = {minRow, maxRow, minCol, maxCol}}
     * (inclusive), null for labels absent; indexed up to {@code maxLabel}.
     */
    public static int[][] boxes(int[] labels, int width, int maxLabel) {
        int[][] b = new int[maxLabel + 1][];
        for (int i = 0; i < labels.length; i++) {
            int l = labels[i];
            if (l <= 0) continue;
            int r = i / width, c = i % width;
            int[] x = b[l];
            if (x == null) b[l] = new int[]{r, r, c, c};
            else {
                if (r > x[1]) x[1] = r;
                if (c < x[2]) x[2] = c;
                else if (c > x[3]) x[3] = c;
            }
        }
        return b;
    }

    /** {@link #box(int[], int, int[], int, int, int, int[], int[])} computing the two grains' boxes itself. */
    public static Box box(int[] previous, int p, int[] current, int c, int width, int height) {
        return box(previous, p, current, c, width, height, boxOf(previous, p, width), boxOf(current, c, width));
    }

    /**
     * The crop window of the pair, or null when the original skips it (the first component lies in one
     * channel only, or is thinner than 2 pixels). {@code boxP}/{@code boxC} are the grains' boxes as
     * {@link #boxes} gives them (every component lies within their union).
     */
    public static Box box(int[] previous, int p, int[] current, int c, int width, int height, int[] boxP, int[] boxC) {
        if (boxP == null || boxC == null) return null;
        int r0 = Math.min(boxP[0], boxC[0]), r1 = Math.max(boxP[1], boxC[1]);
        int c0 = Math.min(boxP[2], boxC[2]), c1 = Math.max(boxP[3], boxC[3]);
        int wh = r1 - r0 + 1, ww = c1 - c0 + 1, plane = wh * ww;
        // window-local masks: bit 0 = previous grain, bit 1 = current grain
        byte[] mask = new byte[plane];
        int first = -1;
        for (int r = 0; r < wh; r++) {
            int src = (r + r0) * width + c0;
            for (int k = 0; k < ww; k++) {
                int m = (previous[src + k] == p ? 1 : 0) | (current[src + k] == c ? 2 : 0);
                mask[r * ww + k] = (byte) m;
                if (m != 0 && first < 0) first = (r * ww + k) * 2 + ((m & 1) != 0 ? 0 : 1);
            }
        }
        if (first < 0) return null;
        // flood fill the 26-connected component of the first voxel; voxel id = pixel * 2 + channel
        boolean[] seen = new boolean[plane * 2];
        int[] queue = new int[plane * 2];
        int head = 0, tail = 0;
        queue[tail++] = first;
        seen[first] = true;
        int minR = Integer.MAX_VALUE, maxR = -1, minC = Integer.MAX_VALUE, maxC = -1, chMask = 0;
        while (head < tail) {
            int v = queue[head++], px = v >> 1, ch = v & 1, r = px / ww, k = px % ww;
            minR = Math.min(minR, r); maxR = Math.max(maxR, r);
            minC = Math.min(minC, k); maxC = Math.max(maxC, k);
            chMask |= 1 << ch;
            for (int dr = -1; dr <= 1; dr++) {
                int rr = r + dr;
                if (rr < 0 || rr >= wh) continue;
                for (int dk = -1; dk <= 1; dk++) {
                    int kk = k + dk;
                    if (kk < 0 || kk >= ww) continue;
                    int q = rr * ww + kk, m = mask[q];
                    for (int cc = 0; cc < 2; cc++) {
                        int u = q * 2 + cc;
                        if ((m >> cc & 1) != 0 && !seen[u]) {
                            seen[u] = true;
                            queue[tail++] = u;
                        }
                    }
                }
            }
        }
        if (chMask != 3 || maxR - minR + 1 < 2 || maxC - minC + 1 < 2) return null;
        return new Box(r0 + minR, r0 + maxR + 1, c0 + minC, c0 + maxC + 1);
    }

    /**
     * Writes the resized 2-channel crop of the pair into {@code out} at {@code offset}
     * ({@code 2 * size * size} values, 0 or 1). Returns false (writing nothing) when the pair is skipped.
     */
    public static boolean crop(int[] previous, int p, int[] current, int c, int width, int height, int size, float[] out, int offset) {
        Box b = box(previous, p, current, c, width, height);
        if (b == null) return false;
        render(previous, p, current, c, width, b, size, out, offset);
        return true;
    }

    /** The resize step alone: the box's two masks, nearest-resized to size x size, into {@code out} at {@code offset}. */
    public static void render(int[] previous, int p, int[] current, int c, int width, Box b, int size, float[] out, int offset) {
        if (size < 1) throw new IllegalArgumentException("crop size must be positive, got " + size);
        int h = b.height(), w = b.width(), plane = size * size;
        int[] srcCol = nearest(w, size), srcRow = nearest(h, size);
        for (int i = 0; i < size; i++) {
            int row = (b.row0() + srcRow[i]) * width + b.col0();
            int o = offset + i * size;
            for (int j = 0; j < size; j++) {
                int idx = row + srcCol[j];
                out[o + j] = previous[idx] == p ? 1f : 0f;
                out[o + plane + j] = current[idx] == c ? 1f : 0f;
            }
        }
    }

    /** PIL's NEAREST source index for each destination index: floor((dst + 0.5) * in / out), clamped. */
    static int[] nearest(int in, int out) {
        int[] s = new int[out];
        double scale = (double) in / out;
        for (int d = 0; d < out; d++) s[d] = Math.min(in - 1, (int) Math.floor((d + 0.5) * scale));
        return s;
    }

    private static int[] boxOf(int[] labels, int l, int width) {
        int[] x = null;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] != l) continue;
            int r = i / width, c = i % width;
            if (x == null) x = new int[]{r, r, c, c};
            else {
                x[1] = Math.max(x[1], r);
                x[2] = Math.min(x[2], c);
                x[3] = Math.max(x[3], c);
            }
        }
        return x;
    }

    /**
     * For each label c of {@code current} (1..maxCurrent), the positive labels of {@code previous} that
     * overlap it, ascending (the original's np.unique order); one pass over the pixels.
     */
    public static int[][] overlaps(int[] previous, int[] current, int maxCurrent) {
        java.util.HashSet<Long> seen = new java.util.HashSet<>();
        int[] count = new int[maxCurrent + 1];
        for (int i = 0; i < current.length; i++) {
            int c = current[i], p = previous[i];
            if (c <= 0 || c > maxCurrent || p <= 0) continue;
            if (seen.add(((long) c << 32) | p)) count[c]++;
        }
        int[][] out = new int[maxCurrent + 1][];
        for (int c = 0; c <= maxCurrent; c++) out[c] = new int[count[c]];
        int[] fill = new int[maxCurrent + 1];
        for (long key : seen) {
            int c = (int) (key >>> 32);
            out[c][fill[c]++] = (int) key;
        }
        for (int[] o : out) Arrays.sort(o);
        return out;
    }
}
