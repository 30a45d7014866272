package org.wpunet.tracking.cnn;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.wpunet.data.LabelVolume;
import org.wpunet.image.LabelImage;
import org.wpunet.tracking.GrainLinker;

/**
 * Side-by-side measurement of tracker models on a held-out ground-truth stack (docs/tracking-cnn.md):
 * for each model, in the same run, pair accuracy (all overlapping pairs of the slice pairs used),
 * link accuracy (the fraction of current grains the linker links to the right previous grain, or
 * correctly to none when the grain starts in this slice) on true labels, and the time per pair of
 * {@link CnnLinker#link} (crops plus network, batched). Usage:
 * {@code CnnTrackerComparison STACK.h5 SLICE_PAIRS MODEL [MODEL...]} (a MODEL as for CnnLinker.open, or
 * {@code untrained:small|untrained:vgg13bn}).
 */
public final class CnnTrackerComparison {
    private CnnTrackerComparison() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CnnTrackerComparison STACK.h5 SLICE_PAIRS MODEL [MODEL...]");
            System.exit(2);
        }
        LabelVolume v = TrainTrackerCommand.readVolume(Path.of(args[0]));
        int slicePairs = Math.min(Integer.parseInt(args[1]), v.depth() - 1);
        System.out.printf(Locale.ROOT, "%s: %dx%dx%d, first %d slice pairs%n", args[0], v.width(), v.height(), v.depth(), slicePairs);
        LabelVolume part = LabelVolume.ofSlices(v.width(), v.height(), slices(v, slicePairs + 1));
        PairDataset pairs = PairDataset.of(List.of(part), 0, 1);
        for (int k = 2; k < args.length; k++) {
            String spec = args[k];
            if (spec.equals("overlap") || spec.equals("centroid")) {
                GrainLinker g = spec.equals("overlap") ? new org.wpunet.tracking.OverlapLinker() : new org.wpunet.tracking.CentroidLinker();
                long t0 = System.nanoTime();
                int[] sum = new int[5];
                for (int z = 1; z <= slicePairs; z++) {
                    int[] res = linkAndScore(g, v, z);
                    for (int e = 0; e < 5; e++) sum[e] += res[e];
                }
                System.out.printf(Locale.ROOT, "%-40s link accuracy %.4f (%d grains; %d continued grains left unlinked, %d linked to a wrong grain, "
                                + "%d new grains linked), %.1f s%n", spec, (double) sum[0] / sum[1], sum[1], sum[2], sum[3], sum[4],
                        (System.nanoTime() - t0) / 1e9);
                continue;
            }
            CnnLinker linker;
            org.wpunet.nn.module.Layer model = null;
            if (spec.startsWith("untrained:")) {
                TrackerNet net = TrackerNet.withDefaultSize(spec.substring(10));
                model = net.build(1);
                linker = CnnLinker.of(model, net, org.wpunet.core.Device.CPU, false);
            } else linker = CnnLinker.open(spec, "cpu", false);
            try (linker) {
                long t0 = System.nanoTime();
                int right = 0, grains = 0;
                int[] errors = new int[3];
                for (int z = 1; z <= slicePairs; z++) {
                    int[] res = linkAndScore(linker, v, z);
                    right += res[0];
                    grains += res[1];
                    for (int e = 0; e < 3; e++) errors[e] += res[2 + e];
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double pairAccuracy = pairAccuracy(linker, pairs);
                System.out.printf(Locale.ROOT, "%-40s pair accuracy %.4f (%d pairs), link accuracy %.4f (%d grains; %d continued grains left unlinked, %d linked to "
                        + "a wrong grain, %d new grains linked), %.2f ms per pair (%.1f s)%n",
                        spec, pairAccuracy, pairs.size(), (double) right / grains, grains, errors[0], errors[1], errors[2], 1000 * seconds / pairs.size(), seconds);
            }
        }
    }

    private static int[][] slices(LabelVolume v, int n) {
        int[][] s = new int[n][];
        for (int z = 0; z < n; z++) s[z] = v.slice(z);
        return s;
    }

    /** Links true slice z to true slice z-1 (current relabelled 1..n); returns {correct, grains, missed, wrong, spurious}. */
    static int[] linkAndScore(GrainLinker linker, LabelVolume v, int z) {
        int[] prev = v.slice(z - 1), truth = v.slice(z), cur = new int[truth.length];
        Map<Integer, Integer> ids = new HashMap<>();
        List<Integer> trueOf = new ArrayList<>();
        trueOf.add(0);
        for (int i = 0; i < truth.length; i++) {
            Integer c = ids.get(truth[i]);
            if (c == null) {
                c = ids.size() + 1;
                ids.put(truth[i], c);
                trueOf.add(truth[i]);
            }
            cur[i] = c;
        }
        Set<Integer> inPrev = new HashSet<>();
        for (int p : prev) inPrev.add(p);
        int[] link = linker.link(new LabelImage(v.width(), v.height(), prev), new LabelImage(v.width(), v.height(), cur));
        int right = 0, missed = 0, wrong = 0, spurious = 0;
        for (int c = 1; c < link.length; c++) {
            int t = trueOf.get(c), want = inPrev.contains(t) ? t : 0;
            if (link[c] == want) right++;
            else if (link[c] == 0) missed++;
            else if (want == 0) spurious++;
            else wrong++;
        }
        return new int[]{right, link.length - 1, missed, wrong, spurious};
    }

    /** Accuracy of P(same) > 0.5 on every pair of a dataset, through the linker's scorer. */
    static double pairAccuracy(CnnLinker linker, PairDataset d) {
        int size = linker.cropSize(), per = 2 * size * size, right = 0;
        for (int from = 0; from < d.size(); from += linker.pairsPerBatch()) {
            int n = Math.min(linker.pairsPerBatch(), d.size() - from);
            float[] x = new float[n * per];
            int[] t = new int[n], idx = new int[n];
            for (int i = 0; i < n; i++) idx[i] = from + i;
            d.batch(idx, size, x, t, null);
            float[] p = linker.scorer().sameProbability(x, n, size);
            for (int i = 0; i < n; i++) if ((p[i] > 0.5f ? 0 : 1) == t[i]) right++;
        }
        return (double) right / Math.max(1, d.size());
    }
}
