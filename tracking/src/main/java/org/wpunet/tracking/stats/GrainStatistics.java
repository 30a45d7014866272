package org.wpunet.tracking.stats;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

/**
 * Per-grain statistics of a 3D label volume (one {@link Grain} per id &gt; 0, ascending), the
 * grain-size distribution (equivalent sphere diameters with a {@link LognormalFit}) and mean linear
 * intercepts, in physical units from the {@link VoxelSize}. Neighbours are face-connected
 * (6-neighbourhood: two grains are neighbours when a voxel of one shares a face with a voxel of the
 * other). Label 0 is "no grain": it counts towards nothing.
 */
public final class GrainStatistics {
    /** Suggested file names in an output directory (what {@code track} writes). */
    public static final String CSV = "grains.csv", HISTOGRAM = "grain-sizes.png";

    private final List<Grain> grains;
    private final int[] ids;
    private final VoxelSize voxel;
    private final LognormalFit fit;
    private final double interceptX, interceptY, interceptZ;
    private final int width, height, depth;

    private GrainStatistics(List<Grain> grains, VoxelSize voxel, double ix, double iy, double iz, int w, int h, int d) {
        this.grains = List.copyOf(grains);
        this.ids = grains.stream().mapToInt(Grain::id).toArray();
        this.voxel = voxel;
        this.fit = LognormalFit.of(grains.stream().mapToDouble(Grain::eqDiameterUm).toArray());
        this.interceptX = ix; this.interceptY = iy; this.interceptZ = iz;
        this.width = w; this.height = h; this.depth = d;
    }

    /** Measures every grain of {@code v}; negative labels are an IllegalArgumentException. */
    public static GrainStatistics of(LabelVolume v, VoxelSize voxel) {
        Objects.requireNonNull(v, "volume");
        Objects.requireNonNull(voxel, "voxel");
        VolumeScan s = new VolumeScan(v);
        double px = voxel.pixelUm(), dz = voxel.spacingUm(), vv = voxel.voxelVolume();
        List<Grain> out = new ArrayList<>(s.count);
        for (int g = 0; g < s.count; g++) {
            double n = s.n[g];
            double mx = s.sx[g] / n, my = s.sy[g] / n, mz = s.sz[g] / n;
            // covariance of points spread uniformly over the voxels: spread of the voxel centres plus
            // the variance of one voxel box (side^2 / 12) on the diagonal
            double cxx = (s.sxx[g] / n - mx * mx) * px * px + px * px / 12;
            double cyy = (s.syy[g] / n - my * my) * px * px + px * px / 12;
            double czz = (s.szz[g] / n - mz * mz) * dz * dz + dz * dz / 12;
            double cxy = (s.sxy[g] / n - mx * my) * px * px;
            double cxz = (s.sxz[g] / n - mx * mz) * px * dz;
            double cyz = (s.syz[g] / n - my * mz) * px * dz;
            PrincipalAxes ax = PrincipalAxes.of(cxx, cyy, czz, cxy, cxz, cyz);
            double a = PrincipalAxes.axisLength(ax.lambda1()), b = PrincipalAxes.axisLength(ax.lambda2()),
                    c = PrincipalAxes.axisLength(ax.lambda3());
            double volume = s.n[g] * vv;
            List<Integer> nb = new ArrayList<>(s.neighbours[g].length);
            for (int k : s.neighbours[g]) nb.add(s.ids[k]);
            out.add(new Grain(s.ids[g], s.n[g], volume, Math.cbrt(6 * volume / Math.PI),
                    s.x0[g], s.x1[g], s.y0[g], s.y1[g], s.z0[g], s.z1[g],
                    (mx + 0.5) * px, (my + 0.5) * px, (mz + 0.5) * dz,
                    a, b, c, a > 0 ? b / a : 1, a > 0 ? c / a : 1,
                    ax.dirX(), ax.dirY(), ax.dirZ(), nb, s.border[g]));
        }
        // mean linear intercept: length of test lines inside grains / grain-to-grain crossings
        double ix = s.crossingsX > 0 ? s.grainVoxels * px / s.crossingsX : Double.NaN;
        double iy = s.crossingsY > 0 ? s.grainVoxels * px / s.crossingsY : Double.NaN;
        double iz = s.crossingsZ > 0 ? s.grainVoxels * dz / s.crossingsZ : Double.NaN;
        return new GrainStatistics(out, voxel, ix, iy, iz, v.width(), v.height(), v.depth());
    }

    /** All grains in ascending id order. */
    public List<Grain> grains() { return grains; }

    /** The grain with this id, or null. */
    public Grain grain(int id) {
        int k = Arrays.binarySearch(ids, id);
        return k >= 0 ? grains.get(k) : null;
    }

    public VoxelSize voxelSize() { return voxel; }

    /** Lognormal fit of the equivalent sphere diameters (um). */
    public LognormalFit diameterFit() { return fit; }

    /**
     * Mean linear intercept in the section plane (um): total length of x and y test lines (every row
     * and column of voxels) inside grains divided by the number of grain-to-grain crossings; what
     * ASTM E112's intercept method measures on a section. NaN with no crossing.
     */
    public double meanInterceptXyUm() {
        if (Double.isNaN(interceptX) && Double.isNaN(interceptY)) return Double.NaN;
        // harmonic combination = total length / total crossings over both directions
        double cx = Double.isNaN(interceptX) ? 0 : 1 / interceptX, cy = Double.isNaN(interceptY) ? 0 : 1 / interceptY;
        return 2 / (cx + cy);
    }

    /** Mean linear intercept along z (um), over the section stack; NaN with no crossing. */
    public double meanInterceptZUm() { return interceptZ; }

    /**
     * ASTM E112 grain size number from the mean lineal intercept l (in mm):
     * G = -6.643856 log10(l) - 3.288. NaN when there is no intercept.
     */
    public double astmGrainSizeNumber() {
        double l = meanInterceptXyUm();
        return Double.isFinite(l) ? -6.643856 * Math.log10(l / 1000) - 3.288 : Double.NaN;
    }

    /** Writes one row per grain with the header {@link Grain#CSV_HEADER} (atomically; replaces the file). */
    public void writeCsv(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(Grain.CSV_HEADER).append('\n');
        for (Grain g : grains) sb.append(g.csvRow()).append('\n');
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeString(file, sb);
    }

    /** The size histogram of equivalent diameters with the lognormal fit drawn over it, as a PNG. */
    public void writeHistogram(Path png) throws IOException {
        GrainSizeHistogram.write(png, grains.stream().mapToDouble(Grain::eqDiameterUm).toArray(), fit);
    }

    /** Human-readable summary: counts, mean/median sizes, the lognormal fit, intercepts and ASTM G. */
    public List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        long border = grains.stream().filter(Grain::touchesBorder).count();
        lines.add(String.format(Locale.ROOT, "grains: %d (%d touch the volume's border) in %d x %d x %d voxels of %s x %s x %s um",
                grains.size(), border, width, height, depth, Grain.num(voxel.pixelUm()), Grain.num(voxel.pixelUm()),
                Grain.num(voxel.spacingUm())));
        if (grains.isEmpty()) return lines;
        double[] d = grains.stream().mapToDouble(Grain::eqDiameterUm).sorted().toArray();
        double meanD = Arrays.stream(d).average().orElse(Double.NaN);
        double medianD = d.length % 2 == 1 ? d[d.length / 2] : (d[d.length / 2 - 1] + d[d.length / 2]) / 2;
        double meanV = grains.stream().mapToDouble(Grain::volumeUm3).average().orElse(Double.NaN);
        double meanNb = grains.stream().mapToInt(Grain::neighbours).average().orElse(Double.NaN);
        lines.add(String.format(Locale.ROOT, "equivalent sphere diameter: mean %.3g um, median %.3g um; mean volume %.4g um^3",
                meanD, medianD, meanV));
        lines.add(String.format(Locale.ROOT, "lognormal fit of diameters: mu %.4f, sigma %.4f (ln um; median %.3g um)",
                fit.mu(), fit.sigma(), fit.median()));
        lines.add(String.format(Locale.ROOT, "face neighbours per grain: mean %.2f", meanNb));
        if (Double.isFinite(meanInterceptXyUm()))
            lines.add(String.format(Locale.ROOT, "mean linear intercept: %.3g um in the section plane (ASTM E112 G = %.1f), %s along z",
                    meanInterceptXyUm(), astmGrainSizeNumber(),
                    Double.isFinite(interceptZ) ? String.format(Locale.ROOT, "%.3g um", interceptZ) : "none"));
        return lines;
    }
}
