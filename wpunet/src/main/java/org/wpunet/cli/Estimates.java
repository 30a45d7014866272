package org.wpunet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Memory estimates made before the work starts, so that a run too large for the heap stops at once
 * with the figure and the fix instead of an OutOfMemoryError minutes later.
 */
public final class Estimates {
    private Estimates() {}

    /** The advice that every memory error ends with. */
    public static final String HEAP_ADVICE = "give the JVM more heap, e.g. WPUNET_JAVA_OPTS=-Xmx16g bin/wpunet ...";

    /**
     * Refuses {@code what} when {@code bytes} exceeds the maximum heap, naming both figures, the
     * options that set the size ({@code sizeOptions}) and the fix.
     */
    public static void requireHeap(String what, long bytes, String sizeOptions) {
        long max = Runtime.getRuntime().maxMemory();
        if (bytes > max) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s with %s needs about %s of memory, more than the %s heap; choose a smaller size or %s", what, sizeOptions,
                    human(bytes), human(max), HEAP_ADVICE));
        }
    }

    /**
     * synth: the label volume (int), images and boundaries (bytes) and the HDF5 copy of all three,
     * about 12 bytes a voxel (16 for Potts, which keeps a spin per voxel), plus the renderer's float
     * planes (about 32 bytes a pixel for each worker thread).
     */
    public static long synthBytes(int width, int height, int slices, boolean potts) {
        long plane = (long) width * height;
        int threads = Runtime.getRuntime().availableProcessors();
        return plane * slices * (potts ? 16 : 12) + plane * 32L * threads;
    }

    /**
     * eval of one W x H pair: two 8-bit maps, two int label images, the labelled contingency and
     * the distance transforms of Pratt's figure of merit: about 40 bytes a pixel.
     */
    public static long evalPairBytes(int width, int height) { return (long) width * height * 40; }

    /**
     * segment's HDF5 copy of a whole stack: boundary (1 byte), probability (4) and grains (4) per
     * voxel, held for the stack and again as the writer's H x W x N arrays (one small array per
     * pixel, about 3 x 24 bytes of headers): 18 bytes a voxel plus 72 a pixel.
     */
    public static long segmentationH5Bytes(int width, int height, int slices) {
        long plane = (long) width * height;
        return plane * slices * 18 + plane * 72;
    }

    /**
     * train, CPU: one training step's activations and their gradients. Each of the five levels l keeps
     * about 14 float planes per channel (the encoder's and decoder's two convolutions with fused batch
     * norm + ReLU, the concatenation, and their gradients), at (crop / 2^l)^2 pixels and widths[l]
     * channels, for every sample of the batch; plus the validation tiles' forward. Calibrated on the
     * small preset: 14 x 4 bytes gives 0.78 GiB for widths 16..256, batch 8, crop 256, where a step
     * measured 0.84 GiB (benchmarks/compare-wpunet-cpu.sh).
     */
    public static long trainStepBytes(int[] widths, int batch, int crop) {
        long perSample = 0;
        for (int l = 0; l < widths.length; l++) {
            long side = crop >> l;
            perSample += 14L * widths[l] * side * side * Float.BYTES;
        }
        return perSample * batch;
    }

    /** The training stacks in memory: image and boundary (1 byte each) and label (4) per voxel, plus weight maps per crop. */
    public static long stackBytes(long voxels) { return voxels * 6; }

    /** Width and height of an image file from its header (nothing decoded), or null if no reader knows it. */
    public static int[] imageSize(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) return null;
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) return null;
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                return new int[] {r.getWidth(0), r.getHeight(0)};
            } finally {
                r.dispose();
            }
        }
    }

    /** 1536 MiB -> "1.5 GiB". */
    static String human(long bytes) {
        if (bytes >= 1L << 30) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        return String.format(Locale.ROOT, "%d MiB", Math.max(1, bytes >> 20));
    }
}
