package org.wpunet.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.PottsMicrostructure;
import org.wpunet.data.synth.StackSynthesizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wpunet synth}: a synthetic serial-section stack with ground truth, as HDF5 or a PNG directory. */
@Command(name = "synth", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Generate synthetic serial sections (etched micrographs) with exact grain labels and boundaries.",
                "Writes HDF5 (datasets image, label, boundary of shape H x W x N) when --out ends in .h5/.hdf5,",
                "else a directory images/ labels/ grains/ with 001.png, ...; plus preview PNGs (image | boundaries)",
                "in DIR/preview/ or beside FILE.h5 in FILE-preview/. --force replaces the whole output (and its previews)."})
public final class SynthCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "output FILE.h5 or DIR")
    Path out;
    @Option(names = "--size", defaultValue = "1024", description = "image width (and height) in pixels (default ${DEFAULT-VALUE})")
    int size;
    @Option(names = "--height", description = "image height if not square")
    Integer height;
    @Option(names = "--slices", defaultValue = "40", description = "number of sections (default ${DEFAULT-VALUE})")
    int slices;
    @Option(names = "--grain-size", defaultValue = "40", description = "mean equivalent-circle diameter of grain sections, pixels (default ${DEFAULT-VALUE})")
    double grainSize;
    @Option(names = "--spacing", description = "section spacing in pixels (default: grain size / 10 rounded to a whole pixel, at least 1)")
    Double spacing;
    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--method", defaultValue = "voronoi", description = "voronoi (Laguerre, fast) or potts (Monte Carlo grain growth) (default ${DEFAULT-VALUE})")
    String method;
    @Option(names = "--flaws", defaultValue = "medium", description = "none, light, medium or heavy (default ${DEFAULT-VALUE})")
    String flaws;
    @Option(names = "--size-spread", defaultValue = "0.35", description = "lognormal sigma of the Laguerre radii (voronoi, default ${DEFAULT-VALUE})")
    double sizeSpread;
    @Option(names = "--temperature", defaultValue = "0.7", description = "Potts kT in units of J (default ${DEFAULT-VALUE})")
    double temperature;
    @Option(names = "--spins", defaultValue = "0", description = "Potts spin values Q, 0 = unique per grain (default ${DEFAULT-VALUE})")
    int spins;
    @Option(names = "--max-sweeps", defaultValue = "1000", description = "Potts sweep limit (default ${DEFAULT-VALUE})")
    int maxSweeps;
    @Option(names = "--potts-start", defaultValue = "voronoi", description = "Potts start state: voronoi or random (default ${DEFAULT-VALUE})")
    String pottsStart;
    @Option(names = "--previews", defaultValue = "3", description = "number of preview PNGs (default ${DEFAULT-VALUE})")
    int previews;
    @Option(names = "--force", description = "replace an existing output as a whole (and its previews)")
    boolean force;
    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        String name = OutputPolicy.lowerName(OutputPolicy.absolute("--out", out));
        boolean hdf5 = name.endsWith(".h5") || name.endsWith(".hdf5") || name.endsWith(".hdf");
        StackSynthesizer.Config config = config();
        Path target = hdf5 ? OutputPolicy.file("--out", out, force, OutputPolicy.FileKind.HDF5, List.of())
                : OutputPolicy.directory("--out", out, force, null, List.of());
        Path previewDir = hdf5 ? sibling(target, "-preview") : target.resolve(PREVIEW);
        if (hdf5) checkPreviewFolder(previewDir);
        Estimates.requireHeap("synth", Estimates.synthBytes(config.width(), config.height(), config.slices(),
                config.method() == StackSynthesizer.Method.POTTS),
                "--size " + config.width() + (config.height() != config.width() ? " --height " + config.height() : "") + " --slices " + config.slices());

        // everything is built in a hidden staging directory beside the output, then swapped in:
        // an interrupted or failed run leaves neither a partial output nor temporaries behind
        AtomicFiles.createParentDirectories(target);
        Path stage = AtomicFiles.stagingDirectory(target);
        try {
            long t0 = System.nanoTime();
            var progress = new Progress(quiet);
            StackSynthesizer.Result result;
            try {
                result = StackSynthesizer.run(config, progress);
            } finally {
                progress.close();
            }
            long t1 = System.nanoTime();
            SerialStack stack = result.stack();
            List<AtomicFiles.Move> moves = new ArrayList<>();
            int written;
            if (hdf5) {
                Path file = stage.resolve(target.getFileName().toString());
                Hdf5Stack.write(stack, file, false);
                moves.add(new AtomicFiles.Move(file, target));
                Path stagedPreviews = stage.resolve(previewDir.getFileName().toString());
                written = writePreviews(stack, stagedPreviews);
                if (written > 0) {
                    var previewMove = new AtomicFiles.Move(stagedPreviews, previewDir);
                    OutputPolicy.markerMove(previewDir, stagedPreviews, List.of(previewMove));
                    moves.add(previewMove);
                }
            } else {
                DirectoryStack.writeInto(stack, stage);
                written = writePreviews(stack, stage.resolve(PREVIEW));
                moves.add(new AtomicFiles.Move(stage, target));
                OutputPolicy.markerMove(target, stage, moves);
            }
            boolean replaceEmptyDir = !hdf5 && isEmptyDirectory(target);
            AtomicFiles.publish(moves, force || replaceEmptyDir);
            // previews of an earlier run that this one (with --previews 0) does not replace
            if (hdf5 && written == 0 && force && Files.isDirectory(previewDir)) AtomicFiles.deleteTree(previewDir);
            long t2 = System.nanoTime();
            report(result, config, target, hdf5, previewDir, written, t0, t1, t2);
        } finally {
            AtomicFiles.discard(stage);
        }
        return 0;
    }

    private static final String PREVIEW = "preview";

    /** Called with each preview file before it is written (a seam for tests of failed writes). */
    AtomicFiles.IoConsumer<Path> beforePreview = file -> {};

    /** The options as a configuration; every bad value is an error naming its option. */
    private StackSynthesizer.Config config() {
        if (previews < 0) throw new IllegalArgumentException("--previews must be >= 0, got " + previews);
        var m = switch (method.toLowerCase(Locale.ROOT)) {
            case "voronoi", "laguerre" -> StackSynthesizer.Method.VORONOI;
            case "potts" -> StackSynthesizer.Method.POTTS;
            default -> throw new IllegalArgumentException("--method: unknown method '" + method + "' (expected voronoi or potts)");
        };
        var start = switch (pottsStart.toLowerCase(Locale.ROOT)) {
            case "voronoi" -> PottsMicrostructure.Start.VORONOI;
            case "random" -> PottsMicrostructure.Start.RANDOM;
            default -> throw new IllegalArgumentException("--potts-start: unknown start state '" + pottsStart + "' (expected voronoi or random)");
        };
        Flaws f;
        try {
            f = Flaws.of(flaws);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--flaws: unknown severity '" + flaws + "' (expected none, light, medium, heavy)", e);
        }
        int h = height == null ? size : height;
        if (size < 8) throw new IllegalArgumentException("--size must be >= 8, got " + size);
        if (h < 8) throw new IllegalArgumentException("--height must be >= 8, got " + h);
        if ((long) size * h > 1L << 28)
            throw new IllegalArgumentException("--size/--height: image size " + size + "x" + h + " is too large (at most 2^28 pixels)");
        if (!(sizeSpread >= 0 && sizeSpread <= 2)) throw new IllegalArgumentException("--size-spread must be in [0, 2], got " + sizeSpread);
        if (!(temperature >= 0 && temperature <= 10)) throw new IllegalArgumentException("--temperature must be in [0, 10], got " + temperature);
        if (spins < 0 || spins == 1) throw new IllegalArgumentException("--spins must be 0 (a unique spin per grain) or >= 2, got " + spins);
        if (maxSweeps < 0) throw new IllegalArgumentException("--max-sweeps must be >= 0, got " + maxSweeps);
        if (spacing != null && !(spacing > 0)) throw new IllegalArgumentException("--spacing must be > 0, got " + spacing);
        return new StackSynthesizer.Config(size, h, slices, grainSize,
                spacing == null ? StackSynthesizer.Config.defaultSpacing(grainSize) : spacing, seed, m, f,
                sizeSpread, new PottsMicrostructure.Options(temperature, spins, maxSweeps, start,
                        PottsMicrostructure.Options.DEFAULT.startFraction()));
    }

    /**
     * The preview folder beside FILE.h5 follows the same policy as any output directory: new or
     * empty, or with --force only what wpunet wrote there (it is replaced, or removed with --previews 0).
     */
    private void checkPreviewFolder(Path previewDir) throws IOException {
        if (!Files.exists(previewDir, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(previewDir, LinkOption.NOFOLLOW_LINKS))
            throw new IOException("cannot write previews to " + previewDir + ": exists and is not a directory");
        if (!force && previews == 0) return;   // left alone
        OutputPolicy.directory("--out (its previews)", previewDir, force, null, List.of());
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return false;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private void report(StackSynthesizer.Result result, StackSynthesizer.Config config, Path target, boolean hdf5, Path previewDir,
                        int written, long t0, long t1, long t2) {
        SerialStack stack = result.stack();
        var o = System.out;
        o.printf("wrote %s (%s): %d slices of %dx%d, %d grains (%s, flaws %s, spacing %.3g px, seed %d)%n", target,
                hdf5 ? "HDF5: datasets image, label, boundary" : "directory: images/, labels/, grains/ as PNG",
                stack.slices(), stack.width(), stack.height(), result.grains(), config.method().name().toLowerCase(Locale.ROOT), config.flaws().name(),
                config.spacing(), seed);
        if (result.structure() instanceof PottsMicrostructure p)
            o.printf("potts     : %d sweeps in %.1f s, %.3g voxel trials/s, mean section size reached %.1f px%n", p.sweeps(), p.sweepSeconds(),
                    p.trials() / Math.max(1e-9, p.sweepSeconds()), p.grainSizeReached());
        if (result.structure() instanceof PottsMicrostructure p && p.grainSizeReached() < grainSize)
            o.printf("note      : Potts stopped at --max-sweeps %d before reaching --grain-size %.1f%n", maxSweeps, grainSize);
        o.printf("time      : generate %.1f s, write %.1f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        o.printf("split     : %s%n", StackSplits.forSlices(stack.slices()));
        if (written > 0) o.printf("previews  : %d in %s%n", written, previewDir);
    }

    private static Path sibling(Path file, String suffix) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return file.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + suffix);
    }

    /** Side-by-side previews of evenly spaced slices: the micrograph | the micrograph with true boundaries in red. */
    private int writePreviews(SerialStack s, Path dir) throws IOException {
        int n = Math.min(previews, s.slices());
        if (n == 0) return 0;
        if (!Files.isDirectory(dir)) Files.createDirectory(dir); // inside the staging directory, which must still exist
        int w = s.width(), h = s.height();
        for (int j = 0; j < n; j++) {
            int k = n == 1 ? 0 : (int) ((long) j * (s.slices() - 1) / (n - 1));
            var img = new BufferedImage(2 * w, h, BufferedImage.TYPE_INT_RGB);
            byte[] im = s.images()[k], b = s.boundaries()[k];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int v = im[y * w + x] & 0xFF, grey = v * 0x010101;
                    img.setRGB(x, y, grey);
                    img.setRGB(w + x, y, b[y * w + x] != 0 ? 0xFF2020 : grey);
                }
            Path file = dir.resolve(DirectoryStack.fileName(k, s.slices()));
            beforePreview.accept(file);
            AtomicFiles.writeFile(file, true, tmp -> {
                if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
            });
        }
        return n;
    }

    /**
     * One progress bar per stage on a terminal; elsewhere (a log file, a pipe) a plain line when a
     * stage starts and about every 10 s. Callbacks come from worker threads.
     */
    private static final class Progress implements StackSynthesizer.Listener {
        private final boolean quiet, plain = !Terminal.isInteractive();
        private ProgressBar bar;
        private String stage;
        private long lastLine;
        private boolean finished;

        Progress(boolean quiet) { this.quiet = quiet; }

        @Override
        public synchronized void progress(String s, long done, long total) {
            if (!s.equals(stage)) {
                if (bar != null) bar.close();
                stage = s;
                bar = quiet || plain ? null : new ProgressBarBuilder().setTaskName(s).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
                lastLine = System.nanoTime() - (long) 20e9;   // the first call prints
                finished = false;
            }
            if (bar != null) bar.stepTo(done);
            else if (!quiet && !finished && (System.nanoTime() - lastLine > 10e9 || done == total)) {
                System.err.printf(Locale.ROOT, "%s: %d/%d%n", s, done, total);
                lastLine = System.nanoTime();
                finished = done == total;
            }
        }

        synchronized void close() { if (bar != null) bar.close(); bar = null; }
    }
}
