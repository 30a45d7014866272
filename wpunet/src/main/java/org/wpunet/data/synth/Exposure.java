package org.wpunet.data.synth;

/**
 * The last step of rendering: intensities to 8 bits with the real data's statistics.
 *
 * <p>v = s(o + g x): an affine map (offset o, gain g) followed by a soft shoulder s that is the
 * identity up to {@link #KNEE} and then rises as {@code KNEE + w (1 - exp(-(v - KNEE) / w))} towards
 * {@link #CEILING} (w = CEILING - KNEE): continuous with slope 1 at the knee, strictly increasing, never
 * reaching the ceiling. A plain clip at 255 flattened about a third of all pixels (every bright grain
 * interior) to one value and with them the per-grain etch shading; under the shoulder bright grains
 * stay distinct. o and g are found by a few fixed-point steps that move the mapped mean and standard
 * deviation to {@link MicrographRenderer#TARGET_MEAN} / {@link MicrographRenderer#TARGET_STD}; g is kept
 * in [0.6, 1.6] so that sparse-boundary images are not stretched into noise.
 */
final class Exposure {
    private Exposure() {}

    /** Where the shoulder starts, and the value it approaches (253/255: interiors never saturate). */
    static final double KNEE = 0.88, CEILING = 253.0 / 255;

    /** The shoulder. */
    static double shoulder(double v) {
        if (v <= KNEE) return v;
        double w = CEILING - KNEE;
        return KNEE + w * (1 - Math.exp(-(v - KNEE) / w));
    }

    /** The shoulder's slope. */
    static double slope(double v) { return v <= KNEE ? 1 : Math.exp(-(v - KNEE) / (CEILING - KNEE)); }

    /** Maps {@code img} (any range) into {@code out} (8-bit grey). */
    static void apply(float[] img, byte[] out) {
        int n = img.length;
        double sum = 0, sq = 0;
        for (float v : img) { sum += v; sq += (double) v * v; }
        double mean = sum / n, std = Math.sqrt(Math.max(1e-12, sq / n - mean * mean));
        // y = shoulder(c + g (x - mean)): c moves the mapped mean (Newton steps through the shoulder's
        // slope), g its spread; centred on the raw mean so that changing g hardly moves the mean
        double gain = clampGain(MicrographRenderer.TARGET_STD / std), c = MicrographRenderer.TARGET_MEAN;
        for (int step = 0; step < 12; step++) {
            double m = 0, q = 0, d = 0;
            for (float x : img) {
                double v = c + gain * (x - mean), y = shoulder(v);
                m += y;
                q += y * y;
                d += slope(v);
            }
            m /= n;
            d /= n;
            double s = Math.sqrt(Math.max(1e-12, q / n - m * m));
            c += (MicrographRenderer.TARGET_MEAN - m) / Math.max(0.05, d);
            gain = clampGain(gain * Math.sqrt(MicrographRenderer.TARGET_STD / s));   // damped: the shoulder reacts to both
        }
        for (int i = 0; i < n; i++) {
            double y = shoulder(c + gain * (img[i] - mean));
            out[i] = (byte) Math.max(0, Math.min(255, (int) Math.round(y * 255)));
        }
    }

    private static double clampGain(double g) { return Math.max(0.6, Math.min(1.6, g)); }
}
