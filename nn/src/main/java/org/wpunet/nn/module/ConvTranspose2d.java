package org.wpunet.nn.module;

import org.wpunet.core.ConvParams;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.init.Init;

/**
 * Transposed 2-D convolution; weight [in, out, k, k], bias [out] (PyTorch's nn.ConvTranspose2d,
 * groups=1). PyTorch's init takes fan_in from weight dim 1, i.e. out * k * k; so do we.
 */
public final class ConvTranspose2d extends Layer {
    private final int inChannels, outChannels, kernel;
    private final ConvParams params;

    /** params carries stride, padding, dilation and output padding. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, ConvParams params, boolean bias, Rng rng) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1) {
            throw new IllegalArgumentException("ConvTranspose2d needs positive channels and kernel, got in=" + inChannels
                    + " out=" + outChannels + " kernel=" + kernel);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.params = params;
        Init.torchDefaultWeight(registerParameter("weight", Tensor.zeros(inChannels, outChannels, kernel, kernel)).value(), rng);
        if (bias) Init.torchDefaultBias(registerParameter("bias", Tensor.zeros(outChannels)).value(), outChannels * kernel * kernel, rng);
    }

    /** With bias, no padding: the U-Net up-sampling layer (kernel 2, stride 2 doubles H and W). */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride, Rng rng) {
        this(inChannels, outChannels, kernel, ConvParams.of(stride, 0), true, rng);
    }

    @Override
    public Variable forward(Variable x) {
        return Functional.convTranspose2d(x, parameter("weight"), parameterOrNull("bias"), params);
    }

    /**
     * {@code [front, forward(x)]} along channels (the decoder's concatenation), written into one
     * buffer at inference (see {@link Functional#convTranspose2dAfter}).
     */
    public Variable forwardAfter(Variable front, Variable x) {
        return Functional.convTranspose2dAfter(front, x, parameter("weight"), parameterOrNull("bias"), params);
    }

    /** Output height for an input of height h. */
    public int outputHeight(int h) { return params.transposedOutH(h, kernel); }

    /** Output width for an input of width w. */
    public int outputWidth(int w) { return params.transposedOutW(w, kernel); }

    @Override
    public String toString() { return "ConvTranspose2d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ", " + params + ")"; }
}
