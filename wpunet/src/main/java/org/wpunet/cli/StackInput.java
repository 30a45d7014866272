package org.wpunet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.image.LabelImage;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;

/**
 * The stacks users point the tool at: an HDF5 file in the pure-iron layout (image, label, boundary:
 * H x W x N), a directory (images/ + labels/ with ground truth, or images/ alone, or PNG files
 * directly), a multi-page TIFF stack or a single image. Images are 8-bit grey; 16-bit data is an
 * error saying so (we would have to guess how to map it to 8 bits).
 *
 * @param images     8-bit grey slices, row-major
 * @param truth      the true boundaries (0/255) when the input has ground truth, else null
 * @param names      file name of each slice's outputs: 001.png, ... (the dataset's numbering)
 */
record StackInput(int width, int height, List<byte[]> images, byte[][] truth, List<String> names, Path source) {

    int slices() { return images.size(); }

    /** Reads {@code p} whatever its kind; an error names the file and the problem. */
    static StackInput read(Path p) throws IOException {
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            if (Files.isDirectory(p.resolve(DirectoryStack.LABELS))) return of(DirectoryStack.read(p), p);
            Path dir = Files.isDirectory(p.resolve(DirectoryStack.IMAGES)) ? p.resolve(DirectoryStack.IMAGES) : p;
            return pngDirectory(dir, p);
        }
        if (n.endsWith(".h5") || n.endsWith(".hdf5") || n.endsWith(".hdf")) return of(Hdf5Stack.read(p), p);
        if (n.endsWith(".tif") || n.endsWith(".tiff")) return tiff(p);
        if (n.endsWith(".png")) {
            Gray8Image g = PngIO.readGray8(p);
            return new StackInput(g.width(), g.height(), List.of(g.pixels()), null, List.of(DirectoryStack.fileName(0, 1)), p);
        }
        throw new IllegalArgumentException(p + ": expected an HDF5 file (.h5), a TIFF stack (.tif), a PNG image or a directory of PNGs");
    }

    /** A stack with ground truth (HDF5, or a directory with images/ and labels/), for training. */
    static SerialStack readWithTruth(Path p) throws IOException {
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString());
        if (Files.isDirectory(p)) return DirectoryStack.read(p);
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".h5") || n.endsWith(".hdf5") || n.endsWith(".hdf")) return Hdf5Stack.read(p);
        throw new IllegalArgumentException(p + ": expected an HDF5 file (.h5, .hdf5) or a directory with images/ and labels/");
    }

    static StackInput of(SerialStack s, Path source) {
        List<String> names = new ArrayList<>();
        for (int k = 0; k < s.slices(); k++) names.add(DirectoryStack.fileName(k, s.slices()));
        return new StackInput(s.width(), s.height(), List.of(s.images()), s.boundaries(), names, source);
    }

    /** Slices [from, to) (0-based). */
    StackInput range(int from, int to) {
        return new StackInput(width, height, images.subList(from, to), truth == null ? null : java.util.Arrays.copyOfRange(truth, from, to),
                names.subList(from, to), source);
    }

    private static StackInput pngDirectory(Path dir, Path source) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException(dir + ": no *.png images");
        List<byte[]> images = new ArrayList<>();
        int w = -1, h = -1;
        for (Path f : files) {
            Gray8Image g = PngIO.readGray8(f);
            if (w < 0) { w = g.width(); h = g.height(); }
            if (g.width() != w || g.height() != h)
                throw new IllegalArgumentException(f + " is " + g.width() + "x" + g.height() + ", the first image " + w + "x" + h);
            images.add(g.pixels());
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < files.size(); k++) names.add(DirectoryStack.fileName(k, files.size()));
        return new StackInput(w, h, images, null, names, source);
    }

    private static StackInput tiff(Path p) throws IOException {
        List<LabelImage> pages = TiffIO.readStack(p);
        if (pages.isEmpty()) throw new IllegalArgumentException(p + ": no pages");
        int w = pages.get(0).width(), h = pages.get(0).height();
        List<byte[]> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int k = 0; k < pages.size(); k++) {
            LabelImage pg = pages.get(k);
            if (pg.width() != w || pg.height() != h)
                throw new IllegalArgumentException(p + ": page " + (k + 1) + " is " + pg.width() + "x" + pg.height() + ", page 1 is " + w + "x" + h);
            int[] v = pg.labels();
            byte[] b = new byte[v.length];
            for (int i = 0; i < v.length; i++) {
                if (v[i] < 0 || v[i] > 255) {
                    throw new IllegalArgumentException(p + ": page " + (k + 1) + " has grey value " + v[i] + " at x " + (i % w) + ", y " + (i / w)
                            + ": 16-bit data is not supported; convert the stack to 8 bits (e.g. in Fiji: Image > Type > 8-bit)");
                }
                b[i] = (byte) v[i];
            }
            images.add(b);
            names.add(DirectoryStack.fileName(k, pages.size()));
        }
        return new StackInput(w, h, images, null, names, p);
    }
}
