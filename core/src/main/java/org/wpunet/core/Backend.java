package org.wpunet.core;

/**
 * The narrow interface every compute device implements (the CPU backend in core; CUDA plugs in
 * through {@link BackendProvider}). Methods take storages with their layouts and return new,
 * compact storages. The tensor layer does shape checking, broadcasting and dtype promotion before
 * calling here, so a backend only computes.
 *
 * <p>Conventions: heavy ops (matmul, conv, pooling, batch norm, softmax) receive compact (contiguous,
 * offset 0) inputs; elementwise ops and reductions receive arbitrary strided layouts (stride 0 =
 * broadcast). Index tensors are I32; masks are U8.
 */
public interface Backend {
    Device device();

    /** A short description for {@code wpunet info}. */
    String describe();

    // ---- memory and copies ----
    /** New zero-filled storage. */
    Storage zeros(DType dtype, int numel);

    /**
     * New storage with unspecified contents ({@code torch.empty}), for a caller that writes every
     * element before reading any. Zero-filled by default; the CPU takes a pooled array without
     * clearing it.
     */
    default Storage uninitialized(DType dtype, int numel) { return zeros(dtype, numel); }

    /** New storage filled with a value (converted to the dtype). */
    Storage full(DType dtype, int numel, double value);

    /** Copies a Java array (float[], double[], int[], byte[] for U8, short[] for BF16/F16) to the device. */
    Storage fromHost(Object array, DType dtype);

    /** Reads the elements of a layout in row-major order into a new Java array of the dtype's kind. */
    Object toHost(Storage s, Layout l);

    /** Makes a compact copy of a strided layout, converting to {@code to}. */
    Storage copy(Storage s, Layout l, DType to);

    /** Writes {@code src} (layout {@code sl}, same shape) into {@code dst} at layout {@code dl}. */
    void copyInto(Storage src, Layout sl, Storage dst, Layout dl);

    /** dst[dl] += src[sl] elementwise (same shape). */
    void addInto(Storage src, Layout sl, Storage dst, Layout dl);

    // ---- elementwise ----
    Storage unary(UnaryOp op, Storage s, Layout l, DType out);

    /** Both layouts already have the output shape (broadcast dims have stride 0). */
    Storage binary(BinaryOp op, Storage a, Layout la, Storage b, Layout lb, DType out);

    /** {@code op(x, scalar)} or, when {@code scalarFirst}, {@code op(scalar, x)}. */
    Storage binaryScalar(BinaryOp op, Storage s, Layout l, double scalar, boolean scalarFirst, DType out);

    /** cond != 0 ? a : b; all three layouts have the output shape. */
    Storage where(Storage cond, Layout lc, Storage a, Layout la, Storage b, Layout lb, DType out);

    /** min(max(x, lo), hi). */
    Storage clamp(Storage s, Layout l, double lo, double hi);

    // ---- reductions ----
    /**
     * Reduces the given (sorted) dims. The result is compact with the kept dims' shape (callers
     * reshape for keepdim). ARGMAX/ARGMIN take exactly one dim and give I32.
     */
    Storage reduce(ReduceOp op, Storage s, Layout l, int[] dims, DType out);

    /** Softmax (or log-softmax) over {@code dim} of a compact tensor of the given shape. */
    Storage softmax(Storage s, int[] shape, int dim, boolean log);

    // ---- linear algebra and neural-network kernels (compact inputs) ----
    /**
     * Batched GEMM: for each of {@code batch} matrices, C = op(A) op(B) with A stored [m x k] (or [k x m]
     * when transA), B stored [k x n] (or [n x k] when transB); a batch stride of 0 broadcasts.
     */
    Storage matmul(Storage a, int aBatchStride, boolean transA, Storage b, int bBatchStride, boolean transB,
                   int batch, int m, int n, int k, DType dtype);

    /** x [n,c,h,w], weight [oc,c,kh,kw], bias [oc] or null. */
    Storage conv2d(Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvParams p);

    /**
     * Inference {@link #conv2d} followed by batch norm with the running statistics and ReLU:
     * {@code max(0, (conv - runningMean) gamma / sqrt(runningVar + eps) + beta)} per output channel
     * (gamma and beta may be null). The default is conv2d then {@link #batchNormReluInferenceReusingInput};
     * a backend may apply the batch norm and ReLU in the convolution's output loop (the CPU's direct kernel does).
     */
    default Storage conv2dBatchNormReluInference(Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvParams p,
                                                 Storage gamma, Storage beta, Storage runningMean, Storage runningVar, double eps) {
        Storage y = conv2d(x, xShape, w, wShape, bias, p);
        int[] yShape = {xShape[0], wShape[0], p.convOutH(xShape[2], wShape[2]), p.convOutW(xShape[3], wShape[3])};
        Storage r = batchNormReluInferenceReusingInput(y, yShape, gamma, beta, runningMean, runningVar, eps);
        if (r != y) y.release();
        return r;
    }

    Storage conv2dBackwardInput(Storage dy, Storage w, int[] xShape, int[] wShape, ConvParams p);

    /** Returns {weight gradient, bias gradient or null}. */
    Storage[] conv2dBackwardWeight(Storage x, Storage dy, int[] xShape, int[] wShape, ConvParams p, boolean withBias);

    /** x [n,c,h,w], weight [c,oc,kh,kw] (PyTorch's ConvTranspose2d layout), bias [oc] or null. */
    Storage convTranspose2d(Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvParams p);

    Storage convTranspose2dBackwardInput(Storage dy, Storage w, int[] xShape, int[] wShape, ConvParams p);

    /**
     * {@link #convTranspose2d} written into channels {@code [channelOffset, channelOffset + wShape[1])}
     * of {@code out}, a compact {@code outShape} storage (the decoder's concatenation buffer; the other
     * channels are left alone). The default computes {@link #convTranspose2d} and copies it in; a
     * backend may write there directly.
     */
    default void convTranspose2dInto(Storage x, int[] xShape, Storage w, int[] wShape, Storage bias, ConvParams p, Storage out,
                                     int[] outShape, int channelOffset) {
        Storage y = convTranspose2d(x, xShape, w, wShape, bias, p);
        try {
            Layout dst = Layout.contiguous(outShape).narrow(1, channelOffset, wShape[1]);
            copyInto(y, Layout.contiguous(dst.shape()), out, dst);
        } finally {
            y.release();
        }
    }

    Storage[] convTranspose2dBackwardWeight(Storage x, Storage dy, int[] xShape, int[] wShape, ConvParams p,
                                            boolean withBias);

    /** Returns {values, indices (I32, flat within each plane)}. kernel/stride/padding/dilation as [h,w]. */
    Storage[] maxPool2d(Storage x, int[] xShape, int[] kernel, int[] stride, int[] padding, int[] dilation);

    Storage maxPool2dBackward(Storage dy, Storage indices, int[] xShape, int[] yShape);

    /**
     * The values of {@link #maxPool2d} without the indices (inference: nothing routes a gradient back).
     * The default computes both and frees the indices; a backend may skip them.
     */
    default Storage maxPool2dValues(Storage x, int[] xShape, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        Storage[] r = maxPool2d(x, xShape, kernel, stride, padding, dilation);
        r[1].release();
        return r[0];
    }

    /**
     * Batch norm over [n,c,h,w]. Training: normalise with batch statistics and update the running
     * buffers in place (momentum, unbiased variance); returns {y, saveMean, saveInvStd}. Inference:
     * normalise with the running statistics; returns {y}.
     */
    Storage[] batchNorm(Storage x, int[] xShape, Storage gamma, Storage beta, Storage runningMean,
                        Storage runningVar, boolean training, double momentum, double eps);

    /**
     * Returns {dx, dGamma, dBeta} of training-mode batch norm from the forward's saved mean and inverse
     * std (never null); eps is the forward's (backends that recompute the statistics need it).
     */
    Storage[] batchNormBackward(Storage x, Storage dy, int[] xShape, Storage gamma, Storage saveMean,
                                Storage saveInvStd, double eps);

    /**
     * {@link #batchNorm} followed by ReLU: returns the same as batchNorm with {@code y = max(0, bn(x))}.
     * The default composes the two ops; a backend may fuse them into one pass.
     */
    default Storage[] batchNormRelu(Storage x, int[] xShape, Storage gamma, Storage beta, Storage runningMean,
                                    Storage runningVar, boolean training, double momentum, double eps) {
        Storage[] r = batchNorm(x, xShape, gamma, beta, runningMean, runningVar, training, momentum, eps);
        Storage bn = r[0];
        r[0] = unary(UnaryOp.RELU, bn, Layout.contiguous(xShape), bn.dtype());
        bn.release();
        return r;
    }

    /**
     * Backward of {@link #batchNormRelu} in training mode: {@code y} is its output and {@code dy} the
     * gradient of y; the gradient reaching batch norm is {@code y > 0 ? dy : 0}; eps is the forward's. Returns {dx, dGamma,
     * dBeta}. The default masks dy, then calls {@link #batchNormBackward}.
     */
    default Storage[] batchNormReluBackward(Storage x, Storage y, Storage dy, int[] xShape, Storage gamma, Storage saveMean,
                                            Storage saveInvStd, double eps) {
        Layout l = Layout.contiguous(xShape);
        Storage on = binaryScalar(BinaryOp.GT, y, l, 0, false, dy.dtype());
        Storage g = binary(BinaryOp.MUL, dy, l, on, l, dy.dtype());
        on.release();
        try {
            return batchNormBackward(x, g, xShape, gamma, saveMean, saveInvStd, eps);
        } finally {
            g.release();
        }
    }

    /**
     * Inference-mode {@link #batchNormRelu} for a caller that no longer needs x (compact [n,c,h,w]):
     * returns {@code max(0, (x - runningMean) gamma / sqrt(runningVar + eps) + beta)} (gamma and beta
     * may be null), which a backend may write over x and return x itself, allocating nothing (the CPU
     * does). The default returns {@link #batchNormRelu}'s new output and leaves x as it was.
     */
    default Storage batchNormReluInferenceReusingInput(Storage x, int[] xShape, Storage gamma, Storage beta,
                                                       Storage runningMean, Storage runningVar, double eps) {
        return batchNormRelu(x, xShape, gamma, beta, runningMean, runningVar, false, 0, eps)[0];
    }

    /** Selects entries {@code index} (I32, 1-D) along dim of a strided input. */
    Storage indexSelect(Storage s, Layout l, int dim, Storage index, int indexLen);

    /** out[i][j][k] = s[i][index[i][j][k]][k] for dim 1 (generally: along dim); index has the out shape. */
    Storage gather(Storage s, Layout l, int dim, Storage index, Layout li);

    /** Scatter-add: adds src into a zero tensor of {@code shape} at positions index along dim (gather's adjoint). */
    Storage scatterAdd(int[] shape, int dim, Storage index, Layout li, Storage src, Layout ls, DType dtype);

    // ---- fused training kernels (compact inputs) ----
    /**
     * Weighted cross-entropy of logits [n, c, inner...] (compact, F32 or F64) against class targets
     * [n, inner...] (compact I32) with per-pixel weights of the target's shape (compact, the logits'
     * dtype; null = 1). Returns {loss per pixel w (logsumexp(x) - x_t), gradient w (softmax(x) - onehot(t))
     * of the logits' shape, or null when {@code withGrad} is false}. A target outside [0, c) is an
     * IndexOutOfBoundsException.
     */
    Storage[] weightedCrossEntropy(Storage logits, int[] shape, Storage target, Storage weight, boolean withGrad);

    /**
     * Cross-entropy with one weight per class per pixel and a clamped softmax (WPU-Net's WeightMapLoss):
     * logits and weights are [n, c, inner...] (compact, both of the logits' dtype, F32 or F64). With
     * p = softmax over c and a_k = [p_k >= clampMin], returns {loss per pixel sum_k -w_k log(max(p_k, clampMin))
     * of shape [n, inner...], gradient of the summed loss p_k sum_j a_j w_j - a_k w_k of the logits' shape, or
     * null when {@code withGrad} is false}. a_k is PyTorch's clamp rule: the bound itself passes gradient.
     */
    Storage[] classWeightedCrossEntropy(Storage logits, int[] shape, Storage weights, double clampMin, boolean withGrad);

    /**
     * Applies one optimiser update in place: {@code param}, {@code grad} and the {@link
     * OptimizerUpdate#stateCount()} state buffers are compact, of one floating dtype and one length.
     */
    void optimizerUpdate(OptimizerUpdate update, Storage param, Storage grad, Storage[] state);

    /** Bytes held by this backend's storages (see {@link MemoryStats}). */
    MemoryStats memoryStats();

    /** Starts the peak of {@link MemoryStats#peakInUse()} afresh from the bytes now in use. */
    void resetPeakMemory();

    /** Waits until every op queued on this device has finished (a no-op where ops run synchronously). */
    void synchronize();

    // ---- random numbers (counter-based: same values for a seed whatever the thread count) ----
    /** U[0,1) for UNIFORM, N(0,1) for NORMAL, of element i = f(seed, counter + i). */
    Storage random(Rng.Distribution dist, DType dtype, int numel, long seed, long counter);
}
