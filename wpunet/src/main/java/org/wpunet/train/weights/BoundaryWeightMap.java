package org.wpunet.train.weights;

import org.wpunet.image.ConnectedComponents;
import org.wpunet.image.DistanceTransform;
import org.wpunet.image.LabelImage;

/**
 * The adaptive boundary weight map of the original WPU-Net ({@code caculate_weight_map} in
 * {@code segmentation/weight_map_loss.py}), two channels [background, boundary] per pixel.
 *
 * <p>From an UNDILATED boundary crop (255 = boundary, anything else = grain):
 * <ol>
 *   <li>grains = 4-connected components of the non-boundary pixels;</li>
 *   <li>d = Euclidean distance to the nearest boundary pixel; the crop border is NOT a boundary, so
 *       a grain cut by the border measures distance only to real boundary pixels (with no boundary
 *       pixel at all, scipy measures to a phantom point at row -1, column 0, and so do we);</li>
 *   <li>per grain g: m_g = max d over g, sigma_g = m_g / 2.58 + 1e-20 (99% of a normal lies within
 *       +-2.58 sigma);</li>
 *   <li>boundary channel = 30 on boundary pixels, w0 exp(-d^2 / (2 sigma_g^2)) on grain pixels;
 *       background channel = 1 on boundary pixels, 1 + w0 exp(-(m_g - d)^2 / (2 sigma_g^2)) on grain
 *       pixels; w0 = 10.</li>
 * </ol>
 * Values are computed in double and rounded to float once, as the original's float64 map cast to
 * float32 by its dataset (its background channel is a float32 array, so 1 + term is rounded to float
 * there; rounding it here gives the same float).
 *
 * <p>Grey levels other than 0 and 255 (which a 0/255 crop does not have) follow the original too:
 * equal values form a grain (skimage labels equal values together), the boundary channel adds
 * 30 v / 255 to the grain term, and only 255 counts as boundary for the distance.
 * Checked bit for bit against the original's code by {@code BoundaryWeightMapGoldenTest}.
 */
public final class BoundaryWeightMap {
    private BoundaryWeightMap() {}

    /** The original's constants: w0 (grain term amplitude), the boundary weight, and the 2.58 sigma rule. */
    public static final double W0 = 10, BOUNDARY_WEIGHT = 30, SIGMA_DIVISOR = 2.58, SIGMA_EPS = 1e-20;

    /**
     * The two-channel map of a boundary image (row-major, {@code width * height}, 255 = boundary):
     * {@code [0, w*h)} = background channel, {@code [w*h, 2*w*h)} = boundary channel.
     */
    public static float[] compute(byte[] boundary, int width, int height) {
        float[] out = new float[2 * width * height];
        computeInto(boundary, width, height, out, 0);
        return out;
    }

    /** As {@link #compute} but writes the two channels into {@code out} from {@code offset}. */
    public static void computeInto(byte[] boundary, int width, int height, float[] out, int offset) {
        int n = width * height;
        if (width <= 0 || height <= 0 || boundary.length != n) {
            throw new IllegalArgumentException("boundary image has " + boundary.length + " pixels, expected " + width + "x" + height);
        }
        if (out.length - offset < 2 * n) {
            throw new IllegalArgumentException("output holds " + (out.length - offset) + " values from offset " + offset + ", needs " + 2 * n);
        }
        byte[] grain = new byte[n];
        boolean anyBoundary = false;
        for (int i = 0; i < n; i++) {
            boolean b = (boundary[i] & 0xFF) == 255; // the original's 255 - mask is zero only here
            grain[i] = b ? (byte) 0 : (byte) 1;
            anyBoundary |= b;
        }
        LabelImage grains = ConnectedComponents.label(boundary, width, height, 4, 255);
        double[] d = anyBoundary ? DistanceTransform.edt(grain, width, height) : phantomDistances(width, height);
        int[] lab = grains.labels();
        double[] maxD = new double[grains.maxLabel() + 1];
        for (int i = 0; i < n; i++) if (lab[i] > 0 && d[i] > maxD[lab[i]]) maxD[lab[i]] = d[i];
        for (int i = 0; i < n; i++) {
            int g = lab[i];
            if (g == 0) {
                out[offset + i] = 1f;
                out[offset + n + i] = (float) BOUNDARY_WEIGHT;
            } else {
                // same operation order as the original: -x^2 / (2 sigma^2), (v / 255) * 30 + term
                double m = maxD[g], sigma = m / SIGMA_DIVISOR + SIGMA_EPS, twoS2 = 2 * (sigma * sigma);
                double grey = ((boundary[i] & 0xFF) / 255.0) * BOUNDARY_WEIGHT;
                out[offset + i] = (float) (1 + W0 * Math.exp(-((m - d[i]) * (m - d[i])) / twoS2));
                out[offset + n + i] = (float) (grey + W0 * Math.exp(-(d[i] * d[i]) / twoS2));
            }
        }
    }

    /**
     * scipy's distance_transform_edt of an image with no zero pixel: its feature transform points
     * every pixel at (row -1, column 0), so d = sqrt((y + 1)^2 + x^2); checked with scipy 1.10.1 for
     * shapes 1x1 to 300x200 and by the golden cases {@code no_boundary*}.
     */
    private static double[] phantomDistances(int width, int height) {
        double[] d = new double[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) d[x + width * y] = Math.sqrt((double) (y + 1) * (y + 1) + (double) x * x);
        }
        return d;
    }
}
