package org.wpunet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.image.ConnectedComponents;
import org.wpunet.image.LabelImage;
import org.wpunet.io.FloatImage;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;
import org.wpunet.train.weights.BoundaryWeightMap;
import org.wpunet.train.weights.WeightMapPreview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wpunet weights --boundary FILE --out DIR [--force]}: the adaptive boundary weight map
 * ({@link BoundaryWeightMap}) of a whole 0/255 boundary image, written as two float32 TIFFs and a
 * colour preview. The three files are staged in DIR and published together ({@link AtomicFiles#publish}):
 * either all three are the new ones or none changed. The tool never deletes or replaces anything but
 * its own three files.
 */
@Command(name = "weights", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Compute the original WPU-Net's adaptive boundary weight map of a boundary image "
                + "(PNG or TIFF, 8-bit, 0 = grain, 255 = boundary).",
                "Writes DIR/" + WeightsCommand.BACKGROUND + " and DIR/" + WeightsCommand.BOUNDARY
                        + " (32-bit float, one page each) and DIR/" + WeightsCommand.PREVIEW + " (colour preview)."})
public final class WeightsCommand implements Callable<Integer> {
    static final String BACKGROUND = "weight_background.tiff", BOUNDARY = "weight_boundary.tiff", PREVIEW = "weights.png";

    @Option(names = "--boundary", required = true, paramLabel = "FILE", description = "Boundary image: 0 = grain, 255 = boundary (PNG or TIFF, one page).")
    Path boundary;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (created if missing; must be empty unless --force).")
    Path out;

    @Option(names = "--force", description = "Write into a non-empty DIR, replacing only this tool's three files there (and only if wpunet wrote them).")
    boolean force;

    @Override
    public Integer call() throws IOException {
        Path dir = OutputPolicy.directory("--out", out, force, List.of(BACKGROUND, BOUNDARY, PREVIEW), List.of(boundary));
        Gray8Image img = readBoundary(boundary);
        int w = img.width(), h = img.height(), n = w * h;
        float[] map = BoundaryWeightMap.compute(img.pixels(), w, h);
        int grains = ConnectedComponents.label(img.pixels(), w, h, 4, 255).maxLabel();
        int boundaryPixels = 0;
        for (byte b : img.pixels()) if (b == (byte) 255) boundaryPixels++;
        if (boundaryPixels == 0)
            System.err.println("warning: " + boundary + " has no boundary pixel; distances are measured to the point just "
                    + "above the top-left pixel, as scipy (and so the original) does");
        if (grains == 0) System.err.println("warning: " + boundary + " has no grain pixel; the map is constant");
        float[] bck = new float[n], obj = new float[n];
        System.arraycopy(map, 0, bck, 0, n);
        System.arraycopy(map, n, obj, 0, n);
        write(dir, new FloatImage(w, h, bck), new FloatImage(w, h, obj),
                WeightMapPreview.render(map, w, h, boundary.getFileName() + "  (" + w + "x" + h + ", " + grains + " grains)"));
        System.out.println(String.format(Locale.ROOT, "weights: %dx%d, %d grains, background %.4f..%.4f, boundary %.4f..%.4f -> %s (%s, %s, %s)",
                w, h, grains, min(bck), max(bck), min(obj), max(obj), dir, BACKGROUND, BOUNDARY, PREVIEW));
        return 0;
    }

    /** Reads a one-page 8-bit boundary image and checks that it holds only 0 and 255. */
    static Gray8Image readBoundary(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            if (Files.isDirectory(file)) throw new IOException("--boundary " + file + ": is a directory, expected an image file");
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Gray8Image img;
        if (lower.endsWith(".tif") || lower.endsWith(".tiff")) {
            List<LabelImage> pages = TiffIO.readStack(file);
            if (pages.size() != 1) throw new IllegalArgumentException(file + ": " + pages.size() + " pages, expected one boundary image");
            LabelImage p = pages.get(0);
            byte[] px = new byte[p.labels().length];
            for (int i = 0; i < px.length; i++) {
                int v = p.labels()[i];
                if (v < 0 || v > 255) throw notBinary(file, p.width(), p.labels());
                px[i] = (byte) v;
            }
            img = new Gray8Image(p.width(), p.height(), px);
        } else {
            img = PngIO.readGray8(file);
        }
        int[] v = new int[img.pixels().length];
        for (int i = 0; i < v.length; i++) v[i] = img.pixels()[i] & 0xFF;
        for (int x : v) if (x != 0 && x != 255) throw notBinary(file, img.width(), v);
        return img;
    }

    /** The error for a boundary image with values other than 0 and 255: how many pixels, and an example. */
    private static IllegalArgumentException notBinary(Path file, int width, int[] v) {
        long count = 0;
        int first = -1;
        for (int i = 0; i < v.length; i++) {
            if (v[i] != 0 && v[i] != 255) {
                count++;
                if (first < 0) first = i;
            }
        }
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "%s is not a 0/255 boundary image: %d pixel%s other values (e.g. %d at x %d, y %d); expected 0 = grain, 255 = boundary",
                file, count, count == 1 ? " has" : "s have", v[first], first % width, first / width));
    }

    /** Stages the three files in a hidden directory inside DIR, then publishes them together. */
    private void write(Path dir, FloatImage bck, FloatImage obj, java.awt.image.BufferedImage preview) throws IOException {
        boolean created = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        if (created) Files.createDirectories(dir);
        Path stage = null;
        boolean done = false;
        try {
            stage = AtomicFiles.stagingDirectory(dir.resolve(PREVIEW));
            TiffIO.writeFloat(stage.resolve(BACKGROUND), bck);
            TiffIO.writeFloat(stage.resolve(BOUNDARY), obj);
            Path png = stage.resolve(PREVIEW);
            if (!ImageIO.write(preview, "png", png.toFile())) throw new IOException("cannot write " + dir.resolve(PREVIEW) + ": no PNG writer");
            List<AtomicFiles.Move> moves = new ArrayList<>();
            for (String name : List.of(BACKGROUND, BOUNDARY, PREVIEW)) moves.add(new AtomicFiles.Move(stage.resolve(name), dir.resolve(name)));
            moves.add(OutputPolicy.markerMove(dir, stage, moves));
            AtomicFiles.publish(moves, true);
            done = true;
        } finally {
            if (stage != null) AtomicFiles.discard(stage);
            if (created && !done) {
                try {
                    Files.deleteIfExists(dir); // only if still empty: we made it
                } catch (IOException ignored) {
                    // not empty or not removable: leave it
                }
            }
        }
    }

    private static double min(float[] a) {
        double m = Double.POSITIVE_INFINITY;
        for (float x : a) m = Math.min(m, x);
        return m;
    }

    private static double max(float[] a) {
        double m = Double.NEGATIVE_INFINITY;
        for (float x : a) m = Math.max(m, x);
        return m;
    }
}
