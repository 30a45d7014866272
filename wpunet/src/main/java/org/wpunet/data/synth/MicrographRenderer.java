package org.wpunet.data.synth;

import java.util.SplittableRandom;

/**
 * Renders one serial section as an etched optical micrograph of a polished iron sample.
 *
 * <p>Intensity model (1 = full scale), built in this order:
 * <ol>
 *   <li>Grain interiors are bright, {@code 0.965 + 0.012 g} with g ~ N(0,1) a function of the grain id
 *       only (the etch shade depends on crystal orientation, so it is the same in every slice), times a
 *       faint smooth mottling.</li>
 *   <li>Grooves: each boundary pixel carries a depth (smooth random 0.55-1, lowered to 0-8 % in missing
 *       stretches and 20-45 % in vague ones). The depth map is split by a smooth field t into a narrow
 *       and a wide part, blurred with sigma 0.8 and 1.6 px and scaled by sqrt(2 pi) sigma so a straight
 *       groove of depth 1 peaks at 1. I *= 1 - 0.65 min(1, G).</li>
 *   <li>Polishing scratches: quadratic Bezier curves (straight to gently curved) crossing grains, a
 *       Gaussian cross-section (sigma 0.35-0.9 px) of depth 0.2-0.55. Pits and noise spots: dark blobs
 *       of radius 0.6-3.5 px. Both multiply I by (1 - darkness).</li>
 *   <li>Illumination: I *= 1 + a (linear gradient in a random direction) - a/2 (vignetting r^2).</li>
 *   <li>Optics blur (sigma 0.6 px), then Gaussian sensor noise.</li>
 *   <li>Exposure ({@link Exposure}): an affine map with a soft shoulder below white moves the slice
 *       mean/std towards the real data's 0.934 / 0.137, keeping grain interiors below saturation so
 *       their etch shading survives; then 8 bits.</li>
 * </ol>
 * Everything is keyed by (seed, slice index), so a slice renders the same on any thread.
 */
public final class MicrographRenderer {
    /** Mean and standard deviation of the real pure-iron images, scaled to [0, 1]. */
    public static final double TARGET_MEAN = 0.9336267, TARGET_STD = 0.1365774;
    /** Boundary state codes in {@link Rendered#boundaryState()}. */
    public static final byte NORMAL = 0, FAINT = 1, MISSING = 2;

    /**
     * A rendered slice.
     * @param image          8-bit grey, row-major
     * @param boundaryState  per pixel: {@link #NORMAL}, {@link #FAINT} or {@link #MISSING} (only on
     *                       boundary pixels; 0 elsewhere)
     * @param scratches      number of scratches drawn
     * @param pits           number of pits / noise spots drawn
     * @param missingPixels  boundary pixels in missing stretches
     * @param faintPixels    boundary pixels in vague stretches
     * @param boundaryPixels all boundary pixels
     */
    public record Rendered(byte[] image, byte[] boundaryState, int scratches, int pits, int missingPixels,
                           int faintPixels, int boundaryPixels) {}

    private final Flaws flaws;
    private final long seed;

    public MicrographRenderer(Flaws flaws, long seed) {
        this.flaws = flaws == null ? Flaws.MEDIUM : flaws;
        this.seed = seed;
    }

    public Flaws flaws() { return flaws; }

    /**
     * Renders slice {@code index}.
     * @param labels     grain ids (width*height)
     * @param boundary   0 / non-zero boundary mask of the same slice
     */
    public Rendered render(int[] labels, byte[] boundary, int width, int height, int index) {
        int n = width * height;
        if (labels.length != n || boundary.length != n)
            throw new IllegalArgumentException("slice arrays must have " + width + "x" + height + " pixels");
        SplittableRandom rnd = Rand.stream(seed, 0x7E4D, index);
        int boundaryCount = 0;
        for (byte b : boundary) if (b != 0) boundaryCount++;
        // typical grain diameter from boundary density: a 1-px boundary network has ~2/d pixels per pixel
        double grain = boundaryCount == 0 ? Math.max(width, height) : Math.max(6, 2.0 * n / boundaryCount);

        // 1. grain interiors
        float[] img = new float[n];
        float[] mottle = smoothNoise(width, height, Math.max(8, grain * 1.5), rnd);
        int lastLabel = Integer.MIN_VALUE;
        double shade = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] != lastLabel) {  // runs of one grain along a row: hash once per run
                lastLabel = labels[i];
                shade = 0.965 + 0.012 * Rand.gaussian(Rand.hash(seed, 0x6A41, lastLabel));
            }
            img[i] = (float) (shade * (1 + 0.012 * (mottle[i] - 0.5)));
        }

        // 2. grooves with varying depth and width, vague and missing stretches
        byte[] state = new byte[n];
        int missing = markStretches(boundary, state, MISSING, flaws.missingFraction(), boundaryCount, grain, width, height, rnd);
        int faint = markStretches(boundary, state, FAINT, flaws.faintFraction(), boundaryCount, grain, width, height, rnd);
        float[] depthNoise = smoothNoise(width, height, Math.max(6, grain * 0.6), rnd);
        float[] widthNoise = smoothNoise(width, height, Math.max(6, grain * 0.8), rnd);
        float[] stretchDepth = smoothNoise(width, height, 5, rnd);
        float[] narrow = new float[n], wide = new float[n];
        for (int i = 0; i < n; i++) {
            if (boundary[i] == 0) continue;
            double d = switch (state[i]) {
                case MISSING -> 0.08 * stretchDepth[i];
                case FAINT -> 0.20 + 0.25 * stretchDepth[i];
                default -> 0.55 + 0.45 * depthNoise[i];
            };
            double t = widthNoise[i];
            narrow[i] = (float) (d * (1 - t));
            wide[i] = (float) (d * t);
        }
        gaussianBlur(narrow, width, height, 0.8);
        gaussianBlur(wide, width, height, 1.6);
        double kn = Math.sqrt(2 * Math.PI) * 0.8, kw = Math.sqrt(2 * Math.PI) * 1.6;
        for (int i = 0; i < n; i++) {
            double g = Math.min(1, kn * narrow[i] + kw * wide[i]);
            img[i] *= (float) (1 - 0.65 * g);
        }

        // 3. scratches and pits
        float[] dark = new float[n];
        int scratches = Rand.poisson(rnd, flaws.scratchesPerMegapixel() * n / 1e6);
        for (int s = 0; s < scratches; s++) drawScratch(dark, width, height, rnd);
        int pits = Rand.poisson(rnd, flaws.pitsPerMegapixel() * n / 1e6);
        for (int p = 0; p < pits; p++) drawPit(dark, width, height, rnd);
        for (int i = 0; i < n; i++) img[i] *= 1 - dark[i];

        // 4. illumination gradient and vignetting
        double a = flaws.illumination(), theta = 2 * Math.PI * rnd.nextDouble();
        double gx = Math.cos(theta), gy = Math.sin(theta), cx = 0.5 + 0.2 * (rnd.nextDouble() - 0.5),
                cy = 0.5 + 0.2 * (rnd.nextDouble() - 0.5);
        if (a > 0) {
            for (int y = 0; y < height; y++) {
                double v = (double) y / height;
                for (int x = 0; x < width; x++) {
                    double u = (double) x / width;
                    double r2 = (u - cx) * (u - cx) + (v - cy) * (v - cy);
                    img[y * width + x] *= (float) (1 + a * (gx * (u - 0.5) + gy * (v - 0.5)) - a * r2);
                }
            }
        }

        // 5. optics and sensor
        gaussianBlur(img, width, height, 0.6);
        if (flaws.noiseSigma() > 0) for (int i = 0; i < n; i++) img[i] += (float) (flaws.noiseSigma() * Rand.gaussian(rnd));

        // 6. exposure towards the real data's statistics, then 8 bits
        byte[] out = new byte[n];
        Exposure.apply(img, out);
        return new Rendered(out, state, scratches, pits, missing, faint, boundaryCount);
    }

    /**
     * Marks stretches of normal boundary pixels as {@code code}: disks around random boundary pixels
     * (radius 3 px to 0.4 grain diameters) until {@code fraction} of all boundary pixels are covered.
     * @return pixels marked
     */
    static int markStretches(byte[] boundary, byte[] state, byte code, double fraction, int boundaryCount,
                             double grain, int width, int height, SplittableRandom rnd) {
        int target = (int) Math.round(fraction * boundaryCount), marked = 0;
        if (target == 0) return 0;
        int[] list = new int[boundaryCount];
        int m = 0;
        for (int i = 0; i < boundary.length; i++) if (boundary[i] != 0) list[m++] = i;
        for (int attempt = 0; marked < target && attempt < 100_000; attempt++) {
            int c = list[rnd.nextInt(m)];
            if (state[c] != NORMAL) continue;
            int cx = c % width, cy = c / width;
            double r = 3 + rnd.nextDouble() * Math.max(1, 0.4 * grain - 3);
            int ri = (int) Math.ceil(r);
            for (int y = Math.max(0, cy - ri); y <= Math.min(height - 1, cy + ri) && marked < target; y++)
                for (int x = Math.max(0, cx - ri); x <= Math.min(width - 1, cx + ri) && marked < target; x++) {
                    int i = y * width + x;
                    if (boundary[i] != 0 && state[i] == NORMAL && (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) {
                        state[i] = code;
                        marked++;
                    }
                }
        }
        return marked;
    }

    /** A dark polishing scratch along a quadratic Bezier curve; darkness combined by max. */
    private static void drawScratch(float[] dark, int width, int height, SplittableRandom rnd) {
        double size = Math.max(width, height);
        double x0 = rnd.nextDouble() * width, y0 = rnd.nextDouble() * height;
        double th = Math.PI * rnd.nextDouble(), len = size * (0.3 + 1.2 * rnd.nextDouble());
        double dx = Math.cos(th) * len / 2, dy = Math.sin(th) * len / 2;
        double ax = x0 - dx, ay = y0 - dy, bx = x0 + dx, by = y0 + dy;
        // control point off the chord by up to 8 % of the length: straight to gently curved
        double bend = (rnd.nextDouble() - 0.5) * 0.16 * len;
        double qx = x0 - Math.sin(th) * bend, qy = y0 + Math.cos(th) * bend;
        double sigma = 0.35 + 0.55 * rnd.nextDouble(), depth = 0.2 + 0.35 * rnd.nextDouble();
        double phase = 2 * Math.PI * rnd.nextDouble(), wave = 2 * Math.PI / (40 + 200 * rnd.nextDouble());
        int steps = (int) Math.ceil(len * 2);
        int reach = (int) Math.ceil(3 * sigma);
        for (int s = 0; s <= steps; s++) {
            double t = (double) s / steps, u = 1 - t;
            double px = u * u * ax + 2 * u * t * qx + t * t * bx, py = u * u * ay + 2 * u * t * qy + t * t * by;
            if (px < -reach || py < -reach || px > width + reach || py > height + reach) continue;
            // depth varies slowly along the scratch (uneven polishing pressure)
            double d = depth * (0.75 + 0.25 * Math.sin(phase + wave * s * 0.5));
            stamp(dark, width, height, px, py, sigma, d, reach);
        }
    }

    /** A dark pit or noise spot: a soft disk, sometimes elongated. */
    private static void drawPit(float[] dark, int width, int height, SplittableRandom rnd) {
        double x = rnd.nextDouble() * width, y = rnd.nextDouble() * height;
        double r = 0.6 * Math.exp(rnd.nextDouble() * Math.log(3.5 / 0.6));   // log-uniform 0.6-3.5 px
        double depth = 0.35 + 0.55 * rnd.nextDouble();
        double elong = 1 + (rnd.nextDouble() < 0.3 ? 1.5 * rnd.nextDouble() : 0), th = Math.PI * rnd.nextDouble();
        double c = Math.cos(th), s = Math.sin(th);
        int reach = (int) Math.ceil(r * elong + 2);
        for (int yy = Math.max(0, (int) y - reach); yy <= Math.min(height - 1, (int) y + reach); yy++)
            for (int xx = Math.max(0, (int) x - reach); xx <= Math.min(width - 1, (int) x + reach); xx++) {
                double ex = xx - x, ey = yy - y;
                double a = (ex * c + ey * s) / elong, b = -ex * s + ey * c;
                double d = Math.sqrt(a * a + b * b) / r;
                // smooth edge: full depth inside, falling to 0 over one radius
                double v = depth * (d < 1 ? 1 : Math.max(0, 1 - (d - 1) * 2));
                int i = yy * width + xx;
                if (v > dark[i]) dark[i] = (float) v;
            }
    }

    private static void stamp(float[] dark, int width, int height, double px, double py, double sigma, double depth, int reach) {
        int x0 = Math.max(0, (int) Math.floor(px) - reach), x1 = Math.min(width - 1, (int) Math.floor(px) + reach + 1);
        int y0 = Math.max(0, (int) Math.floor(py) - reach), y1 = Math.min(height - 1, (int) Math.floor(py) + reach + 1);
        double inv = 1 / (2 * sigma * sigma);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                double dx = x - px, dy = y - py;
                double v = depth * Math.exp(-(dx * dx + dy * dy) * inv);
                int i = y * width + x;
                if (v > dark[i]) dark[i] = (float) v;
            }
    }

    /** Smooth value noise in [0, 1]: random values on a grid of pitch {@code scale}, smoothstep-interpolated. */
    static float[] smoothNoise(int width, int height, double scale, SplittableRandom rnd) {
        int gw = (int) Math.ceil(width / scale) + 2, gh = (int) Math.ceil(height / scale) + 2;
        float[] grid = new float[gw * gh];
        for (int i = 0; i < grid.length; i++) grid[i] = (float) rnd.nextDouble();
        float[] out = new float[width * height];
        for (int y = 0; y < height; y++) {
            double fy = y / scale;
            int iy = (int) fy;
            double ty = fy - iy;
            ty = ty * ty * (3 - 2 * ty);
            for (int x = 0; x < width; x++) {
                double fx = x / scale;
                int ix = (int) fx;
                double tx = fx - ix;
                tx = tx * tx * (3 - 2 * tx);
                double a = grid[iy * gw + ix] + (grid[iy * gw + ix + 1] - grid[iy * gw + ix]) * tx;
                double b = grid[(iy + 1) * gw + ix] + (grid[(iy + 1) * gw + ix + 1] - grid[(iy + 1) * gw + ix]) * tx;
                out[y * width + x] = (float) (a + (b - a) * ty);
            }
        }
        return out;
    }

    /** In-place separable Gaussian blur, edges clamped. */
    static void gaussianBlur(float[] img, int width, int height, double sigma) {
        int r = Math.max(1, (int) Math.ceil(3 * sigma));
        float[] k = new float[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = (float) Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= (float) sum;
        float[] line = new float[Math.max(width, height) + 2 * r];
        for (int y = 0; y < height; y++) {
            int row = y * width;
            for (int x = -r; x < width + r; x++) line[x + r] = img[row + Math.max(0, Math.min(width - 1, x))];
            for (int x = 0; x < width; x++) {
                float s = 0;
                for (int j = 0; j < k.length; j++) s += k[j] * line[x + j];
                img[row + x] = s;
            }
        }
        for (int x = 0; x < width; x++) {
            for (int y = -r; y < height + r; y++) line[y + r] = img[Math.max(0, Math.min(height - 1, y)) * width + x];
            for (int y = 0; y < height; y++) {
                float s = 0;
                for (int j = 0; j < k.length; j++) s += k[j] * line[y + j];
                img[y * width + x] = s;
            }
        }
    }
}
