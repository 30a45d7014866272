package org.wpunet.train.data;

/**
 * What a {@link DataLoader} batches: {@code size()} samples of {@code crop() x crop()} pixels, each
 * made by {@link #fill} from (epoch, index, seed) alone, so any thread may make any sample.
 */
public interface Samples {
    int size();

    int crop();

    /** Writes sample {@code index} of the 1-based {@code epoch} into slot {@code slot} of {@code b}. */
    void fill(Batch b, int slot, int index, int epoch, long seed);

    /**
     * The samples of several datasets one after the other (several stacks in one run). Each part
     * draws its randomness with its own seed, so equal local indices of two parts get different
     * crops and augmentations.
     */
    static Samples concat(java.util.List<SliceDataset> parts) {
        if (parts.isEmpty()) throw new IllegalArgumentException("no datasets to combine");
        if (parts.size() == 1) return parts.get(0);
        int crop = parts.get(0).crop();
        int[] starts = new int[parts.size() + 1];
        for (int p = 0; p < parts.size(); p++) {
            if (parts.get(p).crop() != crop) throw new IllegalArgumentException("datasets with crops " + crop + " and " + parts.get(p).crop());
            starts[p + 1] = starts[p] + parts.get(p).size();
        }
        return new Samples() {
            @Override
            public int size() { return starts[parts.size()]; }

            @Override
            public int crop() { return crop; }

            @Override
            public void fill(Batch b, int slot, int index, int epoch, long seed) {
                java.util.Objects.checkIndex(index, size());
                int p = java.util.Arrays.binarySearch(starts, index);
                p = p >= 0 ? p : -p - 2;
                while (starts[p + 1] == starts[p]) p++;   // skip empty parts
                parts.get(p).fill(b, slot, index - starts[p], epoch, seed + 0x9E3779B97F4A7C15L * p);
            }
        };
    }
}
