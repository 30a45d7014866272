package org.wpunet.metrics;

/**
 * Rand index and adjusted Rand index over all pairs of elements, gala's definition; label 0 is NOT
 * ignored (boundary pixels form one cluster). From the contingency table n_ij over N elements:
 * s1 = sum n_ij^2, s2 = sum of squared row sums, s3 = sum of squared column sums;
 * a = (s1 - N)/2, b = (s2 - s1)/2, c = (s3 - s1)/2, d = (s1 + N^2 - s2 - s3)/2;
 * RI = (a + d)/(a + b + c + d); with M = a + b + c + d = N(N-1)/2 and
 * E = (a + b)(a + c) + (c + d)(b + d), ARI = (M (a + d) - E)/(M^2 - E).
 * Degenerate cases (fewer than two elements, or M^2 = E, i.e. both labelings trivial): RI = ARI = 1
 * when the labelings are identical partitions, else ARI = 0.
 */
public final class RandIndex {
    private RandIndex() {}

    /** Rand index and adjusted Rand index. */
    public record Scores(double ri, double ari) {}

    public static Scores of(int[] gt, int[] seg) {
        return of(Contingency.of(gt, seg, false));
    }

    public static Scores of(Contingency t) {
        double n = t.total;
        double s1 = 0;
        for (long c : t.count) s1 += (double) c * c;
        double s2 = sumSquaresOfMarginal(t.rowLabel, t.rowSum), s3 = sumSquaresOfMarginal(t.colLabel, t.colSum);
        double a = (s1 - n) / 2, b = (s2 - s1) / 2, c = (s3 - s1) / 2, d = (s1 + n * n - s2 - s3) / 2;
        double m = a + b + c + d;
        if (m <= 0) return new Scores(1, 1);
        double ri = (a + d) / m;
        double e = (a + b) * (a + c) + (c + d) * (b + d);
        double den = m * m - e;
        double ari = den == 0 ? (b == 0 && c == 0 ? 1 : 0) : (m * (a + d) - e) / den;
        return new Scores(ri, ari);
    }

    /** Sum over distinct labels of (marginal sum)^2; cells carry their label's marginal. */
    private static double sumSquaresOfMarginal(int[] labels, long[] marginal) {
        java.util.HashSet<Integer> seen = new java.util.HashSet<>();
        double s = 0;
        for (int k = 0; k < labels.length; k++)
            if (seen.add(labels[k])) s += (double) marginal[k] * marginal[k];
        return s;
    }
}
