package org.wpunet.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.wpunet.core.io.AtomicFiles;
import java.util.stream.Stream;
import org.wpunet.image.Boundaries;
import org.wpunet.io.PngIO;

/**
 * Serial stacks as directories of PNG files, in the layout of the original WPU-Net code:
 * <pre>
 *   DIR/images/001.png   8-bit grey micrograph of slice 1
 *   DIR/labels/001.png   8-bit boundary map of slice 1 (255 boundary, 0 grain)
 *   DIR/grains/001.png   16-bit grain ids of slice 1 (ours: keeps the 3D ground truth; ids &lt; 65536)
 * </pre>
 * Files are numbered from 1 with at least three digits. Reading needs {@code images/} and
 * {@code labels/}; without {@code grains/}, grain ids come from each slice's boundary map
 * ({@link Boundaries#toGrains}: 4-connected regions, boundary pixels joined to a nearest grain), so
 * ids then do not link slices.
 */
public final class DirectoryStack {
    public static final String IMAGES = "images", LABELS = "labels", GRAINS = "grains";
    private static final Pattern NUMBERED = Pattern.compile("(\\d+)\\.png");

    private DirectoryStack() {}

    /** File name of slice {@code index} (0-based) in a stack of {@code slices}: 001.png, ... */
    public static String fileName(int index, int slices) {
        int digits = Math.max(3, Integer.toString(slices).length());
        return String.format("%0" + digits + "d.png", index + 1);
    }

    /**
     * Writes the stack as the directory {@code dir}. The whole stack is built in a temporary sibling
     * directory and then swapped in ({@link AtomicFiles#publish}), so {@code dir} is never half
     * written, and an existing directory is replaced as a whole (nothing of it is kept). Replacing a
     * non-empty existing directory needs {@code overwrite}; missing parent directories are created.
     */
    public static void write(SerialStack stack, Path dir, boolean overwrite) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + " exists and is not a directory");
        boolean empty = false;
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !overwrite) throw new IOException(dir + " exists and is not empty (use --force to overwrite)");
        }
        checkGrainIds(stack);
        AtomicFiles.createParentDirectories(dir);
        Path stage = AtomicFiles.stagingDirectory(dir);
        try {
            writeInto(stack, stage);
            AtomicFiles.publish(List.of(new AtomicFiles.Move(stage, dir)), overwrite || empty);
        } finally {
            AtomicFiles.discard(stage);
        }
    }

    /**
     * Writes {@code images/}, {@code labels/} and {@code grains/} of the stack into the existing
     * directory {@code dir} in place (for a directory that is itself a staging area).
     */
    public static void writeInto(SerialStack stack, Path dir) throws IOException {
        checkGrainIds(stack);
        if (!Files.isDirectory(dir)) throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no such directory");
        for (String sub : new String[] {IMAGES, LABELS, GRAINS})
            if (!Files.isDirectory(dir.resolve(sub))) Files.createDirectory(dir.resolve(sub)); // never re-creates a deleted dir
        int n = stack.slices(), w = stack.width(), h = stack.height();
        for (int k = 0; k < n; k++) {
            String name = fileName(k, n);
            PngIO.writeGray8(dir.resolve(IMAGES).resolve(name), stack.images()[k], w, h);
            PngIO.writeGray8(dir.resolve(LABELS).resolve(name), Boundaries.normalize(stack.boundaries()[k]), w, h);
            PngIO.writeGray16(dir.resolve(GRAINS).resolve(name), stack.labels()[k], w, h);
        }
    }

    private static void checkGrainIds(SerialStack stack) throws IOException {
        int max = 0;
        for (int[] l : stack.labels()) for (int v : l) max = Math.max(max, v);
        if (max > 65535) throw new IOException("grain ids up to " + max + " do not fit 16-bit PNG; write HDF5 instead");
    }

    /** Reads a stack written by {@link #write} or by the original code (images/ and labels/ only). */
    public static SerialStack read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException("no such directory: " + dir);
        List<Path> images = numbered(dir.resolve(IMAGES)), labels = numbered(dir.resolve(LABELS));
        if (images.isEmpty()) throw new IOException(dir + " has no images/NNN.png files");
        if (labels.size() != images.size())
            throw new IOException(dir + ": " + images.size() + " images but " + labels.size() + " label (boundary) files");
        Path grainsDir = dir.resolve(GRAINS);
        boolean haveGrains = Files.isDirectory(grainsDir);
        List<Path> grains = haveGrains ? numbered(grainsDir) : List.of();
        if (haveGrains && grains.size() != images.size())
            throw new IOException(dir + ": " + images.size() + " images but " + grains.size() + " grain files");
        int n = images.size(), w = -1, h = -1;
        byte[][] im = new byte[n][];
        byte[][] bd = new byte[n][];
        int[][] lb = new int[n][];
        for (int k = 0; k < n; k++) {
            var img = PngIO.readGray8(images.get(k));
            if (k == 0) { w = img.width(); h = img.height(); }
            check(img.width(), img.height(), images.get(k), w, h);
            im[k] = img.pixels();
            var b = PngIO.readGray8(labels.get(k));
            check(b.width(), b.height(), labels.get(k), w, h);
            bd[k] = Boundaries.normalize(b.pixels());
            if (haveGrains) {
                var g = PngIO.readLabels(grains.get(k));
                check(g.width(), g.height(), grains.get(k), w, h);
                lb[k] = g.labels();
            } else {
                lb[k] = Boundaries.toGrains(bd[k], w, h).labels();
            }
        }
        return new SerialStack(w, h, im, lb, bd);
    }

    private static List<Path> numbered(Path sub) throws IOException {
        if (!Files.isDirectory(sub)) return List.of();
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(sub)) {
            s.filter(p -> NUMBERED.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        }
        out.sort((a, b) -> Long.compare(number(a), number(b)));
        for (int i = 0; i < out.size(); i++)
            if (number(out.get(i)) != i + 1) throw new IOException(sub + ": slice " + (i + 1) + " is missing (found " + out.get(i).getFileName() + ")");
        return out;
    }

    private static long number(Path p) {
        var m = NUMBERED.matcher(p.getFileName().toString());
        if (!m.matches()) throw new IllegalStateException(p.toString());
        return Long.parseLong(m.group(1));
    }

    private static void check(int rw, int rh, Path p, int w, int h) throws IOException {
        if (rw != w || rh != h) throw new IOException(p + " is " + rw + "x" + rh + ", the stack is " + w + "x" + h);
    }
}
