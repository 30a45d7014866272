package org.wpunet.tracking.cli;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.LabelVolume;
import org.wpunet.image.LabelImage;
import org.wpunet.io.FloatImage;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;
import org.wpunet.tracking.export.VolumeExports;

/**
 * The inputs of {@code track}: boundary maps, boundary probabilities and true label volumes in the
 * forms {@code segment} and {@code synth} write them. Every error names the file and the problem.
 */
final class TrackInputs {
    private TrackInputs() {}

    /** A stack of slices, all {@code width x height}; {@code source} says where they came from. */
    /**
     * @param numbers the 1-based slice numbers of the maps when their file names say them ({@code 021.png}, as
     *                {@code segment --slices 21-40} writes), else null
     */
    record Boundaries(int width, int height, byte[][] slices, String source, int[] numbers) {}

    /**
     * Boundary maps (non-zero = boundary, read as 255): a {@code segment} output directory (its
     * {@code boundary/*.png}), a directory of PNGs, or an HDF5 file with a dataset {@code boundary}
     * of shape (H, W, N) ({@code segmentation.h5} or a dataset file).
     */
    static Boundaries boundaries(Path p) throws IOException {
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
        if (Files.isDirectory(p)) {
            Path dir = Files.isDirectory(p.resolve(Hdf5Stack.BOUNDARY)) ? p.resolve(Hdf5Stack.BOUNDARY) : p;
            List<Path> files = list(dir, ".png");
            if (files.isEmpty()) throw new IllegalArgumentException(dir + ": no *.png boundary maps (the stack is empty)");
            byte[][] slices = new byte[files.size()][];
            int w = -1, h = -1;
            for (int k = 0; k < files.size(); k++) {
                Gray8Image g = PngIO.readGray8(files.get(k));
                if (k == 0) { w = g.width(); h = g.height(); }
                if (g.width() != w || g.height() != h)
                    throw new IllegalArgumentException(files.get(k) + " is " + g.width() + "x" + g.height() + ", " + files.get(0).getFileName()
                            + " is " + w + "x" + h + ": all slices must have one size");
                slices[k] = binary(g.pixels());
            }
            return new Boundaries(w, h, slices, dir.toString(), sliceNumbers(files));
        }
        if (isHdf5(p)) {
            Volume v = hdf5(p, Hdf5Stack.BOUNDARY);
            byte[][] slices = new byte[v.n][v.plane()];
            v.forEach((k, i, x) -> { if (x != 0) slices[k][i] = (byte) 255; });
            return new Boundaries(v.w, v.h, slices, p + ":" + Hdf5Stack.BOUNDARY, null);
        }
        throw new IllegalArgumentException(p + ": expected a directory of boundary PNGs (segment's output) or an HDF5 file with dataset 'boundary'");
    }

    /**
     * Boundary probabilities in [0, 1]: a directory of float TIFFs (or a {@code segment} output directory,
     * its {@code probability/*.tiff}), or an HDF5 file with a dataset {@code probability} (H, W, N); an
     * HDF5 file without one but with {@code boundary} (a dataset file: true boundaries) gives 0/1.
     */
    static float[][] probability(Path p, int width, int height, int slices) throws IOException {
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
        float[][] out;
        if (Files.isDirectory(p)) {
            Path dir = Files.isDirectory(p.resolve(Hdf5Stack.PROBABILITY)) ? p.resolve(Hdf5Stack.PROBABILITY) : p;
            List<Path> files = list(dir, ".tiff", ".tif");
            if (files.isEmpty()) throw new IllegalArgumentException(dir + ": no *.tiff probability maps");
            out = new float[files.size()][];
            for (int k = 0; k < files.size(); k++) {
                FloatImage f = TiffIO.readFloat(files.get(k));
                if (f.width() != width || f.height() != height)
                    throw new IllegalArgumentException(files.get(k) + " is " + f.width() + "x" + f.height() + ", the boundary maps are " + width + "x" + height);
                out[k] = f.values();
            }
        } else if (isHdf5(p)) {
            // a dataset file has no probability: its true boundaries (0/255) then serve as 0/1
            boolean has = hasDataset(p, Hdf5Stack.PROBABILITY);
            Volume v = hdf5(p, has || !hasDataset(p, Hdf5Stack.BOUNDARY) ? Hdf5Stack.PROBABILITY : Hdf5Stack.BOUNDARY);
            double scale = has ? 1 : 1 / 255.0;
            if (v.w != width || v.h != height)
                throw new IllegalArgumentException(p + ": probability slices are " + v.w + "x" + v.h + ", the boundary maps are " + width + "x" + height);
            float[][] o = new float[v.n][v.plane()];
            v.forEach((k, i, x) -> o[k][i] = (float) (x * scale));
            out = o;
        } else {
            throw new IllegalArgumentException(p + ": expected a directory of probability TIFFs (segment's output) or an HDF5 file with dataset 'probability'");
        }
        if (out.length != slices) throw new IllegalArgumentException(p + ": " + out.length + " probability slices for " + slices + " boundary maps");
        return out;
    }

    /** Where a probability for {@code boundaries} lies when the user gave none (segment's outputs), or null. */
    static Path probabilityBeside(Path boundaries) {
        if (Files.isDirectory(boundaries) && Files.isDirectory(boundaries.resolve(Hdf5Stack.PROBABILITY))) return boundaries;
        return isHdf5(boundaries) && hasDataset(boundaries, Hdf5Stack.PROBABILITY) ? boundaries : null;
    }

    private static boolean hasDataset(Path file, String name) {
        try (HdfFile hdf = new HdfFile(file)) {
            return hdf.getChildren().get(name) instanceof Dataset;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A true 3D label volume: an HDF5 file with a dataset {@code label} (H, W, N) (a dataset file or
     * {@code label.h5}), a directory with {@code images/} and {@code labels/} (synth's directory layout),
     * or a 32-bit TIFF stack of labels.
     */
    static LabelVolume truth(Path p) throws IOException {
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
        if (Files.isDirectory(p)) return DirectoryStack.read(p).labelVolume();
        if (isHdf5(p)) return VolumeExports.readHdf5(p);
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".tif") || n.endsWith(".tiff")) {
            List<LabelImage> pages = TiffIO.readStack(p);
            if (pages.isEmpty()) throw new IllegalArgumentException(p + ": no pages");
            int w = pages.get(0).width(), h = pages.get(0).height();
            int[][] planes = new int[pages.size()][];
            for (int k = 0; k < planes.length; k++) planes[k] = pages.get(k).labels();
            return LabelVolume.ofSlices(w, h, planes);
        }
        throw new IllegalArgumentException(p + ": expected an HDF5 file with dataset 'label', a directory with labels/, or a label TIFF stack");
    }

    private static boolean isHdf5(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".h5") || n.endsWith(".hdf5"));
    }

    private static byte[] binary(byte[] pixels) {
        byte[] b = new byte[pixels.length];
        for (int i = 0; i < b.length; i++) if (pixels[i] != 0) b[i] = (byte) 255;
        return b;
    }

    /** 1-based slice numbers from names like {@code 021.png} (all of them, increasing), else null. */
    static int[] sliceNumbers(List<Path> files) {
        int[] n = new int[files.size()];
        for (int k = 0; k < n.length; k++) {
            String name = files.get(k).getFileName().toString();
            String stem = name.substring(0, name.lastIndexOf('.'));
            if (!stem.matches("\\d{1,9}")) return null;
            n[k] = Integer.parseInt(stem);
            if (n[k] < 1 || (k > 0 && n[k] <= n[k - 1])) return null;
        }
        return n;
    }

    private static List<Path> list(Path dir, String... endings) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return Files.isRegularFile(f) && Arrays.stream(endings).anyMatch(n::endsWith);
            }).sorted().toList();
        }
    }

    @FunctionalInterface
    private interface Sink { void put(int slice, int pixel, double value); }

    /** An (H, W, N) dataset read flat (C order: index (y * W + x) * N + k). */
    private record Volume(int h, int w, int n, Object flat) {
        int plane() { return w * h; }

        void forEach(Sink sink) {
            int plane = plane();
            switch (flat) {
                case byte[] a -> { for (int j = 0; j < a.length; j++) sink.put(j % n, j / n, a[j] & 0xFF); }
                case short[] a -> { for (int j = 0; j < a.length; j++) sink.put(j % n, j / n, a[j]); }
                case int[] a -> { for (int j = 0; j < a.length; j++) sink.put(j % n, j / n, a[j]); }
                case long[] a -> { for (int j = 0; j < a.length; j++) sink.put(j % n, j / n, a[j]); }
                case float[] a -> { for (int j = 0; j < a.length; j++) sink.put(j % n, j / n, a[j]); }
                case double[] a -> { for (int j = 0; j < a.length; j++) sink.put(j % n, j / n, a[j]); }
                default -> throw new IllegalStateException("unexpected element array " + flat.getClass().getSimpleName());
            }
            if (plane == 0) throw new IllegalStateException("empty dataset");
        }
    }

    private static Volume hdf5(Path file, String name) throws IOException {
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + " as HDF5 (truncated or not an HDF5 file): " + e.getMessage(), e);
        }
        try (hdf) {
            Node node = hdf.getChildren().get(name);
            if (!(node instanceof Dataset d))
                throw new IOException(file + " has no dataset '" + name + "' (found: " + hdf.getChildren().keySet() + ")");
            int[] dims = d.getDimensions();
            if (dims.length != 3) throw new IOException(file + ": dataset '" + name + "' has shape " + Arrays.toString(dims) + ", expected (H, W, N)");
            if (dims[2] == 0) throw new IllegalArgumentException(file + ": dataset '" + name + "' has no slices (the stack is empty)");
            if (dims[0] == 0 || dims[1] == 0 || (long) dims[0] * dims[1] * dims[2] > Integer.MAX_VALUE - 8)
                throw new IOException(file + ": unsupported shape " + Arrays.toString(dims) + " of dataset '" + name + "'");
            return new Volume(dims[0], dims[1], dims[2], d.getDataFlat());
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) throw e;
            throw new IOException("cannot read " + file + " (damaged HDF5 file?): " + e, e);
        }
    }
}
