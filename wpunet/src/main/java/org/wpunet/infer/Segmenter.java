package org.wpunet.infer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Precision;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.data.SerialStack;
import org.wpunet.image.Boundaries;
import org.wpunet.image.LabelImage;
import org.wpunet.image.PostProcessing;
import org.wpunet.model.AbstractUNet;
import org.wpunet.nn.autograd.Autocast;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;

/**
 * Segments slices and stacks with a trained WPU-Net (2 input channels: image, previous boundary) or
 * U-Net (1 channel), tile by tile ({@link Tiling}). Memory: the tiles are streamed in batches of
 * {@link SegmentOptions#batch}, so only one batch's activations exist at a time; per slice the
 * result arrays (9 bytes a pixel) plus, for BLEND, one double accumulator (8 bytes a pixel).
 * Not thread-safe (the model is shared); one segmentation at a time.
 */
public final class Segmenter {
    /**
     * The guard: a slice segmented with a prior whose boundary density (fraction of boundary
     * pixels) is below this fraction of its prior's density is re-segmented without the prior. A
     * network that leans on its prior collapses to "no boundary" rather than thinning slightly;
     * real neighbouring slices differ in density by far less than 2x.
     */
    public static final double GUARD_RATIO = 0.5;
    /** Value of the previous-slice input on boundary pixels; 1 elsewhere (the original's coding). */
    static final float PRIOR_BOUNDARY = -6f, PRIOR_GRAIN = 1f;

    /** Progress and warnings of {@link #segmentStack}. */
    public interface Listener {
        /** Slice {@code index} (0-based) of {@code count} is done. */
        default void slice(int index, int count, SliceResult result) {}

        /** Something the user should know about slice {@code index}, e.g. the guard fired. */
        default void warning(int index, String message) {}

        /**
         * A slice has passed through the network: {@code done} of {@code total} passes ({@code total} is
         * the number of slices, twice that for {@link Direction#BOTH}). For progress bars.
         */
        default void progress(int done, int total) {}

        Listener NONE = new Listener() {};
    }

    private final AbstractUNet model;
    private final double mean, std;
    private final SegmentOptions options;
    private final Device device;

    /**
     * @param model a WPU-Net or U-Net already on its device and in eval mode
     * @param mean  normalisation mean of the run ((v/255 - mean) / std)
     * @param std   normalisation standard deviation, positive
     */
    public Segmenter(AbstractUNet model, double mean, double std, SegmentOptions options) {
        this.model = Objects.requireNonNull(model, "model");
        this.options = Objects.requireNonNull(options, "options");
        if (model.isTraining()) throw new IllegalArgumentException("the model is in training mode: call model.eval() first");
        if (model.inChannels() != 1 && model.inChannels() != 2)
            throw new IllegalArgumentException("expected a 1-channel (U-Net) or 2-channel (WPU-Net) model, got " + model.inChannels() + " input channels");
        if (model.classes() != 1 && model.classes() != 2)
            throw new IllegalArgumentException("expected 1 or 2 output channels, got " + model.classes());
        if (!(std > 0) || !Double.isFinite(mean)) throw new IllegalArgumentException("need a finite mean and std > 0, got " + mean + ", " + std);
        this.mean = mean;
        this.std = std;
        List<Variable> params = model.parameters();
        this.device = params.isEmpty() ? Device.CPU : params.get(0).device();
    }

    public SegmentOptions options() { return options; }

    /** Whether the model takes a previous-slice boundary (WPU-Net). */
    public boolean usesPrior() { return model.inChannels() == 2; }

    /**
     * Segments one slice.
     *
     * @param image             8-bit grey values (read unsigned), width*height row-major; sides at least 16
     * @param previousBoundary  the previous slice's boundary (non-zero = boundary), or null for no prior
     *                          (an all-grain mask); ignored by a U-Net
     */
    public SliceResult segment(byte[] image, int width, int height, byte[] previousBoundary) {
        Objects.requireNonNull(image, "image");
        Tiling tiling = Tiling.of(width, height, options.tile(), options.margin());
        if (image.length != (long) width * height)
            throw new IllegalArgumentException("image has " + image.length + " bytes, expected " + width + "x" + height + " = " + (long) width * height);
        if (previousBoundary != null && previousBoundary.length != image.length)
            throw new IllegalArgumentException("previous boundary has " + previousBoundary.length + " bytes, expected " + width + "x" + height);
        byte[] prior = usesPrior() ? previousBoundary : null;
        int n = image.length;
        float[] prob = new float[n];
        byte[] boundary = options.stitch() == Stitch.ORIGINAL ? new byte[n] : null;
        double[] acc = options.stitch() == Stitch.BLEND ? new double[n] : null;

        // tiles of one input shape can share a batch (first/inner/last rows and columns differ)
        Map<Long, List<Tiling.Tile>> byShape = new LinkedHashMap<>();
        for (Tiling.Tile t : tiling.tiles()) byShape.computeIfAbsent(((long) t.y().size() << 32) | t.x().size(), k -> new ArrayList<>()).add(t);
        boolean tf32Before = Precision.allowTf32();
        Precision.setAllowTf32(options.precision().equals("tf32"));
        try {
            for (List<Tiling.Tile> group : byShape.values())
                for (int b0 = 0; b0 < group.size(); b0 += options.batch()) {
                    List<Tiling.Tile> batch = group.subList(b0, Math.min(group.size(), b0 + options.batch()));
                    float[] out = forward(batch, image, prior, width, height);
                    int plane = batch.get(0).y().size() * batch.get(0).x().size();
                    for (int k = 0; k < batch.size(); k++) {
                        int offset = k * model.classes() * plane;
                        if (acc != null) accumulate(batch.get(k), out, offset, width, acc);
                        else pasteOriginal(batch.get(k), out, offset, width, boundary, prob);
                    }
                }
        } finally {
            Precision.setAllowTf32(tf32Before);
        }
        if (acc != null) {
            // normalise by the total weight, separable because the tiles form a grid
            double[] sy = tiling.rowWeightSums(), sx = tiling.colWeightSums();
            byte[] mask = new byte[n];
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) {
                    int i = x + width * y;
                    prob[i] = (float) (acc[i] / (sy[y] * sx[x]));
                    if (prob[i] > 0.5f) mask[i] = (byte) 255;
                }
            acc = null;
            boundary = PostProcessing.fromMask(mask, width, height);
        }
        return finish(boundary, prob, width, height, prior != null);
    }

    /** Gap closing (if on) and grains of a post-processed boundary map. */
    private SliceResult finish(byte[] boundary, float[] prob, int width, int height, boolean priorUsed) {
        if (options.closeGaps()) boundary = GapClosing.apply(boundary, prob, width, height);
        LabelImage grains = Boundaries.toGrains(boundary, width, height);
        return new SliceResult(width, height, boundary, prob, grains.labels(), grains.maxLabel(), priorUsed);
    }

    /** The whole-slice post-processing of a probability map: boundary where p > 0.5, closing, skeleton. */
    private SliceResult fromProbability(float[] prob, int width, int height, boolean priorUsed) {
        byte[] mask = new byte[prob.length];
        for (int i = 0; i < prob.length; i++) if (prob[i] > 0.5f) mask[i] = (byte) 255;
        return finish(PostProcessing.fromMask(mask, width, height), prob, width, height, priorUsed);
    }

    /** One batch of tiles of equal shape through the network; the logits [B, classes, th, tw] on the host. */
    private float[] forward(List<Tiling.Tile> batch, byte[] image, byte[] prior, int width, int height) {
        int th = batch.get(0).y().size(), tw = batch.get(0).x().size(), plane = th * tw, c = model.inChannels();
        float[] in = new float[batch.size() * c * plane];
        float[] lut = new float[256];   // (v/255 - mean)/std for every grey level, computed in double
        for (int v = 0; v < 256; v++) lut[v] = (float) ((v / 255.0 - mean) / std);
        for (int k = 0; k < batch.size(); k++) {
            Tiling.Tile t = batch.get(k);
            int base = k * c * plane;
            for (int u = 0; u < th; u++) {
                int row = t.y().source(u, height) * width;
                for (int v = 0; v < tw; v++) {
                    int i = row + t.x().source(v, width);
                    in[base + u * tw + v] = lut[image[i] & 0xFF];
                    if (c == 2) in[base + plane + u * tw + v] = prior != null && prior[i] != 0 ? PRIOR_BOUNDARY : PRIOR_GRAIN;
                }
            }
        }
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter();
             Autocast ac = options.precision().equals("bf16") ? Autocast.enable(DType.BF16) : Autocast.disable()) {
            Variable x = Variable.constant(Tensor.of(in, batch.size(), c, th, tw).to(device));
            Variable logits = model.forward(x);
            int[] shape = logits.shape();
            if (shape.length != 4 || shape[0] != batch.size() || shape[1] != model.classes() || shape[2] != th || shape[3] != tw)
                throw new IllegalStateException("model returned " + java.util.Arrays.toString(shape) + " for a " + batch.size() + "x" + c + "x" + th + "x" + tw + " batch");
            return logits.value().toFloatArray();
        }
    }

    /** Boundary probability of input pixel j of a tile's output at {@code offset}. */
    private float probability(float[] out, int offset, int plane, int j) {
        if (model.classes() == 1) return Math.min(1f, Math.max(0f, out[offset + j]));
        // softmax over two logits: p1 = 1 / (1 + exp(l0 - l1))
        return (float) (1.0 / (1.0 + Math.exp((double) out[offset + j] - out[offset + plane + j])));
    }

    private void accumulate(Tiling.Tile t, float[] out, int offset, int width, double[] acc) {
        Tiling.Span ys = t.y(), xs = t.x();
        int tw = xs.size(), plane = ys.size() * tw;
        for (int y = ys.start(); y < ys.realEnd(); y++) {
            double wy = ys.weight(y);
            for (int x = xs.start(); x < xs.realEnd(); x++) {
                int j = (y - ys.start()) * tw + (x - xs.start());
                acc[x + width * y] += wy * xs.weight(x) * probability(out, offset, plane, j);
            }
        }
    }

    /**
     * ORIGINAL: post-process the tile's real pixels alone (argmax, ties to class 0, or a 0.5
     * threshold of a one-channel output; 3x3 closing; skeleton), then paste its core.
     */
    private void pasteOriginal(Tiling.Tile t, float[] out, int offset, int width, byte[] boundary, float[] prob) {
        Tiling.Span ys = t.y(), xs = t.x();
        int tw = xs.size(), plane = ys.size() * tw;
        int rh = ys.realEnd() - ys.start(), rw = xs.realEnd() - xs.start();
        byte[] mask = new byte[rh * rw];
        for (int u = 0; u < rh; u++)
            for (int v = 0; v < rw; v++) {
                int j = u * tw + v;
                boolean b = model.classes() == 1 ? out[offset + j] > 0.5f : out[offset + plane + j] > out[offset + j];
                if (b) mask[u * rw + v] = (byte) 255;
            }
        byte[] skel = PostProcessing.fromMask(mask, rw, rh);
        for (int y = ys.core0(); y < ys.core1(); y++)
            for (int x = xs.core0(); x < xs.core1(); x++) {
                int u = y - ys.start(), v = x - xs.start();
                boundary[x + width * y] = skel[u * rw + v];
                prob[x + width * y] = probability(out, offset, plane, u * tw + v);
            }
    }

    /** A stack with ground truth (needed for {@link Propagation#GT}), in the FORWARD direction. */
    public StackResult segmentStack(SerialStack stack, Propagation mode, byte[] firstMask, Listener listener) {
        return segmentStack(stack, mode, Direction.FORWARD, firstMask, listener);
    }

    /** A stack with ground truth (needed for {@link Propagation#GT}). */
    public StackResult segmentStack(SerialStack stack, Propagation mode, Direction direction, byte[] firstMask, Listener listener) {
        Objects.requireNonNull(stack, "stack");
        return run(List.of(stack.images()), stack.boundaries(), stack.width(), stack.height(), mode, direction, firstMask, listener);
    }

    /** A stack of 8-bit images without ground truth ({@link Propagation#GT} is refused), in the FORWARD direction. */
    public StackResult segmentStack(List<byte[]> images, int width, int height, Propagation mode, byte[] firstMask, Listener listener) {
        return segmentStack(images, width, height, mode, Direction.FORWARD, firstMask, listener);
    }

    /** A stack of 8-bit images without ground truth ({@link Propagation#GT} is refused). */
    public StackResult segmentStack(List<byte[]> images, int width, int height, Propagation mode, Direction direction, byte[] firstMask,
                                    Listener listener) {
        Objects.requireNonNull(images, "images");
        if (mode == Propagation.GT)
            throw new IllegalArgumentException("GT propagation needs the true boundaries of the stack: pass a SerialStack, or use OWN or NONE");
        return run(images, null, width, height, mode, direction, firstMask, listener);
    }

    /** {@link #forEachSlice(List, byte[][], int, int, Propagation, Direction, byte[], Listener)} in the FORWARD direction. */
    public List<Integer> forEachSlice(List<byte[]> images, byte[][] truth, int width, int height, Propagation mode, byte[] firstMask,
                                      Listener listener) {
        return forEachSlice(images, truth, width, height, mode, Direction.FORWARD, firstMask, listener);
    }

    /**
     * Streams a stack through the network: the same propagation and guard as {@link #segmentStack},
     * but each slice's result goes only to the listener and is not kept (only the previous slice's
     * boundary is, for OWN), so a stack of any length runs in the memory of one slice (BOTH also keeps
     * the reverse pass's probabilities, on disk for large stacks: {@link ProbabilityStore}). Slices reach
     * the listener in the order of the (last) pass: ascending, or descending for REVERSE. {@code truth}
     * (the true boundaries) may be null unless the mode is GT. Returns the 0-based indices the guard
     * re-segmented without their prior, ascending.
     */
    public List<Integer> forEachSlice(List<byte[]> images, byte[][] truth, int width, int height, Propagation mode, Direction direction,
                                      byte[] firstMask, Listener listener) {
        Objects.requireNonNull(images, "images");
        if (mode == Propagation.GT && truth == null)
            throw new IllegalArgumentException("GT propagation needs the true boundaries of the stack: use OWN or NONE, or give the truth");
        return run(images, truth, width, height, mode, direction, firstMask, listener, null);
    }

    /** Network passes a stack of {@code slices} takes (what {@link Listener#progress} counts to). */
    public int passes(int slices, Propagation mode, Direction direction) {
        return effective(mode, direction) == Direction.BOTH ? 2 * slices : slices;
    }

    /** BOTH with identical passes (a U-Net, or no prior) is one FORWARD pass. */
    private Direction effective(Propagation mode, Direction direction) {
        return direction == Direction.BOTH && (!usesPrior() || mode == Propagation.NONE) ? Direction.FORWARD : direction;
    }

    private StackResult run(List<byte[]> images, byte[][] truth, int width, int height, Propagation mode, Direction direction, byte[] firstMask,
                            Listener listener) {
        long t0 = System.nanoTime();
        SliceResult[] out = new SliceResult[images.size()];
        List<Integer> guarded = run(images, truth, width, height, mode, direction, firstMask, listener, out);
        return new StackResult(List.of(out), guarded, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Runs the passes {@code direction} asks for. Results go to the listener and, when {@code keep} is
     * not null, into it at their slice index.
     */
    private List<Integer> run(List<byte[]> images, byte[][] truth, int width, int height, Propagation mode, Direction direction, byte[] firstMask,
                              Listener listener, SliceResult[] keep) {
        Objects.requireNonNull(mode, "propagation mode");
        Objects.requireNonNull(direction, "direction");
        if (images.isEmpty()) throw new IllegalArgumentException("the stack has no slices");
        if (truth != null && truth.length != images.size())
            throw new IllegalArgumentException("the truth has " + truth.length + " slices, the stack " + images.size());
        if (firstMask != null && firstMask.length != (long) width * height)
            throw new IllegalArgumentException("first mask has " + firstMask.length + " bytes, expected " + width + "x" + height);
        for (int k = 0; k < images.size(); k++) {
            byte[] image = images.get(k);
            if (image == null || image.length != (long) width * height)
                throw new IllegalArgumentException("slice " + (k + 1) + " has " + (image == null ? "no" : image.length + "") + " bytes, expected "
                        + width + "x" + height);
        }
        int n = images.size();
        Direction d = effective(mode, direction);
        Chain chain = new Chain(images, truth, width, height, mode, firstMask, listener == null ? Listener.NONE : listener, keep,
                passes(n, mode, direction));
        switch (d) {
            case FORWARD -> chain.pass(false, null, null, true);
            case REVERSE -> chain.pass(true, null, null, true);
            case BOTH -> {
                try (ProbabilityStore reverse = new ProbabilityStore(n, width * height)) {
                    chain.pass(true, null, reverse, false);
                    chain.pass(false, reverse, null, true);
                }
            }
        }
        return List.copyOf(chain.guarded);
    }

    /** One stack's passes: the prior chain, the guard, and progress. */
    private final class Chain {
        private final List<byte[]> images;
        private final byte[][] truth;
        private final int width, height, total;
        private final Propagation mode;
        private final byte[] firstMask;
        private final Listener listener;
        private final SliceResult[] keep;
        final java.util.TreeSet<Integer> guarded = new java.util.TreeSet<>();
        private int done;

        Chain(List<byte[]> images, byte[][] truth, int width, int height, Propagation mode, byte[] firstMask, Listener listener,
              SliceResult[] keep, int total) {
            this.images = images; this.truth = truth; this.width = width; this.height = height; this.mode = mode;
            this.firstMask = firstMask; this.listener = listener; this.keep = keep; this.total = total;
        }

        /**
         * One pass over the stack, ascending or (reverse) descending. The first slice of the pass gets
         * the first mask; slice k then gets its predecessor's own boundary (OWN), true boundary (GT) or
         * none (NONE), then the guard ({@link #GUARD_RATIO}). With {@code mixWith}, slice k's probability
         * is averaged with the stored one and post-processed again; with {@code storeInto}, the pass's
         * probabilities are stored; {@code emit} sends the results to the listener and {@code keep}.
         */
        void pass(boolean reverse, ProbabilityStore mixWith, ProbabilityStore storeInto, boolean emit) {
            int n = images.size();
            byte[] previous = null;
            for (int j = 0; j < n; j++) {
                int k = reverse ? n - 1 - j : j, from = reverse ? k + 1 : k - 1;
                byte[] prior = j == 0 ? firstMask : switch (mode) {
                    case OWN -> previous;
                    case GT -> truth[from];
                    case NONE -> null;
                };
                byte[] image = images.get(k);
                SliceResult r = segment(image, width, height, prior);
                if (r.priorUsed()) {
                    double dp = SliceResult.density(prior), dr = r.boundaryDensity();
                    if (dp > 0 && dr < GUARD_RATIO * dp) {
                        listener.warning(k, String.format(Locale.ROOT, "slice %d: boundary density %.4f is below %.1f x its prior's %.4f;"
                                + " segmented again without the prior", k + 1, dr, GUARD_RATIO, dp));
                        r = segment(image, width, height, null);
                        guarded.add(k);
                    }
                }
                if (storeInto != null) storeInto.put(k, r.probability());
                if (mixWith != null) {
                    float[] other = mixWith.get(k), mine = r.probability(), p = new float[mine.length];
                    for (int i = 0; i < p.length; i++) p[i] = 0.5f * (mine[i] + other[i]);
                    r = fromProbability(p, width, height, r.priorUsed());
                }
                previous = r.boundary();
                listener.progress(++done, total);
                if (emit) {
                    if (keep != null) keep[k] = r;
                    listener.slice(k, n, r);
                }
            }
        }
    }
}
