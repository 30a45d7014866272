package org.wpunet.benchmarks.tracking;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.tracking.CentroidLinker;
import org.wpunet.tracking.OverlapLinker;
import org.wpunet.tracking.StackTracker;
import org.wpunet.tracking.TrackingScores;
import org.wpunet.tracking.VoxelSize;
import org.wpunet.tracking.WatershedTracker;

/**
 * The trackers side by side on true boundaries of synthetic stacks (docs/tracking.md): 3D scores and
 * seconds of centroid, overlap and watershed (probability = the true boundary as 0/1).
 *
 * <pre>
 * TrackerComparison SIZE SLICES GRAIN_SIZE voronoi|potts SEED [CORE_FRACTION [MIN_CORE_OVERLAP]]
 * </pre>
 * The voxel size given to the watershed is the stack's own: 1 x 1 x (section spacing in pixels).
 */
public final class TrackerComparison {
    private TrackerComparison() {}

    public static void main(String[] args) throws IOException {
        int size = Integer.parseInt(args[0]), slices = Integer.parseInt(args[1]);
        double grain = Double.parseDouble(args[2]);
        StackSynthesizer.Method method = StackSynthesizer.Method.valueOf(args[3].toUpperCase(Locale.ROOT));
        long seed = Long.parseLong(args[4]);
        double fraction = args.length > 5 ? Double.parseDouble(args[5]) : WatershedTracker.DEFAULT_CORE_FRACTION;
        double overlap = args.length > 6 ? Double.parseDouble(args[6]) : WatershedTracker.DEFAULT_MIN_CORE_OVERLAP;
        StackSynthesizer.Config c = StackSynthesizer.Config.of(size, size, slices, grain, seed).withMethod(method).withFlaws(Flaws.LIGHT);
        SerialStack s = StackSynthesizer.generate(c);
        LabelVolume truth = s.labelVolume();
        System.out.printf(Locale.ROOT, "%s %dx%dx%d, grain size %.0f px, spacing %.0f px, seed %d: %d true grains%n", method, size, size, slices,
                grain, c.spacing(), seed, TrackingScores.compare(truth, truth).trueGrains());
        System.out.println("| method | ARI | VI | VI merge | VI split | grains | link accuracy | seconds |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String m : new String[] {"centroid", "overlap", "watershed"}) {
            long t0 = System.nanoTime();
            LabelVolume found = switch (m) {
                case "centroid" -> StackTracker.track(s.boundaries(), size, size, new CentroidLinker());
                case "overlap" -> StackTracker.track(s.boundaries(), size, size, new OverlapLinker());
                default -> new WatershedTracker(new VoxelSize(1, c.spacing()), fraction, overlap).track(s.boundaries(), probability(s.boundaries()),
                        size, size, null);
            };
            double sec = (System.nanoTime() - t0) / 1e9;
            TrackingScores r = TrackingScores.compare(found, truth);
            System.out.printf(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %d | %.4f | %.2f |%n", m, r.ari(), r.vi(), r.viMerge(), r.viSplit(),
                    r.grains(), r.linkAccuracy(), sec);
        }
    }

    static float[][] probability(byte[][] boundaries) {
        float[][] p = new float[boundaries.length][];
        for (int k = 0; k < p.length; k++) {
            p[k] = new float[boundaries[k].length];
            for (int i = 0; i < p[k].length; i++) p[k][i] = boundaries[k][i] != 0 ? 1 : 0;
        }
        return p;
    }
}
