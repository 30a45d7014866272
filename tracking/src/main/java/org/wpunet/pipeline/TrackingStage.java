package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.SerialStack;
import org.wpunet.tracking.GrainLinker;
import org.wpunet.tracking.OverlapLinker;
import org.wpunet.tracking.StackTracker;
import org.wpunet.tracking.TrackingScores;
import org.wpunet.tracking.VoxelSize;
import org.wpunet.tracking.cnn.CnnLinker;
import org.wpunet.tracking.export.VolumeExports;
import org.wpunet.tracking.stats.GrainStatistics;

/**
 * Stage 4 of the demo: the test slices' boundary maps tracked into 3D grains with the overlap tracker
 * (and the CNN tracker when its bundled model is on the class path), each scored against the true
 * volume; the overlap tracker's volume exported (HDF5, TIFF, VTK, slice PNGs, orthogonal views) with
 * its grain statistics (grains.csv, the size histogram), and the true volume's orthogonal views beside.
 */
final class TrackingStage {
    /** The stage's output folder inside the demo's directory. */
    static final String DIR = "grains3d";
    static final String HISTOGRAM = "grain-sizes.png", TRUTH_VIEWS = "truth-orthogonal.png";

    private TrackingStage() {}

    /** Whether the CNN tracker's bundled model ships on the class path. */
    static boolean cnnAvailable() { return CnnLinker.class.getResource(CnnLinker.PRETRAINED_MODEL) != null; }

    /** Progress units of {@link #run}: a slice per tracker, then exports and statistics. */
    static int steps(int slices) { return slices * (cnnAvailable() ? 2 : 1) + 2; }

    /**
     * @param segmented the segmentation to track (its slices in order)
     * @param test      the same slices with their true labels
     * @param device    where the CNN tracker runs
     * @param dir       the report's directory; outputs go to {@code dir/grains3d/} and figures beside the report
     */
    static TrackingOutcome run(ModelRuns.Segmented segmented, SerialStack test, VoxelSize voxel, String device, Path dir,
                               StageProgress progress) throws IOException {
        LabelVolume truth = test.labelVolume();
        byte[][] boundaries = segmented.boundaries();
        int n = boundaries.length;
        List<TrackingOutcome.Row> rows = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long[] done = {0};
        StackTracker.Listener tick = (k, count) -> progress.progress(++done[0], "tracking slice " + (k + 1) + "/" + count);
        long t0 = System.nanoTime();
        LabelVolume overlap = StackTracker.track(boundaries, test.width(), test.height(), new OverlapLinker(), tick);
        rows.add(row("overlap", TrackingScores.compare(overlap, truth), t0));
        if (cnnAvailable()) {
            long t1 = System.nanoTime();
            try (CnnLinker cnn = CnnLinker.open(CnnLinker.PRETRAINED, device, false)) {
                LabelVolume v = StackTracker.track(boundaries, test.width(), test.height(), cnn, tick);
                rows.add(row("CNN (bundled)", TrackingScores.compare(v, truth), t1));
            }
        } else {
            notes.add("The CNN tracker did not run: its bundled model is not in this build (train one with `bin/wpunet train-tracker`).");
        }
        Path out = dir.resolve(DIR);
        VolumeExports.writeAll(overlap, out, voxel);
        VolumeExports.writeOrthogonalViews(truth, out.resolve(TRUTH_VIEWS), voxel);
        progress.progress(++done[0], "exports");
        GrainStatistics stats = GrainStatistics.of(overlap, voxel), trueStats = GrainStatistics.of(truth, voxel);
        stats.writeCsv(out.resolve("grains.csv"));
        stats.writeHistogram(out.resolve(HISTOGRAM));
        progress.progress(++done[0], "statistics");
        List<String> lines = new ArrayList<>();
        for (String l : stats.summaryLines()) lines.add("tracked: " + l);
        lines.add("truth: " + trueStats.summaryLines().getFirst());
        if (trueStats.summaryLines().size() > 1) lines.add("truth: " + trueStats.summaryLines().get(1));
        notes.add(String.format(Locale.ROOT, "Voxel size: %s um in x and y, %s um between sections (nominally 1 pixel = 1 um; the synthetic "
                + "sections are %s pixels apart). `%s/` holds the volume as label.h5, labels.tif, labels.vti and slice PNGs, with grains.csv.",
                num(voxel.pixelUm()), num(voxel.spacingUm()), num(voxel.spacingUm() / voxel.pixelUm()), DIR));
        List<TrackingOutcome.Figure> figures = List.of(
                new TrackingOutcome.Figure(DIR + "/" + VolumeExports.ORTHOGONAL, "Tracked 3D grains (overlap tracker): orthogonal cuts through the middle"),
                new TrackingOutcome.Figure(DIR + "/" + TRUTH_VIEWS, "The true 3D grains, the same cuts"),
                new TrackingOutcome.Figure(DIR + "/" + HISTOGRAM, "Sizes of the tracked grains (equivalent sphere diameter) with a lognormal fit"));
        return new TrackingOutcome(rows, figures, lines, notes);
    }

    /** The 3D scores of boundary maps tracked with the overlap tracker (the experiment's 3D column). */
    static TrackingOutcome.Row score3D(String name, byte[][] boundaries, SerialStack test) {
        long t0 = System.nanoTime();
        GrainLinker linker = new OverlapLinker();
        LabelVolume v = StackTracker.track(boundaries, test.width(), test.height(), linker);
        return row(name, TrackingScores.compare(v, test.labelVolume()), t0);
    }

    private static TrackingOutcome.Row row(String tracker, TrackingScores s, long t0) {
        return new TrackingOutcome.Row(tracker, s.grains(), s.trueGrains(), s.ari(), s.ri(), s.vi(), s.viMerge(), s.viSplit(), s.linkAccuracy(),
                (System.nanoTime() - t0) / 1e9);
    }

    private static String num(double v) { return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v); }
}
