package org.wpunet.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.wpunet.image.Boundaries;
import org.wpunet.image.ConnectedComponents;
import org.wpunet.image.DistanceTransform;
import org.wpunet.image.Morphology;
import org.wpunet.image.Skeleton;
import org.wpunet.image.StructuringElement;
import org.wpunet.metrics.SegmentationMetrics;

/**
 * Image analysis and the paper's metric set on a 1024x1024 synthetic pair: a Voronoi ground truth
 * of about 1000 grains (right/lower boundary rule) and a prediction from jittered, thinned seeds
 * with gaps and noise spots. Target: {@link #fullMetricSet} under 0.5 s on 2 cores.
 * {@code main} is a plain timing loop for when the JMH jar is not built.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx2g"})
public class ImageMetricsBenchmark {
    static final int W = 1024, H = 1024;
    byte[] gt, pred, thick, notGt;
    int[] gtGrainMask;

    @Setup
    public void setup() {
        Random r = new Random(11);
        double[][] seeds = jitteredSeeds(r, 32);
        gt = Boundaries.fromLabels(voronoi(seeds), W, H);
        double[][] ps = new double[seeds.length][];
        int k = 0;
        for (double[] s : seeds)
            if (r.nextDouble() > 0.03) ps[k++] = new double[]{s[0] + r.nextGaussian() * 2, s[1] + r.nextGaussian() * 2};
        pred = Boundaries.fromLabels(voronoi(java.util.Arrays.copyOf(ps, k)), W, H);
        for (int g = 0; g < 200; g++) { // gaps
            int x = r.nextInt(W - 4), y = r.nextInt(H - 4);
            for (int dy = 0; dy < 4; dy++) for (int dx = 0; dx < 4; dx++) pred[x + dx + W * (y + dy)] = 0;
        }
        for (int i = 0; i < 2000; i++) pred[r.nextInt(W * H)] = (byte) 255; // noise spots
        thick = Morphology.dilate(gt, W, H, StructuringElement.square(5));
        notGt = new byte[gt.length];
        gtGrainMask = new int[gt.length];
        for (int i = 0; i < gt.length; i++) { notGt[i] = (byte) (gt[i] == 0 ? 1 : 0); gtGrainMask[i] = gt[i] == 0 ? 1 : 0; }
    }

    static double[][] jitteredSeeds(Random r, int cell) {
        int nx = W / cell, ny = H / cell;
        double[][] s = new double[nx * ny][];
        for (int j = 0; j < ny; j++)
            for (int i = 0; i < nx; i++)
                s[i + nx * j] = new double[]{(i + r.nextDouble()) * cell, (j + r.nextDouble()) * cell};
        return s;
    }

    /** Nearest-seed labels (brute force over a bucket grid of the seeds). */
    static int[] voronoi(double[][] seeds) {
        int cell = 32, gx = W / cell, gy = H / cell;
        java.util.List<java.util.List<Integer>> buckets = new java.util.ArrayList<>();
        for (int i = 0; i < gx * gy; i++) buckets.add(new java.util.ArrayList<>());
        for (int s = 0; s < seeds.length; s++) {
            int bx = Math.min(gx - 1, Math.max(0, (int) (seeds[s][0] / cell)));
            int by = Math.min(gy - 1, Math.max(0, (int) (seeds[s][1] / cell)));
            buckets.get(bx + gx * by).add(s);
        }
        int[] lab = new int[W * H];
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int bx = x / cell, by = y / cell, best = 0;
                double bd = Double.MAX_VALUE;
                for (int ry = 2; ; ry++) { // search rings of buckets until the nearest seed is certain
                    for (int j = Math.max(0, by - ry); j <= Math.min(gy - 1, by + ry); j++)
                        for (int i = Math.max(0, bx - ry); i <= Math.min(gx - 1, bx + ry); i++)
                            for (int s : buckets.get(i + gx * j)) {
                                double dx = seeds[s][0] - x, dy = seeds[s][1] - y, d = dx * dx + dy * dy;
                                if (d < bd) { bd = d; best = s + 1; }
                            }
                    if (bd <= (double) (ry - 1) * cell * (ry - 1) * cell || ry > Math.max(gx, gy)) break;
                }
                lab[x + W * y] = best;
            }
        return lab;
    }

    @Benchmark
    public Object labelling4() { return ConnectedComponents.label(gtGrainMask, W, H, 4, 0); }

    @Benchmark
    public Object edt() { return DistanceTransform.edt(notGt, W, H); }

    @Benchmark
    public Object skeletonize() { return Skeleton.skeletonize(thick, W, H); }

    @Benchmark
    public Object fullMetricSet() { return SegmentationMetrics.evaluate(pred, gt, W, H, 10); }

    /** Plain timing (median of 15 runs after 5 warm-up runs) for when JMH is not available. */
    public static void main(String[] args) {
        var b = new ImageMetricsBenchmark();
        b.setup();
        System.out.println("scores: " + b.fullMetricSet());
        String[] names = {"labelling4", "edt", "skeletonize", "fullMetricSet"};
        java.util.function.Supplier<?>[] fns = {b::labelling4, b::edt, b::skeletonize, b::fullMetricSet};
        for (int k = 0; k < names.length; k++) {
            for (int i = 0; i < 5; i++) fns[k].get();
            long[] t = new long[15];
            for (int i = 0; i < t.length; i++) {
                long t0 = System.nanoTime();
                fns[k].get();
                t[i] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(t);
            System.out.printf("%-14s median %8.2f ms  min %8.2f ms%n", names[k], t[t.length / 2] / 1e6, t[0] / 1e6);
        }
    }
}
