package org.wpunet.data.synth;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Laguerre (power) tessellation of a Poisson seed set: voxel p belongs to the seed i minimising the
 * power distance {@code |p - s_i|^2 - w_i}. The weights {@code w_i = (beta * r_i)^2} come from
 * lognormal radii {@code r_i = sBar * exp(sigma*g - sigma^2/2)}, g ~ N(0,1), so larger weights give
 * larger cells and sigma sets the grain-size spread (sigma = 0: plain Poisson-Voronoi). Cells are
 * convex, so every grain section is one connected region.
 *
 * <p>Grain size d is the mean equivalent-circle diameter of grain sections, d = sqrt(4 A/pi) with A
 * the mean section area. For Poisson-Voronoi cells of intensity lambda the planar sections number
 * N_A = 1.458 lambda^(2/3) per unit area, hence lambda = (1.458 A)^(-3/2); {@link #DENSITY_FACTOR}
 * corrects for the cells the weights hide (measured, see the tests).
 *
 * <p>Evaluation is exact and fast: the plane is cut in 16x16 tiles; for each tile only seeds whose
 * lowest possible power over the tile is below the best seed's highest power are candidates.
 */
public final class VoronoiMicrostructure implements Microstructure {
    /** Weight scale relative to the mean seed spacing. */
    static final double BETA = 0.6;
    /** Calibration of the seed density so the measured section size matches the requested one. */
    static final double DENSITY_FACTOR = 1.0;
    private static final int TILE = 16;

    private final int width, height, sections;
    private final double spacing;
    private final double[] sx, sy, sz, w;
    private final double wMax, cell, ox, oy, oz;
    private final int nx, ny, nz;
    private final int[] bucketStart, bucketSeeds;

    /**
     * @param spacing   distance between sections in pixels (> 0)
     * @param grainSize mean equivalent-circle diameter of grain sections in pixels (>= 2)
     * @param sigma     lognormal spread of the seed radii (0 = Voronoi; 0.3 a typical default)
     */
    public VoronoiMicrostructure(int width, int height, int sections, double spacing, double grainSize,
                                 double sigma, long seed) {
        if (width < 1 || height < 1 || sections < 1)
            throw new IllegalArgumentException("size must be positive: " + width + "x" + height + "x" + sections);
        if (!(spacing > 0)) throw new IllegalArgumentException("section spacing must be > 0, got " + spacing);
        if (!(grainSize >= 2)) throw new IllegalArgumentException("grain size must be >= 2 pixels, got " + grainSize);
        if (!(sigma >= 0 && sigma <= 2)) throw new IllegalArgumentException("size spread sigma must be in [0, 2], got " + sigma);
        this.width = width; this.height = height; this.sections = sections; this.spacing = spacing;
        double area = Math.PI * grainSize * grainSize / 4;
        double lambda = DENSITY_FACTOR * Math.pow(1.458 * area, -1.5);
        double sBar = Math.cbrt(1 / lambda);
        // seeds fill the volume plus a margin so cells at the faces are ordinary cells, not cut giants
        double margin = 1.5 * sBar;
        double depth = (sections - 1) * spacing;
        ox = -margin; oy = -margin; oz = -margin;
        double lx = width + 2 * margin, ly = height + 2 * margin, lz = depth + 2 * margin;
        SplittableRandom rnd = Rand.stream(seed, 0x5EED, 0);
        long count = Rand.poisson(rnd, lambda * lx * ly * lz);
        if (count > 50_000_000L) throw new IllegalArgumentException("grain size " + grainSize + " is too small for this volume ("
                + count + " grains)");
        int n = (int) Math.max(1, count);
        sx = new double[n]; sy = new double[n]; sz = new double[n]; w = new double[n];
        double wm = 0;
        for (int i = 0; i < n; i++) {
            sx[i] = ox + lx * rnd.nextDouble();
            sy[i] = oy + ly * rnd.nextDouble();
            sz[i] = oz + lz * rnd.nextDouble();
            double r = sBar * Math.exp(sigma * Rand.gaussian(rnd) - sigma * sigma / 2);
            w[i] = sigma == 0 ? 0 : (BETA * r) * (BETA * r);
            wm = Math.max(wm, w[i]);
        }
        wMax = wm;
        // bucket grid (CSR): cells of about one seed spacing
        cell = sBar;
        nx = Math.max(1, (int) Math.ceil(lx / cell));
        ny = Math.max(1, (int) Math.ceil(ly / cell));
        nz = Math.max(1, (int) Math.ceil(lz / cell));
        bucketStart = new int[nx * ny * nz + 1];
        int[] bucketOf = new int[n];
        for (int i = 0; i < n; i++) {
            bucketOf[i] = bucket(sx[i], sy[i], sz[i]);
            bucketStart[bucketOf[i] + 1]++;
        }
        for (int b = 0; b < nx * ny * nz; b++) bucketStart[b + 1] += bucketStart[b];
        bucketSeeds = new int[n];
        int[] fill = Arrays.copyOf(bucketStart, bucketStart.length - 1);
        for (int i = 0; i < n; i++) bucketSeeds[fill[bucketOf[i]]++] = i; // ascending seed order per bucket
    }

    private int bucket(double x, double y, double z) {
        int bx = clamp((int) Math.floor((x - ox) / cell), nx), by = clamp((int) Math.floor((y - oy) / cell), ny),
                bz = clamp((int) Math.floor((z - oz) / cell), nz);
        return bx + nx * (by + ny * bz);
    }

    private static int clamp(int v, int n) { return Math.max(0, Math.min(n - 1, v)); }

    @Override public int width() { return width; }
    @Override public int height() { return height; }
    @Override public int sections() { return sections; }

    /** Number of seeds (an upper bound on the number of grains). */
    public int seedCount() { return sx.length; }

    /** Depth of section k in pixels. */
    public double depthOf(int k) { return k * spacing; }

    @Override
    public int[] section(int k) {
        if (k < 0 || k >= sections) throw new IndexOutOfBoundsException("section " + k + " of " + sections);
        double z = depthOf(k);
        int[] out = new int[width * height];
        int[] cand = new int[64];
        double[] cx = new double[64], cy = new double[64], cc = new double[64];
        for (int ty = 0; ty < height; ty += TILE) {
            for (int tx = 0; tx < width; tx += TILE) {
                int x1 = Math.min(width, tx + TILE) - 1, y1 = Math.min(height, ty + TILE) - 1;
                // U = min over seeds of the highest power over the tile box, from nearby seeds first
                double u = Double.POSITIVE_INFINITY;
                for (double reach = cell; u == Double.POSITIVE_INFINITY; reach *= 2) {
                    u = Math.min(u, bestUpper(tx, ty, x1, y1, z, reach));
                    if (reach > 4 * (width + height + (sections + 1) * spacing + cell)) break;
                }
                double r = Math.sqrt(Math.max(0, u + wMax));
                int m = 0;
                int bx0 = clamp((int) Math.floor((tx - r - ox) / cell), nx), bx1 = clamp((int) Math.floor((x1 + r - ox) / cell), nx);
                int by0 = clamp((int) Math.floor((ty - r - oy) / cell), ny), by1 = clamp((int) Math.floor((y1 + r - oy) / cell), ny);
                int bz0 = clamp((int) Math.floor((z - r - oz) / cell), nz), bz1 = clamp((int) Math.floor((z + r - oz) / cell), nz);
                for (int bz = bz0; bz <= bz1; bz++)
                    for (int by = by0; by <= by1; by++)
                        for (int bx = bx0; bx <= bx1; bx++) {
                            int b = bx + nx * (by + ny * bz);
                            for (int j = bucketStart[b]; j < bucketStart[b + 1]; j++) {
                                int i = bucketSeeds[j];
                                // lowest power of seed i over the box: squared distance to the box
                                double dx = Math.max(0, Math.max(tx - sx[i], sx[i] - x1));
                                double dy = Math.max(0, Math.max(ty - sy[i], sy[i] - y1));
                                double dz = z - sz[i];
                                if (dx * dx + dy * dy + dz * dz - w[i] > u) continue;
                                if (m == cand.length) {
                                    cand = Arrays.copyOf(cand, 2 * m);
                                    cx = Arrays.copyOf(cx, 2 * m); cy = Arrays.copyOf(cy, 2 * m); cc = Arrays.copyOf(cc, 2 * m);
                                }
                                cand[m++] = i;
                            }
                        }
                // canonical order: ties go to the lowest seed index, as in a brute-force scan
                Arrays.sort(cand, 0, m);
                for (int j = 0; j < m; j++) {
                    int i = cand[j];
                    double dz = z - sz[i];
                    cx[j] = sx[i]; cy[j] = sy[i]; cc[j] = dz * dz - w[i];
                }
                for (int y = ty; y <= y1; y++) {
                    int row = y * width;
                    for (int x = tx; x <= x1; x++) {
                        double best = Double.POSITIVE_INFINITY;
                        int bi = 0;
                        for (int j = 0; j < m; j++) {
                            double dx = x - cx[j], dy = y - cy[j];
                            double p = dx * dx + dy * dy + cc[j];
                            if (p < best) { best = p; bi = j; }
                        }
                        out[row + x] = cand[bi] + 1;
                    }
                }
            }
        }
        return out;
    }

    /** min over seeds in buckets within {@code reach} of the box of their highest power over the box. */
    private double bestUpper(int x0, int y0, int x1, int y1, double z, double reach) {
        double u = Double.POSITIVE_INFINITY;
        int bx0 = clamp((int) Math.floor((x0 - reach - ox) / cell), nx), bx1 = clamp((int) Math.floor((x1 + reach - ox) / cell), nx);
        int by0 = clamp((int) Math.floor((y0 - reach - oy) / cell), ny), by1 = clamp((int) Math.floor((y1 + reach - oy) / cell), ny);
        int bz0 = clamp((int) Math.floor((z - reach - oz) / cell), nz), bz1 = clamp((int) Math.floor((z + reach - oz) / cell), nz);
        for (int bz = bz0; bz <= bz1; bz++)
            for (int by = by0; by <= by1; by++)
                for (int bx = bx0; bx <= bx1; bx++) {
                    int b = bx + nx * (by + ny * bz);
                    for (int j = bucketStart[b]; j < bucketStart[b + 1]; j++) {
                        int i = bucketSeeds[j];
                        double dx = Math.max(Math.abs(x0 - sx[i]), Math.abs(x1 - sx[i]));
                        double dy = Math.max(Math.abs(y0 - sy[i]), Math.abs(y1 - sy[i]));
                        double dz = z - sz[i];
                        u = Math.min(u, dx * dx + dy * dy + dz * dz - w[i]);
                    }
                }
        return u;
    }

    /** Brute-force label of pixel (x, y) in section k: the reference the tiled search must equal. */
    int bruteForce(int x, int y, int k) {
        double z = depthOf(k), best = Double.POSITIVE_INFINITY;
        int bi = 0;
        for (int i = 0; i < sx.length; i++) {
            double dx = x - sx[i], dy = y - sy[i], dz = z - sz[i];
            double p = dx * dx + dy * dy + (dz * dz - w[i]);
            if (p < best) { best = p; bi = i; }
        }
        return bi + 1;
    }
}
