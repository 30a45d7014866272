package org.wpunet.train.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One batch of N samples of H x W pixels, arrays row-major.
 *
 * @param images             [N,1,H,W] normalised (v/255 - mean)/std
 * @param previous           [N,1,H,W] previous-slice boundary coded -6 on boundary, 1 elsewhere
 * @param targets            [N,H,W] 0/1: the boundary dilated with a square (out-of-crop pixels ignored)
 * @param weights            [N,2,H,W] boundary weight map [background, boundary] of the undilated crop
 * @param boundaries         [N,H,W] 0/255 (255 as byte -1): the slice's true, undilated boundary crop (scoring, pictures)
 * @param previousImages     [N,1,H,W] the previous slice's image, same crop and augmentation, normalised
 * @param previousBoundaries [N,H,W] 0/255 (255 as byte -1): the previous slice's true boundary crop
 * @param sources            where each sample's {@code previous} came from
 * @param slices             0-based slice index in the stack of each sample
 */
public record Batch(int size, int height, int width, float[] images, float[] previous, float[] targets, float[] weights,
                    byte[] boundaries, float[] previousImages, byte[] previousBoundaries, PrevSource[] sources, int[] slices) {
    public Batch {
        if (size <= 0 || height <= 0 || width <= 0)
            throw new IllegalArgumentException("batch of " + size + " samples of " + width + "x" + height);
        int n = size * height * width;
        length("images", images.length, n);
        length("previous", previous.length, n);
        length("targets", targets.length, n);
        length("weights", weights.length, 2 * n);
        length("boundaries", boundaries.length, n);
        length("previousImages", previousImages.length, n);
        length("previousBoundaries", previousBoundaries.length, n);
        length("sources", sources.length, size);
        length("slices", slices.length, size);
    }

    private static void length(String name, int have, int want) {
        if (have != want) throw new IllegalArgumentException(name + " holds " + have + " values, expected " + want);
    }

    /** A batch of zeros (sources null) for {@code size} samples of {@code height x width}. */
    static Batch allocate(int size, int height, int width) {
        int n = size * height * width;
        return new Batch(size, height, width, new float[n], new float[n], new float[n], new float[2 * n], new byte[n], new float[n],
                new byte[n], new PrevSource[size], new int[size]);
    }

    /** Pixels per sample and channel. */
    public int plane() { return height * width; }

    /** Equal sizes and equal contents of every array (records compare arrays by identity otherwise). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && size == b.size && height == b.height && width == b.width
                && Arrays.equals(images, b.images) && Arrays.equals(previous, b.previous) && Arrays.equals(targets, b.targets)
                && Arrays.equals(weights, b.weights) && Arrays.equals(boundaries, b.boundaries) && Arrays.equals(previousImages, b.previousImages)
                && Arrays.equals(previousBoundaries, b.previousBoundaries) && Arrays.equals(sources, b.sources)
                && Arrays.equals(slices, b.slices);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, height, width, Arrays.hashCode(images), Arrays.hashCode(previous), Arrays.hashCode(targets),
                Arrays.hashCode(weights), Arrays.hashCode(boundaries), Arrays.hashCode(previousBoundaries), Arrays.hashCode(sources), Arrays.hashCode(slices));
    }

    @Override
    public String toString() {
        return "Batch[" + size + " x " + width + "x" + height + ", slices " + Arrays.toString(slices) + ", sources " + Arrays.toString(sources) + "]";
    }
}
