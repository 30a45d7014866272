package org.wpunet.core;

import java.util.Arrays;

/**
 * Neural-network kernels on tensors: convolution, transposed convolution, max pooling, batch norm and
 * dropout, each with the backward functions autograd needs. Shapes are NCHW; weights use PyTorch's
 * layouts, so state dicts move between the two unchanged. Inputs are made compact before the
 * backend is called.
 */
public final class NeuralOps {
    private NeuralOps() {}

    /** Max-pool result: values and flat (h*w) indices of the chosen inputs, as torch's return_indices. */
    public record PoolResult(Tensor values, Tensor indices) implements AutoCloseable {
        @Override
        public void close() { values.close(); indices.close(); }
    }

    /** Batch-norm result; saveMean/saveInvStd are null in inference mode. */
    public record BatchNormResult(Tensor output, Tensor saveMean, Tensor saveInvStd) implements AutoCloseable {
        @Override
        public void close() {
            output.close();
            if (saveMean != null) saveMean.close();
            if (saveInvStd != null) saveInvStd.close();
        }
    }

    private static void need4d(String op, String what, Tensor t) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException(op + ": " + what + " must be 4-D (N,C,H,W), got shape " + Shapes.str(t.shape()));
        }
    }

    static void sameDevice(String op, Tensor a, Tensor b) {
        if (b != null && !a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": tensors are on different devices: " + a.device() + " and " + b.device());
        }
    }

    private static void floating(String op, Tensor t) {
        if (!t.dtype().isFloating()) throw new IllegalArgumentException(op + " needs floating tensors, got " + t.dtype());
    }

    private static void sameType(String op, Tensor a, Tensor b) {
        if (b != null && a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ: " + a.dtype() + " and " + b.dtype());
        }
    }

    private static Tensor compact(Tensor t) { return t == null ? null : t.contiguous(); }

    private static Storage st(Tensor t) { return t == null ? null : t.storage(); }

    // ------------------------------------------------------------------ convolution
    /** y = conv2d(x, w) + b; x [N,C,H,W], w [OC,C,KH,KW], b [OC] or null. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, ConvParams p) {
        int[] xs = x.shape(), ws = w.shape();
        checkConv("conv2d", x, w, b, 1, 0);
        int oh = p.convOutH(xs[2], ws[2]), ow = p.convOutW(xs[3], ws[3]);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(xs) + " is too small for kernel "
                    + ws[2] + "x" + ws[3] + " with " + p + " (output " + oh + "x" + ow + ")");
        }
        try (Tensor xc = compact(x); Tensor wc = compact(w); Tensor bc = compact(b)) {
            return Tensor.wrap(x.backend().conv2d(xc.storage(), xs, wc.storage(), ws, st(bc), p),
                    Layout.contiguous(xs[0], ws[0], oh, ow));
        }
    }

    /**
     * Inference convolution, batch norm with the running statistics and ReLU in one backend call
     * ({@link Backend#conv2dBatchNormReluInference}): {@code max(0, batchNorm(conv2d(x, w, b)))};
     * gamma and beta [oc] or both null, runningMean and runningVar [oc].
     */
    public static Tensor conv2dBatchNormReluInference(Tensor x, Tensor w, Tensor b, Tensor gamma, Tensor beta,
                                                      Tensor runningMean, Tensor runningVar, double eps, ConvParams p) {
        int[] xs = x.shape(), ws = w.shape();
        checkConv("conv2d", x, w, b, 1, 0);
        int oh = p.convOutH(xs[2], ws[2]), ow = p.convOutW(xs[3], ws[3]);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("conv2d: input " + Shapes.str(xs) + " is too small for kernel "
                    + ws[2] + "x" + ws[3] + " with " + p + " (output " + oh + "x" + ow + ")");
        }
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException("conv2d + batch_norm_relu: running statistics are required for inference");
        }
        String op = "conv2d + batch_norm_relu";
        for (Tensor t : new Tensor[]{gamma, beta, runningMean, runningVar}) {
            if (t == null) continue;
            sameDevice(op, x, t);
            sameType(op, x, t);
            if (t.rank() != 1 || t.size(0) != ws[0]) {
                throw new IllegalArgumentException(op + ": batch-norm parameter shape " + Shapes.str(t.shape()) + " != ["
                        + ws[0] + "] for weight " + Shapes.str(ws));
            }
        }
        try (Tensor xc = compact(x); Tensor wc = compact(w); Tensor bc = compact(b); Tensor gc = compact(gamma);
             Tensor tc = compact(beta); Tensor mc = compact(runningMean); Tensor vc = compact(runningVar)) {
            return Tensor.wrap(x.backend().conv2dBatchNormReluInference(xc.storage(), xs, wc.storage(), ws, st(bc), p, st(gc),
                    st(tc), st(mc), st(vc), eps), Layout.contiguous(xs[0], ws[0], oh, ow));
        }
    }

    /**
     * Checks a (transposed) convolution's operands: 4-D input and weight on one device with one
     * floating dtype; the weight's dim {@code inDim} matches the input channels and a bias has the
     * size of the weight's dim {@code outDim}.
     */
    private static void checkConv(String op, Tensor x, Tensor w, Tensor b, int inDim, int outDim) {
        need4d(op, "input", x);
        need4d(op, "weight", w);
        sameDevice(op, x, w);
        sameDevice(op, x, b);
        floating(op, x);
        sameType(op, x, w);
        sameType(op, x, b);
        int[] xs = x.shape(), ws = w.shape();
        if (xs[1] != ws[inDim]) {
            throw new IllegalArgumentException(op + ": input " + Shapes.str(xs) + " has " + xs[1] + " channels but weight "
                    + Shapes.str(ws) + " expects " + ws[inDim]);
        }
        if (b != null && (b.rank() != 1 || b.size(0) != ws[outDim])) {
            throw new IllegalArgumentException(op + ": bias shape " + Shapes.str(b.shape()) + " != [" + ws[outDim] + "]");
        }
    }

    /** Gradient of conv2d with respect to its input (shape {@code xShape}). */
    public static Tensor conv2dBackwardInput(Tensor dy, Tensor w, int[] xShape, ConvParams p) {
        sameDevice("conv2d backward", dy, w);
        try (Tensor dc = compact(dy); Tensor wc = compact(w)) {
            return Tensor.wrap(dy.backend().conv2dBackwardInput(dc.storage(), wc.storage(), xShape.clone(), w.shape(), p),
                    Layout.contiguous(xShape));
        }
    }

    /** Gradients of conv2d with respect to weight and (when withBias) bias: {dW, dB or null}. */
    public static Tensor[] conv2dBackwardWeight(Tensor x, Tensor dy, int[] wShape, ConvParams p, boolean withBias) {
        sameDevice("conv2d backward", x, dy);
        try (Tensor xc = compact(x); Tensor dc = compact(dy)) {
            Storage[] r = x.backend().conv2dBackwardWeight(xc.storage(), dc.storage(), x.shape(), wShape.clone(), p, withBias);
            return new Tensor[]{Tensor.wrap(r[0], Layout.contiguous(wShape)),
                    withBias ? Tensor.wrap(r[1], Layout.contiguous(wShape[0])) : null};
        }
    }

    /** Transposed convolution; x [N,C,H,W], w [C,OC,KH,KW] (PyTorch layout), b [OC] or null. */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, ConvParams p) {
        String op = "conv_transpose2d";
        int[] xs = x.shape(), ws = w.shape();
        checkConv(op, x, w, b, 0, 1);
        if (p.outPadH() >= Math.max(p.strideH(), p.dilationH()) || p.outPadW() >= Math.max(p.strideW(), p.dilationW())) {
            throw new IllegalArgumentException(op + ": output padding must be smaller than stride or dilation, got " + p);
        }
        int oh = p.transposedOutH(xs[2], ws[2]), ow = p.transposedOutW(xs[3], ws[3]);
        if (oh <= 0 || ow <= 0) throw new IllegalArgumentException(op + ": output size " + oh + "x" + ow + " is not positive");
        try (Tensor xc = compact(x); Tensor wc = compact(w); Tensor bc = compact(b)) {
            return Tensor.wrap(x.backend().convTranspose2d(xc.storage(), xs, wc.storage(), ws, st(bc), p),
                    Layout.contiguous(xs[0], ws[1], oh, ow));
        }
    }

    /**
     * {@link #convTranspose2d} written into channels {@code [channelOffset, channelOffset + OC)} of
     * {@code out} [N, C', OH, OW] (compact, the whole of its storage), leaving its other channels as
     * they are: the decoder's concatenation [skip, up-sampled] without a separate up-sampled tensor.
     */
    public static void convTranspose2dInto(Tensor x, Tensor w, Tensor b, ConvParams p, Tensor out, int channelOffset) {
        String op = "conv_transpose2d into";
        int[] xs = x.shape(), ws = w.shape();
        checkConv(op, x, w, b, 0, 1);
        sameDevice(op, x, out);
        sameType(op, x, out);
        int oh = p.transposedOutH(xs[2], ws[2]), ow = p.transposedOutW(xs[3], ws[3]);
        int[] os = out.shape();
        if (os.length != 4 || os[0] != xs[0] || os[2] != oh || os[3] != ow || channelOffset < 0 || channelOffset + ws[1] > os[1]) {
            throw new IllegalArgumentException(op + ": output " + Shapes.str(os) + " has no channels [" + channelOffset + ", "
                    + (channelOffset + ws[1]) + ") of size " + oh + "x" + ow + " for input " + Shapes.str(xs) + " and weight "
                    + Shapes.str(ws));
        }
        if (!out.layout().isCompact() || out.storage().numel() != out.numel()) {
            throw new IllegalArgumentException(op + ": the output must be a compact tensor that is its whole storage, got layout "
                    + out.layout());
        }
        if (p.outPadH() >= Math.max(p.strideH(), p.dilationH()) || p.outPadW() >= Math.max(p.strideW(), p.dilationW())) {
            throw new IllegalArgumentException(op + ": output padding must be smaller than stride or dilation, got " + p);
        }
        try (Tensor xc = compact(x); Tensor wc = compact(w); Tensor bc = compact(b)) {
            x.backend().convTranspose2dInto(xc.storage(), xs, wc.storage(), ws, st(bc), p, out.storage(), os, channelOffset);
        }
    }

    public static Tensor convTranspose2dBackwardInput(Tensor dy, Tensor w, int[] xShape, ConvParams p) {
        sameDevice("conv_transpose2d backward", dy, w);
        try (Tensor dc = compact(dy); Tensor wc = compact(w)) {
            return Tensor.wrap(dy.backend().convTranspose2dBackwardInput(dc.storage(), wc.storage(), xShape.clone(), w.shape(), p),
                    Layout.contiguous(xShape));
        }
    }

    public static Tensor[] convTranspose2dBackwardWeight(Tensor x, Tensor dy, int[] wShape, ConvParams p, boolean withBias) {
        sameDevice("conv_transpose2d backward", x, dy);
        try (Tensor xc = compact(x); Tensor dc = compact(dy)) {
            Storage[] r = x.backend().convTranspose2dBackwardWeight(xc.storage(), dc.storage(), x.shape(), wShape.clone(), p, withBias);
            return new Tensor[]{Tensor.wrap(r[0], Layout.contiguous(wShape)),
                    withBias ? Tensor.wrap(r[1], Layout.contiguous(wShape[1])) : null};
        }
    }

    // ------------------------------------------------------------------ pooling
    /** Max pooling with kernel/stride/padding/dilation given as [h, w] (ceil_mode false). */
    public static PoolResult maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] xs = x.shape(), o = poolOutput(x, kernel, stride, padding, dilation);
        int oh = o[0], ow = o[1];
        try (Tensor xc = compact(x)) {
            Storage[] r = x.backend().maxPool2d(xc.storage(), xs, kernel.clone(), stride.clone(), padding.clone(), dilation.clone());
            Layout l = Layout.contiguous(xs[0], xs[1], oh, ow);
            return new PoolResult(Tensor.wrap(r[0], l), Tensor.wrap(r[1], l));
        }
    }

    /**
     * The values of {@link #maxPool2d} without the indices, for inference (no gradient to route back);
     * backends may skip computing the indices.
     */
    public static Tensor maxPool2dValues(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int[] xs = x.shape(), o = poolOutput(x, kernel, stride, padding, dilation);
        try (Tensor xc = compact(x)) {
            Storage y = x.backend().maxPool2dValues(xc.storage(), xs, kernel.clone(), stride.clone(), padding.clone(), dilation.clone());
            return Tensor.wrap(y, Layout.contiguous(xs[0], xs[1], o[0], o[1]));
        }
    }

    /** Checks a max pooling's input and window; returns the output {oh, ow}. */
    private static int[] poolOutput(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        need4d("max_pool2d", "input", x);
        floating("max_pool2d", x);
        for (int i = 0; i < 2; i++) {
            if (kernel[i] < 1 || stride[i] < 1 || dilation[i] < 1 || padding[i] < 0) {
                throw new IllegalArgumentException("max_pool2d: bad kernel " + Arrays.toString(kernel) + ", stride "
                        + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", dilation " + Arrays.toString(dilation));
            }
            if (padding[i] * 2 > kernel[i]) {
                throw new IllegalArgumentException("max_pool2d: padding " + Arrays.toString(padding)
                        + " must be at most half the kernel " + Arrays.toString(kernel));
            }
        }
        int[] xs = x.shape();
        int oh = (xs[2] + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) / stride[0] + 1;
        int ow = (xs[3] + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) / stride[1] + 1;
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException("max_pool2d: input " + Shapes.str(xs) + " is too small for kernel " + Arrays.toString(kernel));
        }
        return new int[]{oh, ow};
    }

    /** 2x2 max pooling with stride 2 (U-Net's down-sampling). */
    public static PoolResult maxPool2d(Tensor x, int k) {
        return maxPool2d(x, new int[]{k, k}, new int[]{k, k}, new int[]{0, 0}, new int[]{1, 1});
    }

    /** Routes dy back to the chosen inputs (sums where windows overlap). */
    public static Tensor maxPool2dBackward(Tensor dy, Tensor indices, int[] xShape) {
        sameDevice("max_pool2d backward", dy, indices);
        try (Tensor dc = compact(dy); Tensor ic = compact(indices)) {
            return Tensor.wrap(dy.backend().maxPool2dBackward(dc.storage(), ic.storage(), xShape.clone(), dy.shape()),
                    Layout.contiguous(xShape));
        }
    }

    // ------------------------------------------------------------------ batch norm
    /**
     * Batch norm over [N,C,H,W] with PyTorch semantics. In training, normalises with the batch mean
     * and biased variance and updates runningMean/runningVar in place:
     * {@code r = (1-momentum) r + momentum * stat}, using the unbiased variance for runningVar.
     */
    public static BatchNormResult batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                            boolean training, double momentum, double eps) {
        return batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps, false);
    }

    /**
     * Batch norm followed by ReLU in one op: as {@link #batchNorm} with output {@code max(0, bn(x))};
     * the backward is {@link #batchNormReluBackward}.
     */
    public static BatchNormResult batchNormRelu(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                                boolean training, double momentum, double eps) {
        return batchNorm(x, gamma, beta, runningMean, runningVar, training, momentum, eps, true);
    }

    private static BatchNormResult batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                             boolean training, double momentum, double eps, boolean relu) {
        String op = relu ? "batch_norm_relu" : "batch_norm";
        checkBatchNorm(op, x, gamma, beta, runningMean, runningVar, training);
        int c = x.size(1);
        int[] xs = x.shape();
        if (training && (long) xs[0] * xs[2] * xs[3] <= 1) {
            throw new IllegalArgumentException(op + ": expected more than 1 value per channel when training, got input "
                    + Shapes.str(xs));
        }
        try (Tensor xc = compact(x)) {
            Storage[] r = relu
                    ? x.backend().batchNormRelu(xc.storage(), xs, st(gamma), st(beta), st(runningMean), st(runningVar),
                            training, momentum, eps)
                    : x.backend().batchNorm(xc.storage(), xs, st(gamma), st(beta), st(runningMean), st(runningVar),
                            training, momentum, eps);
            Tensor y = Tensor.wrap(r[0], Layout.contiguous(xs));
            if (!training) return new BatchNormResult(y, null, null);
            return new BatchNormResult(y, Tensor.wrap(r[1], Layout.contiguous(c)), Tensor.wrap(r[2], Layout.contiguous(c)));
        }
    }

    /**
     * Inference-mode {@link #batchNormRelu} for a caller that no longer needs x's values: the result
     * {@code max(0, (x - runningMean) gamma / sqrt(runningVar + eps) + beta)} may be written over x
     * (the CPU does: nothing is allocated, and the result is a new view of x's storage) or be a new
     * tensor (backends without such a kernel; x is then left as it was). x must be compact and the
     * whole of its storage; the values equal {@link #batchNormRelu}'s. gamma and beta may be null.
     */
    public static Tensor batchNormReluInferenceReusingInput(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                                            Tensor runningVar, double eps) {
        String op = "batch_norm_relu (reusing its input)";
        checkBatchNorm(op, x, gamma, beta, runningMean, runningVar, false);
        if (!x.layout().isCompact() || x.storage().numel() != x.numel()) {
            throw new IllegalArgumentException(op + ": the input must be a compact tensor that is its whole storage, got layout "
                    + x.layout());
        }
        Storage y = x.backend().batchNormReluInferenceReusingInput(x.storage(), x.shape(), st(gamma), st(beta), st(runningMean),
                st(runningVar), eps);
        return y == x.storage() ? x.reshape(x.shape()) : Tensor.wrap(y, Layout.contiguous(x.shape()));
    }

    private static void checkBatchNorm(String op, Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                       boolean training) {
        need4d(op, "input", x);
        floating(op, x);
        int c = x.size(1);
        for (Tensor t : new Tensor[]{gamma, beta, runningMean, runningVar}) {
            if (t == null) continue;
            sameDevice(op, x, t);
            sameType(op, x, t);
            if (t.rank() != 1 || t.size(0) != c) {
                throw new IllegalArgumentException(op + ": parameter shape " + Shapes.str(t.shape()) + " != [" + c + "] for input "
                        + Shapes.str(x.shape()));
            }
            if (!t.layout().isCompact()) throw new IllegalArgumentException(op + ": parameters and running stats must be compact");
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(op + ": inference mode needs running mean and variance");
        }
    }

    /**
     * Training-mode batch-norm backward: {dx, dGamma, dBeta}. gamma may be null (affine=false); eps is
     * the forward's.
     */
    public static Tensor[] batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, double eps) {
        if (saveMean == null || saveInvStd == null) {
            throw new IllegalArgumentException("batch_norm backward needs the saved mean and inverse std of the training-mode "
                    + "forward, got " + (saveMean == null ? "no mean" : "no inverse std") + " for input " + Shapes.str(x.shape()));
        }
        sameDevice("batch_norm backward", x, dy);
        int c = x.size(1);
        try (Tensor xc = compact(x); Tensor dc = compact(dy)) {
            Storage[] r = x.backend().batchNormBackward(xc.storage(), dc.storage(), x.shape(), st(gamma), saveMean.storage(),
                    saveInvStd.storage(), eps);
            return new Tensor[]{Tensor.wrap(r[0], Layout.contiguous(x.shape())), Tensor.wrap(r[1], Layout.contiguous(c)),
                    Tensor.wrap(r[2], Layout.contiguous(c))};
        }
    }

    /**
     * Training-mode backward of {@link #batchNormRelu}: x its input, y its output, dy the gradient of y;
     * {dx, dGamma, dBeta}. gamma may be null (affine=false); eps is the forward's.
     */
    public static Tensor[] batchNormReluBackward(Tensor x, Tensor y, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, double eps) {
        if (saveMean == null || saveInvStd == null) {
            throw new IllegalArgumentException("batch_norm_relu backward needs the saved mean and inverse std of the training-mode "
                    + "forward, got " + (saveMean == null ? "no mean" : "no inverse std") + " for input " + Shapes.str(x.shape()));
        }
        sameDevice("batch_norm_relu backward", x, dy);
        sameDevice("batch_norm_relu backward", x, y);
        if (!java.util.Arrays.equals(x.shape(), y.shape()) || !java.util.Arrays.equals(x.shape(), dy.shape())) {
            throw new IllegalArgumentException("batch_norm_relu backward: input " + Shapes.str(x.shape()) + ", output "
                    + Shapes.str(y.shape()) + " and gradient " + Shapes.str(dy.shape()) + " must have one shape");
        }
        int c = x.size(1);
        try (Tensor xc = compact(x); Tensor yc = compact(y); Tensor dc = compact(dy)) {
            Storage[] r = x.backend().batchNormReluBackward(xc.storage(), yc.storage(), dc.storage(), x.shape(), st(gamma),
                    saveMean.storage(), saveInvStd.storage(), eps);
            return new Tensor[]{Tensor.wrap(r[0], Layout.contiguous(x.shape())), Tensor.wrap(r[1], Layout.contiguous(c)),
                    Tensor.wrap(r[2], Layout.contiguous(c))};
        }
    }

    // ------------------------------------------------------------------ dropout
    /**
     * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
     * Returns {output, scale mask} where mask holds 0 or 1/(1-p) (the backward multiplies by it).
     */
    public static Tensor[] dropout(Tensor x, double p, Rng rng) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0,1), got " + p);
        floating("dropout", x);
        try (Tensor keep = rng.bernoulli(x.device(), 1 - p, x.shape()); Tensor kf = keep.to(x.dtype())) {
            Tensor mask = kf.mul(1.0 / (1 - p));
            return new Tensor[]{x.mul(mask), mask};
        }
    }
}
