package org.wpunet.tracking.cnn;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.wpunet.data.LabelVolume;

/**
 * The tracker's training pairs (the original's {@code produce_two_slice_data}): from ground-truth 3D
 * label volumes, for every pair of adjacent slices (z-1, z), every grain c of slice z and every grain p
 * of slice z-1 that overlaps it, the crop of {@link PairCrop}; class 0 when p == c (the same 3D grain),
 * 1 otherwise; pairs the original skips (first component in one channel, thinner than 2 pixels) are
 * left out. Crops are made on demand, so a dataset costs a few ints per pair.
 */
public final class PairDataset {
    private final List<int[][]> slices = new ArrayList<>();   // per volume, its planes
    private final List<Integer> widths = new ArrayList<>();
    private int n;
    private int[] volume = new int[1024], z = new int[1024], current = new int[1024], previous = new int[1024], label = new int[1024];
    private int[] boxes = new int[4096];
    private final int[] counts = new int[2];

    private PairDataset() {}

    /**
     * The pairs of slice pairs (z-1, z) with {@code from <= z < to} in each volume, where from/to are the
     * fractions {@code [fromFraction, toFraction)} of the volume's depth-1 slice pairs, rounded (so
     * 0-0.75 and 0.75-1 split a volume's pairs without overlap).
     */
    public static PairDataset of(List<LabelVolume> volumes, double fromFraction, double toFraction) {
        PairDataset d = new PairDataset();
        for (LabelVolume v : volumes) {
            int pairs = v.depth() - 1;
            int z0 = 1 + (int) Math.round(fromFraction * pairs), z1 = 1 + (int) Math.round(toFraction * pairs);
            int[][] planes = new int[v.depth()][];
            for (int k = Math.max(0, z0 - 1); k < Math.min(v.depth(), z1); k++) planes[k] = v.slice(k);
            int vi = d.slices.size();
            d.slices.add(planes);
            d.widths.add(v.width());
            for (int k = z0; k < z1; k++) d.addSlicePair(vi, k, planes[k - 1], planes[k], v.width(), v.height());
        }
        return d;
    }

    private void addSlicePair(int vi, int k, int[] prev, int[] cur, int width, int height) {
        int maxC = 0, maxP = 0;
        for (int l : cur) maxC = Math.max(maxC, l);
        for (int l : prev) maxP = Math.max(maxP, l);
        int[][] bc = PairCrop.boxes(cur, width, maxC), bp = PairCrop.boxes(prev, width, maxP);
        int[][] ov = PairCrop.overlaps(prev, cur, maxC);
        for (int c = 1; c <= maxC; c++) {
            for (int p : ov[c]) {
                PairCrop.Box b = PairCrop.box(prev, p, cur, c, width, height, bp[p], bc[c]);
                if (b == null) continue;
                add(vi, k, c, p, p == c ? 0 : 1, b);
            }
        }
    }

    private void add(int vi, int k, int c, int p, int cls, PairCrop.Box b) {
        if (n == volume.length) {
            int m = n * 2;
            volume = java.util.Arrays.copyOf(volume, m);
            z = java.util.Arrays.copyOf(z, m);
            current = java.util.Arrays.copyOf(current, m);
            previous = java.util.Arrays.copyOf(previous, m);
            label = java.util.Arrays.copyOf(label, m);
            boxes = java.util.Arrays.copyOf(boxes, 4 * m);
        }
        volume[n] = vi; z[n] = k; current[n] = c; previous[n] = p; label[n] = cls;
        boxes[4 * n] = b.row0(); boxes[4 * n + 1] = b.row1(); boxes[4 * n + 2] = b.col0(); boxes[4 * n + 3] = b.col1();
        counts[cls]++;
        n++;
    }

    public int size() { return n; }

    /** Class of pair i: 0 = same grain, 1 = different grains. */
    public int label(int i) { return label[i]; }

    /** Number of pairs of class 0 (same grain). */
    public int sameCount() { return counts[0]; }

    /** Number of pairs of class 1 (different grains). */
    public int differentCount() { return counts[1]; }

    /** "z-1 -> z: previous p, current c" of pair i, for messages. */
    public String describe(int i) {
        return "volume " + volume[i] + ", slices " + (z[i] - 1) + "->" + z[i] + ", previous grain " + previous[i] + ", current grain " + current[i];
    }

    /** Writes pair i's crop (2 x size x size, values 0/1) at {@code offset}. */
    public void crop(int i, int size, float[] out, int offset) {
        int[][] planes = slices.get(volume[i]);
        PairCrop.Box b = new PairCrop.Box(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
        PairCrop.render(planes[z[i] - 1], previous[i], planes[z[i]], current[i], widths.get(volume[i]), b, size, out, offset);
    }

    /**
     * A batch: the crops of {@code indices} into {@code out} ([N, 2, size, size]) and their classes
     * into {@code target}; with {@code augmentSeed} non-null each crop gets the training augmentation
     * from a generator seeded by (augmentSeed, pair index), so a batch is a pure function of its inputs.
     */
    public void batch(int[] indices, int size, float[] out, int[] target, Long augmentSeed) {
        int per = 2 * size * size;
        float[] tmp = augmentSeed == null ? null : new float[per];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            target[k] = label[i];
            if (tmp == null) crop(i, size, out, k * per);
            else {
                crop(i, size, tmp, 0);
                SplittableRandom rnd = new SplittableRandom(augmentSeed * 0x9E3779B97F4A7C15L + i);
                PairTransforms.augment(tmp, 0, out, k * per, size, rnd);
            }
        }
    }
}
