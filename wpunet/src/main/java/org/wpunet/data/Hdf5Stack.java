package org.wpunet.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.image.Boundaries;

/**
 * Serial stacks in HDF5, in the layout of the published pure-iron dataset: three datasets of shape
 * (H, W, N) in C order (the slice index varies fastest), as h5py writes them:
 * <ul>
 *   <li>{@code image}: uint8 micrographs;</li>
 *   <li>{@code label}: integer grain ids (written as int32);</li>
 *   <li>{@code boundary}: uint8, 0 or 255.</li>
 * </ul>
 * Reading accepts any 8- to 64-bit integer type (signed or unsigned) for each dataset, contiguous or
 * chunked and compressed. Files are written chunked and deflate-compressed through a temporary file
 * renamed into place ({@link AtomicFiles}), so a failed write never leaves a partial file.
 */
public final class Hdf5Stack {
    public static final String IMAGE = "image", LABEL = "label", BOUNDARY = "boundary";
    /** Rows read per slab, so reading never holds a second copy of a whole dataset. */
    private static final int BAND = 32;

    private Hdf5Stack() {}

    /** Reads a stack; the label dataset is required, the boundary dataset is derived from it when absent. */
    public static SerialStack read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("no such file: " + file);
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + " as HDF5 (truncated or not an HDF5 file): " + e.getMessage(), e);
        }
        try (hdf) {
            Dataset image = dataset(hdf, file, IMAGE, true), label = dataset(hdf, file, LABEL, true),
                    boundary = dataset(hdf, file, BOUNDARY, false);
            int[] dims = image.getDimensions();
            if (dims.length != 3)
                throw new IOException(file + ": dataset 'image' has shape " + java.util.Arrays.toString(dims) + ", expected (H, W, N)");
            for (Dataset d : new Dataset[] {label, boundary}) {
                if (d != null && !java.util.Arrays.equals(d.getDimensions(), dims))
                    throw new IOException(file + ": dataset '" + d.getName() + "' has shape " + java.util.Arrays.toString(d.getDimensions())
                            + ", 'image' has " + java.util.Arrays.toString(dims));
            }
            int h = dims[0], w = dims[1], n = dims[2];
            if ((long) h * w > Integer.MAX_VALUE - 8 || h == 0 || w == 0 || n == 0)
                throw new IOException(file + ": unsupported image size " + h + "x" + w + " with " + n + " slices");
            byte[][] images = new byte[n][h * w];
            int[][] labels = new int[n][h * w];
            byte[][] boundaries = new byte[n][h * w];
            // only 8-bit micrographs: wider integers are taken as they are when they fit in 0..255, else refused
            // (reading them modulo 256 would be silent garbage, and any scaling a guess)
            boolean wide = image.getJavaType() != byte.class;
            String type = typeName(image);
            readInto(image, file, h, w, n, (k, i, v) -> {
                if (wide && (v < 0 || v > 255)) {
                    throw new IllegalStateException("dataset 'image' (" + type + ") holds the value " + v + " at slice " + (k + 1) + ", x " + (i % w)
                            + ", y " + (i / w) + "; only 8-bit images (0..255) are supported: convert the stack to uint8 first "
                            + "(e.g. numpy: (img * 255.0 / img.max()).astype('uint8'))");
                }
                images[k][i] = (byte) v;
            });
            readInto(label, file, h, w, n, (k, i, v) -> {
                if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalStateException("label " + v + " out of range");
                labels[k][i] = (int) v;
            });
            if (boundary != null) readInto(boundary, file, h, w, n, (k, i, v) -> boundaries[k][i] = v != 0 ? (byte) 255 : 0);
            else for (int k = 0; k < n; k++) boundaries[k] = Boundaries.fromLabels(labels[k], w, h);
            return new SerialStack(w, h, images, labels, boundaries);
        } catch (IllegalStateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("cannot read " + file + " (truncated or damaged HDF5 file?): " + e, e);
        }
    }

    private static Dataset dataset(HdfFile hdf, Path file, String name, boolean required) throws IOException {
        Node node = hdf.getChildren().get(name);
        if (node == null) {
            if (!required) return null;
            throw new IOException(file + " has no dataset '" + name + "' (found: " + hdf.getChildren().keySet()
                    + "); expected datasets image, label, boundary of shape (H, W, N)");
        }
        if (!(node instanceof Dataset d)) throw new IOException(file + ": '" + name + "' is not a dataset");
        Class<?> t = d.getJavaType();
        if (!(t == byte.class || t == short.class || t == int.class || t == long.class))
            throw new IOException(file + ": dataset '" + name + "' has element type " + t.getSimpleName()
                    + ", expected an integer type (uint8 for image and boundary)");
        return d;
    }

    /** "uint16", "int32", ... for a fixed-point dataset, else the Java type. */
    private static String typeName(Dataset d) {
        if (d.getDataType() instanceof io.jhdf.object.datatype.FixedPoint fp) return (fp.isSigned() ? "int" : "uint") + fp.getSize() * 8;
        return d.getJavaType().getSimpleName();
    }

    @FunctionalInterface
    private interface Sink { void put(int slice, int pixel, long value); }

    /** Reads (H, W, N) in bands of rows and hands every value to {@code sink} as (slice, y*W+x). */
    private static void readInto(Dataset d, Path file, int h, int w, int n, Sink sink) {
        for (int y0 = 0; y0 < h; y0 += BAND) {
            int rows = Math.min(BAND, h - y0);
            Object band;
            try {
                band = d.getData(new long[] {y0, 0, 0}, new int[] {rows, w, n});
            } catch (UnsupportedOperationException e) {
                band = null;
            }
            if (band == null) { // slab reads unsupported for this layout: read it all once
                copy(d.getData(), 0, h, w, n, sink);
                return;
            }
            copy(band, y0, rows, w, n, sink);
        }
    }

    private static void copy(Object data, int y0, int rows, int w, int n, Sink sink) {
        for (int r = 0; r < rows; r++) {
            Object row = ((Object[]) data)[r];
            int base = (y0 + r) * w;
            for (int x = 0; x < w; x++) {
                Object px = ((Object[]) row)[x];
                switch (px) {
                    case byte[] a -> { for (int k = 0; k < n; k++) sink.put(k, base + x, a[k]); }
                    case short[] a -> { for (int k = 0; k < n; k++) sink.put(k, base + x, a[k]); }
                    case int[] a -> { for (int k = 0; k < n; k++) sink.put(k, base + x, a[k]); }
                    case long[] a -> { for (int k = 0; k < n; k++) sink.put(k, base + x, a[k]); }
                    default -> throw new IllegalStateException("unexpected element array " + px.getClass().getSimpleName());
                }
            }
        }
    }

    /** Writes {@code stack}; an existing file is replaced only when {@code overwrite}. */
    public static void write(SerialStack stack, Path file, boolean overwrite) throws IOException {
        if (Files.isDirectory(file)) throw new IOException("cannot write " + file + ": is a directory");
        if (Files.exists(file) && !overwrite) throw new IOException(file + " exists (use --force to overwrite)");
        int h = stack.height(), w = stack.width(), n = stack.slices();
        byte[][][] image = new byte[h][w][n], boundary = new byte[h][w][n];
        int[][][] label = new int[h][w][n];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                byte[] im = image[y][x], bd = boundary[y][x];
                int[] lb = label[y][x];
                for (int k = 0; k < n; k++) {
                    im[k] = stack.images()[k][i];
                    bd[k] = stack.boundaries()[k][i] != 0 ? (byte) 255 : 0;
                    lb[k] = stack.labels()[k][i];
                }
            }
        // chunks of (64, 64, N): a whole column of slices per chunk, about 160 KB of labels
        int[] chunk = {Math.min(h, 64), Math.min(w, 64), n};
        var u8 = DatasetCreationOptions.builder().unsigned().chunkDimensions(chunk).deflate(1).build();
        var i32 = DatasetCreationOptions.builder().chunkDimensions(chunk).deflate(1).build();
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, overwrite, tmp -> {
            try (var out = HdfFile.write(tmp)) {
                out.putDataset(IMAGE, image, u8);
                out.putDataset(LABEL, label, i32);
                out.putDataset(BOUNDARY, boundary, u8);
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
        });
    }

    /** Dataset names of {@link #writeSegmentation}. */
    public static final String PROBABILITY = "probability", GRAINS = "grains";

    /**
     * Writes a segmentation as H x W x N datasets, the layout of the input stacks: {@code boundary}
     * (uint8, 0/255), {@code probability} (float32) and {@code grains} (int32 labels), atomically.
     * Slices are given row-major, {@code width * height} each.
     */
    public static void writeSegmentation(Path file, int width, int height, List<byte[]> boundary, List<float[]> probability,
                                         List<int[]> grains) throws IOException {
        int n = boundary.size(), h = height, w = width;
        if (probability.size() != n || grains.size() != n) throw new IllegalArgumentException("slice counts differ");
        byte[][][] bd = new byte[h][w][n];
        float[][][] pr = new float[h][w][n];
        int[][][] gr = new int[h][w][n];
        for (int k = 0; k < n; k++) {
            byte[] b = boundary.get(k);
            float[] p = probability.get(k);
            int[] g = grains.get(k);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    bd[y][x][k] = b[i];
                    pr[y][x][k] = p[i];
                    gr[y][x][k] = g[i];
                }
        }
        int[] chunk = {Math.min(h, 64), Math.min(w, 64), n};
        var u8 = DatasetCreationOptions.builder().unsigned().chunkDimensions(chunk).deflate(1).build();
        var plain = DatasetCreationOptions.builder().chunkDimensions(chunk).deflate(1).build();
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, true, tmp -> {
            try (var out = HdfFile.write(tmp)) {
                out.putDataset(BOUNDARY, bd, u8);
                out.putDataset(PROBABILITY, pr, plain);
                out.putDataset(GRAINS, gr, plain);
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
        });
    }
}
