package org.wpunet.data;

import java.util.Objects;

/**
 * A stack of serial sections with ground truth. Slice k holds
 * <ul>
 *   <li>{@code images[k]}: the 8-bit grey micrograph, width*height row-major (read bytes as unsigned);</li>
 *   <li>{@code labels[k]}: grain ids; the same id in two slices is the same 3D grain;</li>
 *   <li>{@code boundaries[k]}: 0 or 255 (as byte -1); 255 where the right or lower neighbour belongs
 *       to another grain, so boundaries are one pixel wide and closed.</li>
 * </ul>
 * Arrays are shared, not copied.
 */
public record SerialStack(int width, int height, byte[][] images, int[][] labels, byte[][] boundaries) {
    public SerialStack {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(boundaries, "boundaries");
        if (images.length == 0) throw new IllegalArgumentException("a stack needs at least one slice");
        if (labels.length != images.length || boundaries.length != images.length)
            throw new IllegalArgumentException("slice counts differ: images " + images.length + ", labels "
                    + labels.length + ", boundaries " + boundaries.length);
        int plane = width * height;
        for (int k = 0; k < images.length; k++) {
            if (images[k].length != plane || labels[k].length != plane || boundaries[k].length != plane)
                throw new IllegalArgumentException("slice " + (k + 1) + " does not have " + width + "x" + height + " pixels");
        }
    }

    /** Number of slices. */
    public int slices() { return images.length; }

    /** Slices [from, to) as a new stack sharing the arrays. */
    public SerialStack range(int from, int to) {
        Objects.checkFromToIndex(from, to, slices());
        if (from == to) throw new IllegalArgumentException("empty slice range " + from + ".." + to);
        return new SerialStack(width, height, java.util.Arrays.copyOfRange(images, from, to),
                java.util.Arrays.copyOfRange(labels, from, to), java.util.Arrays.copyOfRange(boundaries, from, to));
    }

    /** The grain labels as one 3D volume (a copy). */
    public LabelVolume labelVolume() { return LabelVolume.ofSlices(width, height, labels); }
}
