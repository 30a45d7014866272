package org.wpunet.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
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
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Generate synthetic serial sections (etched micrographs) with exact grain labels and boundaries.",
                "Writes HDF5 (datasets image, label, boundary of shape H x W x N) when --out ends in .h5/.hdf5,",
                "else a directory images/ labels/ grains/ with 001.png, ...; plus preview PNGs (image | boundaries)."})
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
    @Option(names = "--spacing", description = "section spacing in pixels (default: grain size / 10)")
    Double spacing;
    @Option(names = "--seed", defaultValue = "1", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--method", defaultValue = "voronoi", description = "voronoi (Laguerre, fast) or potts (Monte Carlo grain growth)")
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
    @Option(names = "--force", description = "overwrite an existing output")
    boolean force;
    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    @Override
    public Integer call() throws IOException {
        // jhdf logs through SLF4J; without a provider SLF4J prints a warning, so choose its no-op one
        if (System.getProperty("slf4j.provider") == null)
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "WARN");
        String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean hdf5 = name.endsWith(".h5") || name.endsWith(".hdf5");
        if (Files.exists(out) && !force) throw new IOException(out + " exists (use --force to overwrite)");
        if (previews < 0) throw new IllegalArgumentException("--previews must be >= 0, got " + previews);
        var m = switch (method.toLowerCase(Locale.ROOT)) {
            case "voronoi", "laguerre" -> StackSynthesizer.Method.VORONOI;
            case "potts" -> StackSynthesizer.Method.POTTS;
            default -> throw new IllegalArgumentException("unknown --method '" + method + "' (voronoi or potts)");
        };
        var start = switch (pottsStart.toLowerCase(Locale.ROOT)) {
            case "voronoi" -> PottsMicrostructure.Start.VORONOI;
            case "random" -> PottsMicrostructure.Start.RANDOM;
            default -> throw new IllegalArgumentException("unknown --potts-start '" + pottsStart + "' (voronoi or random)");
        };
        if (size < 8) throw new IllegalArgumentException("--size must be >= 8, got " + size);
        var config = new StackSynthesizer.Config(size, height == null ? size : height, slices, grainSize,
                spacing == null ? StackSynthesizer.Config.defaultSpacing(grainSize) : spacing, seed, m, Flaws.of(flaws),
                sizeSpread, new PottsMicrostructure.Options(temperature, spins, maxSweeps, start,
                        PottsMicrostructure.Options.DEFAULT.startFraction()));

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
        if (hdf5) Hdf5Stack.write(stack, out, force);
        else DirectoryStack.write(stack, out, force);
        long t2 = System.nanoTime();
        Path previewDir = hdf5 ? sibling(out, "-preview") : out.resolve("preview");
        int written = writePreviews(stack, previewDir);

        var o = System.out;
        o.printf("wrote %s: %d slices of %dx%d, %d grains (%s, flaws %s, spacing %.3g px, seed %d)%n", out, stack.slices(),
                stack.width(), stack.height(), result.grains(), m.name().toLowerCase(Locale.ROOT), config.flaws().name(),
                config.spacing(), seed);
        if (result.structure() instanceof PottsMicrostructure p)
            o.printf("potts     : %d sweeps in %.1f s, %.3g voxel trials/s, mean section size reached %.1f px%n", p.sweeps(), p.sweepSeconds(),
                    p.trials() / Math.max(1e-9, p.sweepSeconds()), p.grainSizeReached());
        if (result.structure() instanceof PottsMicrostructure p && p.grainSizeReached() < grainSize)
            o.printf("note      : Potts stopped at --max-sweeps %d before reaching --grain-size %.1f%n", maxSweeps, grainSize);
        o.printf("time      : generate %.1f s, write %.1f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
        o.printf("split     : %s%n", StackSplits.forSlices(stack.slices()));
        if (written > 0) o.printf("previews  : %d in %s%n", written, previewDir);
        return 0;
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
        Files.createDirectories(dir);
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
            Path tmp = Files.createTempFile(dir, ".preview", ".tmp");
            try {
                if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return n;
    }

    /** One progress bar per stage; callbacks come from worker threads. */
    private static final class Progress implements StackSynthesizer.Listener {
        private final boolean quiet;
        private ProgressBar bar;
        private String stage;

        Progress(boolean quiet) { this.quiet = quiet; }

        @Override
        public synchronized void progress(String s, long done, long total) {
            if (!s.equals(stage)) {
                if (bar != null) bar.close();
                stage = s;
                bar = quiet ? null : new ProgressBarBuilder().setTaskName(s).setInitialMax(total)
                        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
            }
            if (bar != null) bar.stepTo(done);
        }

        synchronized void close() { if (bar != null) bar.close(); bar = null; }
    }
}
