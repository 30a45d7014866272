package org.wpunet.tracking;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.wpunet.data.LabelVolume;
import org.wpunet.metrics.Contingency;
import org.wpunet.metrics.RandIndex;
import org.wpunet.metrics.VariationOfInformation;

/**
 * 3D scores of a tracked label volume against a true one, over all voxels.
 *
 * @param ri           Rand index ({@link RandIndex}; label 0 is not ignored, as in 2D)
 * @param ari          adjusted Rand index
 * @param vi           variation of information, log base 2, label 0 ignored ({@link VariationOfInformation})
 * @param viMerge      false merge term H(truth | found)
 * @param viSplit      false split term H(found | truth)
 * @param grains       distinct non-zero ids in the found volume
 * @param trueGrains   distinct non-zero ids in the true volume
 * @param linkAccuracy fraction of true adjacent-slice links recovered. A true link is a pair (g, k)
 *                     where true grain g has voxels in both slice k and slice k+1. It is recovered when
 *                     (1) the found id covering most of g's pixels in slice k (its majority found id,
 *                     the lowest id on ties) is the same id f as in slice k+1, and (2) g is in turn f's
 *                     majority true grain in both slices, so merging everything into one grain recovers
 *                     nothing. 1 when the truth has no links (a single slice).
 */
public record TrackingScores(double ri, double ari, double vi, double viMerge, double viSplit, int grains, int trueGrains,
                             double linkAccuracy) {

    /** Scores {@code found} against {@code truth}; both must have the same shape. */
    public static TrackingScores compare(LabelVolume found, LabelVolume truth) {
        if (found.width() != truth.width() || found.height() != truth.height() || found.depth() != truth.depth())
            throw new IllegalArgumentException("the truth is " + shape(truth) + ", the tracked volume " + shape(found));
        int[] f = found.data(), t = truth.data();
        Contingency all = Contingency.of(t, f, false);
        RandIndex.Scores r = RandIndex.of(all);
        VariationOfInformation.Split v = VariationOfInformation.of(Contingency.of(t, f, true));
        return new TrackingScores(r.ri(), r.ari(), v.vi(), v.merge(), v.split(), distinct(f), distinct(t), linkAccuracy(found, truth));
    }

    /** The scores under the keys of {@code scores.json}: ri, ari, vi, vi_merge, vi_split, grains, true_grains, link_accuracy. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ri", ri);
        m.put("ari", ari);
        m.put("vi", vi);
        m.put("vi_merge", viMerge);
        m.put("vi_split", viSplit);
        m.put("grains", grains);
        m.put("true_grains", trueGrains);
        m.put("link_accuracy", linkAccuracy);
        return m;
    }

    /** {@link #toJson()} as one JSON object (non-finite numbers as null). */
    public String toJsonText() {
        StringBuilder sb = new StringBuilder("{");
        for (var e : toJson().entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            Object v = e.getValue();
            String s = v instanceof Double d ? (Double.isFinite(d) ? d.toString() : "null") : v.toString();
            sb.append('"').append(e.getKey()).append("\": ").append(s);
        }
        return sb.append("}").toString();
    }

    /** The fraction defined in the record's javadoc ({@code linkAccuracy}). */
    static double linkAccuracy(LabelVolume found, LabelVolume truth) {
        int depth = truth.depth();
        if (depth < 2) return 1;
        long links = 0, recovered = 0;
        Majorities prev = Majorities.of(truth.slice(0), found.slice(0));
        for (int k = 0; k + 1 < depth; k++) {
            Majorities next = Majorities.of(truth.slice(k + 1), found.slice(k + 1));
            for (var e : prev.foundOfTrue.entrySet()) {
                int g = e.getKey();
                Integer f2 = next.foundOfTrue.get(g);
                if (f2 == null) continue;
                links++;
                int f = e.getValue();
                if (f == f2 && prev.trueOfFound.get(f) == g && next.trueOfFound.get(f) == g) recovered++;
            }
            prev = next;
        }
        return links == 0 ? 1 : (double) recovered / links;
    }

    /** Majority partners within one slice: for each true id its most covering found id, and the reverse. */
    private record Majorities(Map<Integer, Integer> foundOfTrue, Map<Integer, Integer> trueOfFound) {
        static Majorities of(int[] truth, int[] found) {
            Contingency c = Contingency.of(truth, found, false);
            Map<Integer, Integer> fot = new HashMap<>(), tof = new HashMap<>();
            Map<Integer, Long> fotCount = new HashMap<>(), tofCount = new HashMap<>();
            for (int k = 0; k < c.cells(); k++) {
                int t = c.rowLabel[k], f = c.colLabel[k];
                long n = c.count[k];
                if (t != 0) better(fot, fotCount, t, f, n);
                if (f != 0) better(tof, tofCount, f, t, n);
            }
            return new Majorities(fot, tof);
        }

        private static void better(Map<Integer, Integer> best, Map<Integer, Long> count, int key, int candidate, long n) {
            Long have = count.get(key);
            if (have == null || n > have || (n == have && candidate < best.get(key))) { best.put(key, candidate); count.put(key, n); }
        }
    }

    private static int distinct(int[] v) {
        int max = 0;
        for (int x : v) max = Math.max(max, x);
        boolean[] seen = new boolean[max + 1];
        int n = 0;
        for (int x : v) if (x > 0 && !seen[x]) { seen[x] = true; n++; }
        return n;
    }

    private static String shape(LabelVolume v) { return v.width() + "x" + v.height() + "x" + v.depth() + " (W x H x slices)"; }
}
