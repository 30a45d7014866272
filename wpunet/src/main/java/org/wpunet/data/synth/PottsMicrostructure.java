package org.wpunet.data.synth;

import org.wpunet.core.cpu.Parallel;
import org.wpunet.image.ConnectedComponents;

/**
 * Monte Carlo Potts grain growth on a simple cubic lattice with the 26-voxel neighbourhood.
 *
 * <p>Energy E = J * (number of unlike neighbour pairs), J = 1. A trial at voxel i proposes the spin of
 * a random neighbour; with dE = (like neighbours of the old spin) - (like neighbours of the new spin)
 * the flip is accepted with the Metropolis probability min(1, exp(-dE / kT)). Boundaries migrate
 * towards their centres of curvature, so grains coarsen with d^2 ~ t and get curved boundaries and a
 * realistic size distribution.
 *
 * <p>Parallel and deterministic: the lattice is split into 8 sublattices by the parities of
 * (x, y, z). Two voxels of one sublattice differ by an even, non-zero step in some axis, so they are
 * never 26-neighbours and a whole sublattice can be updated at once in any order. Each trial's
 * random numbers are a hash of (seed, sweep, sublattice, voxel), independent of thread count.
 *
 * <p>The lattice is {@code width x height x ((sections-1)*spacing + 1)} voxels; section k is plane
 * {@code k*spacing}. Growth stops when the mean equivalent-circle diameter of the grain sections on
 * the output planes reaches the requested grain size, or after {@code maxSweeps}. Grains are then
 * numbered as 6-connected regions of equal spin, so repeated spin values never join two grains.
 */
public final class PottsMicrostructure implements Microstructure {
    /** How the lattice starts. */
    public enum Start {
        /** A Voronoi tessellation with grains of a fraction of the target size. */
        VORONOI,
        /** Every voxel an independent random spin (slow to coarsen: many sweeps). */
        RANDOM
    }

    /** Reports growth: sweeps done, the sweep budget, the current mean section size. */
    @FunctionalInterface
    public interface Progress {
        void update(int sweeps, int maxSweeps, double grainSize);
    }

    /**
     * Potts options.
     * @param temperature kT in units of J (0.5-1 avoids lattice pinning; 0 = zero-temperature)
     * @param spins       number of spin values Q; 0 = unique (each initial grain its own spin)
     * @param maxSweeps   upper bound on Monte Carlo sweeps (one sweep = one trial per voxel)
     * @param start       initial state
     * @param startFraction initial Voronoi grain size as a fraction of the target (VORONOI start)
     */
    public record Options(double temperature, int spins, int maxSweeps, Start start, double startFraction) {
        public static final Options DEFAULT = new Options(0.7, 0, 1000, Start.VORONOI, 0.7);

        public Options {
            if (!(temperature >= 0 && temperature <= 10)) throw new IllegalArgumentException("Potts temperature must be in [0, 10], got " + temperature);
            if (spins < 0 || spins == 1) throw new IllegalArgumentException("spin count must be 0 (unique) or >= 2, got " + spins);
            if (maxSweeps < 0) throw new IllegalArgumentException("max sweeps must be >= 0, got " + maxSweeps);
            if (start == null) throw new IllegalArgumentException("start state missing");
            if (!(startFraction > 0 && startFraction <= 1)) throw new IllegalArgumentException("start fraction must be in (0, 1], got " + startFraction);
        }
    }

    /** 26 neighbour offsets (dx, dy, dz). */
    private static final int[][] NEIGHBOURS = new int[26][];
    static {
        int k = 0;
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    if (dx != 0 || dy != 0 || dz != 0) NEIGHBOURS[k++] = new int[] {dx, dy, dz};
    }

    private final int width, height, depth, sections, spacing;
    private int[] spin;
    private final long seed;
    private final double[] acceptance = new double[27];
    private int sweeps, grains;
    private double sizeReached;
    private long trials, sweepNanos;

    /**
     * Builds the start state and runs growth until the mean section size reaches {@code grainSize}.
     * @param spacing section spacing in voxels (integer: sections are lattice planes)
     */
    public PottsMicrostructure(int width, int height, int sections, int spacing, double grainSize, long seed,
                               Options options, Progress progress) {
        if (width < 2 || height < 2 || sections < 1)
            throw new IllegalArgumentException("Potts volume too small: " + width + "x" + height + "x" + sections);
        if (spacing < 1) throw new IllegalArgumentException("Potts section spacing must be a whole number of voxels >= 1, got " + spacing);
        if (!(grainSize >= 2)) throw new IllegalArgumentException("grain size must be >= 2 pixels, got " + grainSize);
        long voxels = (long) width * height * ((long) (sections - 1) * spacing + 1);
        if (voxels > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("Potts lattice of " + voxels + " voxels is too large (limit 2^31); use fewer slices, a smaller size or spacing");
        this.width = width; this.height = height; this.sections = sections; this.spacing = spacing;
        this.depth = (sections - 1) * spacing + 1;
        this.seed = seed;
        Options o = options == null ? Options.DEFAULT : options;
        for (int de = 1; de <= 26; de++) acceptance[de] = o.temperature() == 0 ? 0 : Math.exp(-de / o.temperature());
        spin = new int[(int) voxels];
        initialise(o, grainSize);
        grow(o, grainSize, progress);
        spin = ConnectedComponents.label3D(spin, width, height, depth, 6, 0); // spins are >= 1: no background
        grains = ConnectedComponents.count(spin);
    }

    private void initialise(Options o, double grainSize) {
        int plane = width * height;
        if (o.start() == Start.VORONOI) {
            double d0 = Math.max(2, grainSize * o.startFraction());
            var v = new VoronoiMicrostructure(width, height, depth, 1.0, d0, 0, Rand.hash(seed, 0x9077, 1));
            Parallel.forRange(depth, 1, (from, to) -> {
                for (int z = from; z < to; z++) System.arraycopy(v.section(z), 0, spin, z * plane, plane);
            });
            if (o.spins() > 0) {
                Parallel.forRange(spin.length, 1 << 16, (from, to) -> {
                    for (int i = from; i < to; i++) spin[i] = 1 + (int) Long.remainderUnsigned(Rand.hash(seed, 0x5719, spin[i]), o.spins());
                });
            }
        } else {
            Parallel.forRange(spin.length, 1 << 16, (from, to) -> {
                for (int i = from; i < to; i++)
                    spin[i] = o.spins() == 0 ? i + 1 : 1 + (int) Long.remainderUnsigned(Rand.hash(seed, 0x5719, i), o.spins());
            });
        }
    }

    private void grow(Options o, double target, Progress progress) {
        sizeReached = sectionSize();
        int checkEvery = 2;
        while (sweeps < o.maxSweeps() && sizeReached < target) {
            long t = System.nanoTime();
            sweep();
            sweepNanos += System.nanoTime() - t;
            if (sweeps % checkEvery == 0 || sweeps == o.maxSweeps()) {
                sizeReached = sectionSize();
                if (progress != null) progress.update(sweeps, o.maxSweeps(), sizeReached);
            }
        }
    }

    /** One Monte Carlo sweep: the 8 sublattices in a fixed order, each updated in parallel. */
    void sweep() {
        int plane = width * height;
        for (int sub = 0; sub < 8; sub++) {
            final int px = sub & 1, py = (sub >> 1) & 1, pz = (sub >> 2) & 1;
            final long key = Rand.prefix(seed, (long) sweeps * 8 + sub);
            int planes = (depth - pz + 1) / 2;
            Parallel.forRange(planes, 1, (from, to) -> {
                for (int zi = from; zi < to; zi++) {
                    int z = pz + 2 * zi;
                    for (int y = py; y < height; y += 2) {
                        int base = z * plane + y * width;
                        for (int x = px; x < width; x += 2) trial(x, y, z, base + x, key);
                    }
                }
            });
            trials += (long) planes * ((height - py + 1) / 2) * ((width - px + 1) / 2);
        }
        sweeps++;
    }

    private void trial(int x, int y, int z, int i, long key) {
        long h = Rand.withPrefix(key, i); // = Rand.hash(seed, sweep*8+sub, i)
        int[] d = NEIGHBOURS[(int) ((h >>> 40) % 26)];
        int nx = x + d[0], ny = y + d[1], nz = z + d[2];
        if (nx < 0 || ny < 0 || nz < 0 || nx >= width || ny >= height || nz >= depth) return;
        int old = spin[i], cand = spin[nx + width * (ny + height * nz)];
        if (cand == old) return; // interior voxels end here: proposing the own spin changes nothing
        int likeOld = 0, likeNew = 0;
        for (int dz = -1; dz <= 1; dz++) {
            int zz = z + dz;
            if (zz < 0 || zz >= depth) continue;
            for (int dy = -1; dy <= 1; dy++) {
                int yy = y + dy;
                if (yy < 0 || yy >= height) continue;
                int row = width * (yy + height * zz);
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx;
                    if (xx < 0 || xx >= width || (dx == 0 && dy == 0 && dz == 0)) continue;
                    int s = spin[row + xx];
                    if (s == old) likeOld++; else if (s == cand) likeNew++;
                }
            }
        }
        int de = likeOld - likeNew;
        if (de <= 0 || Rand.unit(h) < acceptance[de]) spin[i] = cand;
    }

    /** Mean equivalent-circle diameter sqrt(4 A / pi) of the grain sections on (up to 4) output planes. */
    private double sectionSize() {
        int plane = width * height, samples = Math.min(4, sections);
        long regions = 0;
        for (int s = 0; s < samples; s++) {
            int k = samples == 1 ? 0 : (int) ((long) s * (sections - 1) / (samples - 1));
            int[] p = new int[plane];
            System.arraycopy(spin, k * spacing * plane, p, 0, plane);
            regions += ConnectedComponents.count(ConnectedComponents.label(p, width, height, 4, 0).labels());
        }
        double area = (double) plane * samples / regions;
        return Math.sqrt(4 * area / Math.PI);
    }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public int sections() { return sections; }

    /** Lattice depth in voxels. */
    public int depth() { return depth; }
    /** Monte Carlo sweeps run. */
    public int sweeps() { return sweeps; }
    /** Flip trials made (sweeps x voxels). */
    public long trials() { return trials; }
    /** Wall time spent in sweeps, seconds (for throughput reports). */
    public double sweepSeconds() { return sweepNanos / 1e9; }
    /** Number of 3D grains. */
    public int grains() { return grains; }
    /** Mean section grain size reached when growth stopped. */
    public double grainSizeReached() { return sizeReached; }

    /** The whole lattice (not a copy), x fastest, then y, then z. */
    public int[] lattice() { return spin; }

    @Override
    public int[] section(int k) {
        if (k < 0 || k >= sections) throw new IndexOutOfBoundsException("section " + k + " of " + sections);
        int plane = width * height;
        int[] out = new int[plane];
        System.arraycopy(spin, k * spacing * plane, out, 0, plane);
        return out;
    }
}
