package org.wpunet.core;

/**
 * Stride, padding, dilation and (transposed convolution only) output padding of a 2D convolution,
 * with PyTorch's output-size formulas.
 */
public record ConvParams(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW,
                         int outPadH, int outPadW) {
    public static final ConvParams DEFAULT = new ConvParams(1, 1, 0, 0, 1, 1, 0, 0);

    public ConvParams {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("stride and dilation must be >= 1, got stride=" + strideH + "x" + strideW
                    + " dilation=" + dilationH + "x" + dilationW);
        }
        if (padH < 0 || padW < 0 || outPadH < 0 || outPadW < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got padding=" + padH + "x" + padW
                    + " output_padding=" + outPadH + "x" + outPadW);
        }
    }

    public static ConvParams of(int stride, int padding) { return new ConvParams(stride, stride, padding, padding, 1, 1, 0, 0); }

    public static ConvParams of(int stride, int padding, int dilation) {
        return new ConvParams(stride, stride, padding, padding, dilation, dilation, 0, 0);
    }

    public ConvParams withOutputPadding(int oph, int opw) {
        return new ConvParams(strideH, strideW, padH, padW, dilationH, dilationW, oph, opw);
    }

    /** Convolution output size: (in + 2p - d(k-1) - 1)/s + 1. */
    public int convOutH(int h, int kh) { return (h + 2 * padH - dilationH * (kh - 1) - 1) / strideH + 1; }

    public int convOutW(int w, int kw) { return (w + 2 * padW - dilationW * (kw - 1) - 1) / strideW + 1; }

    /** Transposed convolution output size: (in-1)s - 2p + d(k-1) + op + 1. */
    public int transposedOutH(int h, int kh) { return (h - 1) * strideH - 2 * padH + dilationH * (kh - 1) + outPadH + 1; }

    public int transposedOutW(int w, int kw) { return (w - 1) * strideW - 2 * padW + dilationW * (kw - 1) + outPadW + 1; }
}
