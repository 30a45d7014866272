package org.wpunet.pipeline;

import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.wpunet.metrics.SegmentationMetrics.Scores;

/**
 * The paper's 2D metrics of a set of slices: the mean and the sample standard deviation over slices of
 * each score (VI, its merge and split parts, ARI, RI, Pratt's F, mAP).
 */
public record ScoreSummary(int slices, double[] mean, double[] sd) {
    /** Column names, in the order of {@link #mean} and {@link #sd}. */
    public static final List<String> NAMES = List.of("VI", "VI merge", "VI split", "ARI", "RI", "F", "mAP");
    private static final List<ToDoubleFunction<Scores>> GET = List.of(Scores::vi, Scores::viMerge, Scores::viSplit, Scores::ari,
            Scores::ri, Scores::f, Scores::map);

    public ScoreSummary {
        mean = mean.clone();
        sd = sd.clone();
    }

    /** Mean and spread of per-slice scores (at least one slice; sd is 0 for one slice). */
    public static ScoreSummary of(List<Scores> perSlice) {
        if (perSlice.isEmpty()) throw new IllegalArgumentException("no slices to summarise");
        int n = perSlice.size(), k = GET.size();
        double[] mean = new double[k], sd = new double[k];
        for (int j = 0; j < k; j++) {
            double s = 0;
            for (Scores sc : perSlice) s += GET.get(j).applyAsDouble(sc);
            mean[j] = s / n;
            double q = 0;
            for (Scores sc : perSlice) q += Math.pow(GET.get(j).applyAsDouble(sc) - mean[j], 2);
            sd[j] = n > 1 ? Math.sqrt(q / (n - 1)) : 0;
        }
        return new ScoreSummary(n, mean, sd);
    }

    @Override
    public double[] mean() { return mean.clone(); }

    @Override
    public double[] sd() { return sd.clone(); }

    public double vi() { return mean[0]; }

    public double ari() { return mean[3]; }

    /** Table cells: "0.123" per metric, or "0.123 ± 0.045" with the spread. */
    public List<String> cells(boolean withSpread) {
        String[] c = new String[mean.length];
        for (int j = 0; j < c.length; j++)
            c[j] = withSpread ? String.format(Locale.ROOT, "%.3f ± %.3f", mean[j], sd[j]) : String.format(Locale.ROOT, "%.3f", mean[j]);
        return List.of(c);
    }
}
