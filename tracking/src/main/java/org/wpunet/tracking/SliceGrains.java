package org.wpunet.tracking;

import java.util.Arrays;
import org.wpunet.image.ConnectedComponents;
import org.wpunet.image.LabelImage;

/**
 * The grains of one boundary map by the original's rule ({@code utility.get_label_from_boundary},
 * ORIGINAL.md section 8), every pixel labelled:
 * <ol>
 *   <li>the image's outer rows and columns are forced to boundary;</li>
 *   <li>the non-boundary pixels are labelled as 4-connected components 1..n in raster order;</li>
 *   <li>the grains, sorted by area descending (stable: equal areas keep label order), each paint their
 *       3x3-cross dilation (the grain and its 4-neighbours) with their label, so a smaller grain,
 *       painted later, wins a boundary pixel it shares with a larger one;</li>
 *   <li>while unlabelled pixels remain, the unlabelled pixels of a snapshot are visited in raster order
 *       and each copies the first labelled one of its up, down, left, right neighbours (in place: a
 *       pixel visited later in the same pass sees the fills made earlier in it).</li>
 * </ol>
 * Neighbours outside the image are skipped. ORIGINAL.md does not say how the original treats them; code
 * indexing numpy arrays without a bounds check would read index -1 as the last row or column, which could
 * only change the label of a few image-border pixels. A map without any grain pixel (where the original
 * would loop for ever) is one grain, label 1.
 */
public final class SliceGrains {
    private SliceGrains() {}

    /** Grains of {@code boundary} (row-major, non-zero = boundary) as labels 1..n on every pixel. */
    public static LabelImage of(byte[] boundary, int width, int height) {
        if (width <= 0 || height <= 0 || (long) width * height != boundary.length)
            throw new IllegalArgumentException("boundary map of " + boundary.length + " pixels does not match " + width + "x" + height);
        int n = boundary.length;
        byte[] grain = new byte[n];
        for (int y = 1; y < height - 1; y++)
            for (int x = 1; x < width - 1; x++) {
                int i = x + width * y;
                if (boundary[i] == 0) grain[i] = 1;
            }
        int[] comp = ConnectedComponents.labelMask(grain, width, height, 4).labels();
        int count = ConnectedComponents.count(comp);
        int[] out = new int[n];
        if (count == 0) {
            Arrays.fill(out, 1);
            return new LabelImage(width, height, out);
        }
        paintLargestFirst(comp, count, out, width, height);
        fillLeftovers(out, width, height);
        return new LabelImage(width, height, out);
    }

    /** Step 3: each grain paints itself and its 4-neighbours, largest grain first (stable order). */
    private static void paintLargestFirst(int[] comp, int count, int[] out, int width, int height) {
        int n = comp.length;
        int[] area = new int[count + 1];
        for (int v : comp) area[v]++;
        // pixels grouped by grain (counting sort), raster order within a grain
        int[] start = new int[count + 2];
        for (int l = 1; l <= count; l++) start[l + 1] = start[l] + area[l];
        int[] pixels = new int[start[count + 1]];
        int[] fill = Arrays.copyOf(start, count + 1);
        for (int i = 0; i < n; i++) if (comp[i] != 0) pixels[fill[comp[i]]++] = i;
        // stable sort by area descending: key = (-area, label)
        long[] order = new long[count];
        for (int l = 1; l <= count; l++) order[l - 1] = ((long) (Integer.MAX_VALUE - area[l]) << 32) | l;
        Arrays.sort(order);
        for (long key : order) {
            int l = (int) key;
            for (int p = start[l]; p < start[l + 1]; p++) {
                int i = pixels[p], x = i % width;
                out[i] = l;
                if (x > 0) out[i - 1] = l;
                if (x + 1 < width) out[i + 1] = l;
                if (i >= width) out[i - width] = l;
                if (i + width < n) out[i + width] = l;
            }
        }
    }

    /** Step 4: repeated raster passes over the still unlabelled pixels, copying up, down, left, right. */
    private static void fillLeftovers(int[] out, int width, int height) {
        int n = out.length, zeros = 0;
        for (int v : out) if (v == 0) zeros++;
        int[] todo = new int[zeros];
        int k = 0;
        for (int i = 0; i < n; i++) if (out[i] == 0) todo[k++] = i;
        while (zeros > 0) {
            int left = 0;
            for (int t = 0; t < zeros; t++) {
                int i = todo[t], x = i % width, v = 0;
                if (i >= width && out[i - width] != 0) v = out[i - width];
                else if (i + width < n && out[i + width] != 0) v = out[i + width];
                else if (x > 0 && out[i - 1] != 0) v = out[i - 1];
                else if (x + 1 < width && out[i + 1] != 0) v = out[i + 1];
                if (v != 0) out[i] = v; else todo[left++] = i;
            }
            if (left == zeros) throw new IllegalStateException("unlabelled pixels cannot be reached"); // impossible: a grain exists
            zeros = left;
        }
    }
}
