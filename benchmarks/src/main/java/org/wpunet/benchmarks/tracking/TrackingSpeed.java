package org.wpunet.benchmarks.tracking;

import java.util.Arrays;
import java.util.Locale;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.image.ConnectedComponents;
import org.wpunet.tracking.CentroidLinker;
import org.wpunet.tracking.OverlapLinker;
import org.wpunet.tracking.SliceGrains;
import org.wpunet.tracking.StackTracker;
import org.wpunet.tracking.VoxelSize;
import org.wpunet.tracking.WatershedTracker;

/**
 * Seconds to track a large stack (docs/tracking.md): a synthetic Voronoi stack of true boundaries,
 * tracked with the overlap (and centroid) linker and the watershed (probability = the boundary as 0/1), best and median of a few runs after one warm-up; the
 * reference measured in the same run is the bare minimum any tracker does: the grains of every slice
 * ({@link SliceGrains}) plus the final 3D relabel (26-connectivity) of the volume.
 *
 * <pre>
 * TrackingSpeed [SIZE [SLICES [GRAIN_SIZE [RUNS]]]]     (default 1024 40 40 3)
 * </pre>
 * Run it on 2 cores, e.g. {@code taskset -c 0,1 java -XX:ActiveProcessorCount=2 ...}.
 */
public final class TrackingSpeed {
    private TrackingSpeed() {}

    public static void main(String[] args) {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 1024, slices = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        double grain = args.length > 2 ? Double.parseDouble(args[2]) : 40;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        long t0 = System.nanoTime();
        SerialStack s = StackSynthesizer.generate(StackSynthesizer.Config.of(size, size, slices, grain, 11).withFlaws(Flaws.NONE));
        System.out.printf(Locale.ROOT, "stack %dx%dx%d, grain size %.0f px (made in %.1f s), %d processors%n", size, size, slices, grain,
                (System.nanoTime() - t0) / 1e9, Runtime.getRuntime().availableProcessors());
        byte[][] b = s.boundaries();
        double ref = time(runs, () -> {
            int[][] planes = new int[slices][];
            for (int k = 0; k < slices; k++) planes[k] = SliceGrains.of(b[k], size, size).labels();
            int[] all = LabelVolume.ofSlices(size, size, planes).data();
            return ConnectedComponents.label3D(all, size, size, slices, 26, 0).length;
        });
        double overlap = time(runs, () -> StackTracker.track(b, size, size, new OverlapLinker()).maxLabel());
        double centroid = time(runs, () -> StackTracker.track(b, size, size, new CentroidLinker()).maxLabel());
        float[][] prob = TrackerComparison.probability(b);
        double watershed = time(runs, () -> new WatershedTracker(new VoxelSize(1, 1)).track(b, prob, size, size, null).maxLabel());
        System.out.printf(Locale.ROOT, "reference (slice grains + 3D relabel): %.2f s%n", ref);
        System.out.printf(Locale.ROOT, "overlap tracker: %.2f s (%.2fx the reference)%n", overlap, overlap / ref);
        System.out.printf(Locale.ROOT, "centroid tracker: %.2f s (%.2fx the reference)%n", centroid, centroid / ref);
        System.out.printf(Locale.ROOT, "watershed: %.2f s (%.2fx the reference)%n", watershed, watershed / ref);
    }

    /** Median seconds of {@code runs} timed runs after one warm-up run. */
    private static double time(int runs, java.util.function.IntSupplier work) {
        int sink = work.getAsInt();
        double[] t = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            sink += work.getAsInt();
            t[r] = (System.nanoTime() - t0) / 1e9;
        }
        if (sink == 42) System.out.print("");
        Arrays.sort(t);
        System.out.printf(Locale.ROOT, "  runs: %s%n", Arrays.toString(Arrays.stream(t).map(x -> Math.round(x * 100) / 100.0).toArray()));
        return t[runs / 2];
    }
}
