package org.wpunet.core.cpu.kernels;

/**
 * Inference convolution followed by batch norm (running statistics) and ReLU:
 * {@code y = max(0, conv(x, W, b) * scale + shift)} with, per output channel,
 * scale = gamma / sqrt(var + eps) and shift = beta - mean * scale, computed as
 * {@link BatchNormKernels#forwardInference} does. Where the convolution takes {@link Conv3x3Direct}
 * the batch norm and ReLU are applied to each output row once all its channels are stored, while
 * they are in L1 (no second pass over the output through memory); elsewhere the convolution is
 * followed by the in-place inference batch norm. (Winograd was tried with a scalar pass over each
 * 4x4 output tile after its output transform: two 32 x 128^2 layers took 6.0 ms per inference
 * against 3.5 ms for the convolutions alone, so it is not fused.) Either way
 * the values are those of {@link Conv2dKernels#forward} then {@code forwardInference(y, ..., y, true)}.
 */
public final class ConvBatchNormReluInference {
    private ConvBatchNormReluInference() {}

    public static void forward(float[] x, int n, int c, int h, int w, float[] weight, int oc, int kh, int kw, float[] bias,
                               int sh, int sw, int ph, int pw, int dh, int dw, float[] gamma, float[] beta,
                               float[] runningMean, float[] runningVar, float eps, float[] y) {
        int[] o = Conv2dKernels.check("ConvBatchNormRelu.forward", n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw);
        Conv2dKernels.lengths("ConvBatchNormRelu.forward", n, c, h, w, oc, kh, kw, o, Conv2dKernels.len(x), Conv2dKernels.len(weight),
                bias == null ? -1 : bias.length, Conv2dKernels.len(y), "x", "y");
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException("ConvBatchNormRelu.forward: running statistics are required (" + oc + " channels)");
        }
        String stats = "per-channel parameters for " + oc + " output channels";
        for (float[] a : new float[][]{gamma, beta, runningMean, runningVar}) {
            if (a != null) Checks.length("ConvBatchNormRelu.forward", "batch-norm parameter", a.length, oc, stats);
        }
        if (!Conv2dKernels.takesDirect(n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw)) {
            Conv2dKernels.forwardImpl(x, n, c, h, w, weight, oc, kh, kw, bias, sh, sw, ph, pw, dh, dw, o[0], o[1], y);
            BatchNormKernels.forwardInference(y, n, oc, o[0] * o[1], gamma, beta, eps, runningMean, runningVar, y, true);
            return;
        }
        float[] scale = new float[oc], shift = new float[oc];
        for (int ch = 0; ch < oc; ch++) {
            scale[ch] = BatchNormKernels.inferenceScale(gamma, eps, runningVar, ch);
            shift[ch] = BatchNormKernels.inferenceShift(gamma, beta, eps, runningMean, runningVar, ch);
        }
        Conv3x3Direct.forward(x, n, c, h, w, weight, oc, bias, scale, shift, y);
    }
}
