package org.wpunet.data.synth;

import java.util.concurrent.atomic.AtomicInteger;
import org.wpunet.core.cpu.Parallel;
import org.wpunet.data.SerialStack;
import org.wpunet.image.Boundaries;

/**
 * Builds a synthetic serial-section stack with exact ground truth: a 3D microstructure
 * ({@link VoronoiMicrostructure} or {@link PottsMicrostructure}), cut into sections, grain ids
 * renumbered 1..K in order of first appearance (slice by slice, row by row), one-pixel closed
 * boundaries, and an etched-micrograph rendering of every section. Deterministic for a seed: every
 * random choice is keyed by (seed, purpose, index), never by thread.
 */
public final class StackSynthesizer {
    /** How the 3D grains are made. */
    public enum Method { VORONOI, POTTS }

    /**
     * What to generate.
     * @param width       image width in pixels
     * @param height      image height in pixels
     * @param slices      number of sections
     * @param grainSize   mean equivalent-circle diameter of the grain sections, pixels
     * @param spacing     distance between sections in pixels (Potts: rounded to whole voxels)
     * @param seed        random seed
     * @param method      microstructure model
     * @param flaws       imaging flaws
     * @param sizeSpread  lognormal sigma of the Laguerre seed radii (Voronoi)
     * @param potts       Potts options (Potts only)
     */
    public record Config(int width, int height, int slices, double grainSize, double spacing, long seed,
                         Method method, Flaws flaws, double sizeSpread, PottsMicrostructure.Options potts) {
        public Config {
            if (width < 8 || height < 8) throw new IllegalArgumentException("image size must be at least 8x8, got " + width + "x" + height);
            if ((long) width * height > 1L << 28) throw new IllegalArgumentException("image size " + width + "x" + height + " is too large");
            if (slices < 1) throw new IllegalArgumentException("--slices must be >= 1, got " + slices);
            if (!(grainSize >= 4)) throw new IllegalArgumentException("--grain-size must be >= 4 pixels, got " + grainSize);
            if (grainSize > Math.max(width, height)) throw new IllegalArgumentException("--grain-size " + grainSize + " exceeds the image size");
            if (!(spacing > 0)) throw new IllegalArgumentException("--spacing must be > 0, got " + spacing);
            if (method == null) method = Method.VORONOI;
            if (flaws == null) flaws = Flaws.MEDIUM;
            if (potts == null) potts = PottsMicrostructure.Options.DEFAULT;
        }

        /** Defaults: Voronoi, medium flaws, size spread 0.35, section spacing a tenth of the grain size (>= 1). */
        public static Config of(int width, int height, int slices, double grainSize, long seed) {
            return new Config(width, height, slices, grainSize, defaultSpacing(grainSize), seed, Method.VORONOI,
                    Flaws.MEDIUM, 0.35, PottsMicrostructure.Options.DEFAULT);
        }

        /** Grains then span about ten sections, like the real stack's 1.8 um sections. */
        public static double defaultSpacing(double grainSize) { return Math.max(1, Math.round(grainSize / 10)); }

        public Config withMethod(Method m) { return new Config(width, height, slices, grainSize, spacing, seed, m, flaws, sizeSpread, potts); }
        public Config withFlaws(Flaws f) { return new Config(width, height, slices, grainSize, spacing, seed, method, f, sizeSpread, potts); }
        public Config withSpacing(double s) { return new Config(width, height, slices, grainSize, s, seed, method, flaws, sizeSpread, potts); }
        public Config withPotts(PottsMicrostructure.Options p) { return new Config(width, height, slices, grainSize, spacing, seed, method, flaws, sizeSpread, p); }
    }

    /** Progress of a run: the stage ("structure", "sections", "render"), units done, units in the stage. */
    @FunctionalInterface
    public interface Listener {
        void progress(String stage, long done, long total);
        Listener NONE = (s, d, t) -> {};
    }

    /** A generated stack, the structure it was cut from and its renderings' flaw counts. */
    public record Result(SerialStack stack, Microstructure structure, MicrographRenderer.Rendered[] renders, int grains) {}

    private StackSynthesizer() {}

    /** The 3D microstructure of a configuration. */
    public static Microstructure structure(Config c, Listener listener) {
        Listener l = listener == null ? Listener.NONE : listener;
        if (c.method() == Method.POTTS) {
            int s = (int) Math.max(1, Math.round(c.spacing()));
            int max = c.potts().maxSweeps();
            return new PottsMicrostructure(c.width(), c.height(), c.slices(), s, c.grainSize(), c.seed(), c.potts(),
                    (sweeps, maxSweeps, size) -> l.progress("structure", sweeps, max));
        }
        return new VoronoiMicrostructure(c.width(), c.height(), c.slices(), c.spacing(), c.grainSize(), c.sizeSpread(), c.seed());
    }

    public static SerialStack generate(Config c) { return run(c, null).stack(); }

    /** Generates the stack of {@code c}, reporting progress to {@code listener} (thread-safe). */
    public static Result run(Config c, Listener listener) {
        Listener l = listener == null ? Listener.NONE : listener;
        Microstructure m = structure(c, l);
        int n = c.slices(), w = c.width(), h = c.height();
        int[][] labels = new int[n][];
        AtomicInteger done = new AtomicInteger();
        Parallel.forRange(n, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                labels[k] = m.section(k);
                l.progress("sections", done.incrementAndGet(), n);
            }
        });
        int grains = renumber(labels);
        byte[][] boundaries = new byte[n][];
        byte[][] images = new byte[n][];
        var renders = new MicrographRenderer.Rendered[n];
        var renderer = new MicrographRenderer(c.flaws(), c.seed());
        AtomicInteger rendered = new AtomicInteger();
        Parallel.forRange(n, 1, (from, to) -> {
            for (int k = from; k < to; k++) {
                boundaries[k] = Boundaries.fromLabels(labels[k], w, h);
                renders[k] = renderer.render(labels[k], boundaries[k], w, h, k);
                images[k] = renders[k].image();
                l.progress("render", rendered.incrementAndGet(), n);
            }
        });
        return new Result(new SerialStack(w, h, images, labels, boundaries), m, renders, grains);
    }

    /** Renumbers ids in place to 1..K by first appearance (slice, then row-major). @return K */
    static int renumber(int[][] labels) {
        int max = 0;
        for (int[] s : labels) for (int v : s) max = Math.max(max, v);
        int[] map = new int[max + 1];
        int next = 0;
        for (int[] s : labels)
            for (int i = 0; i < s.length; i++) {
                int v = s[i];
                if (map[v] == 0) map[v] = ++next;
                s[i] = map[v];
            }
        return next;
    }
}
