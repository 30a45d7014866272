package org.wpunet.tracking.stats;

/**
 * A lognormal distribution fitted by maximum likelihood: ln(x) ~ Normal(mu, sigma^2) with mu the mean
 * and sigma the (1/n) standard deviation of ln(x). Grain sizes of normal grain growth are close to
 * lognormal, which is why this is the fit drawn over the size histogram.
 */
public record LognormalFit(double mu, double sigma, int samples) {

    /** Fits the positive, finite values of {@code x}; others are ignored. Fewer than 2 give NaN. */
    public static LognormalFit of(double[] x) {
        double s = 0, ss = 0;
        int k = 0;
        for (double v : x) {
            if (v > 0 && Double.isFinite(v)) { double l = Math.log(v); s += l; ss += l * l; k++; }
        }
        if (k < 2) return new LognormalFit(Double.NaN, Double.NaN, k);
        double mu = s / k;
        double var = 0;
        for (double v : x) if (v > 0 && Double.isFinite(v)) { double dl = Math.log(v) - mu; var += dl * dl; }
        return new LognormalFit(mu, Math.sqrt(var / k), k);
    }

    /** Probability density at {@code x} (0 for x &lt;= 0). */
    public double pdf(double x) {
        if (!(x > 0) || !(sigma > 0)) return 0;
        double z = (Math.log(x) - mu) / sigma;
        return Math.exp(-0.5 * z * z) / (x * sigma * Math.sqrt(2 * Math.PI));
    }

    /** Median exp(mu). */
    public double median() { return Math.exp(mu); }

    /** Mean exp(mu + sigma^2 / 2). */
    public double mean() { return Math.exp(mu + sigma * sigma / 2); }
}
