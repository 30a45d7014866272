package org.wpunet.nn.module;

import org.wpunet.core.ConvParams;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.init.Init;

/** 2-D convolution; weight [out, in, k, k], bias [out] (PyTorch's nn.Conv2d, groups=1, same init). */
public final class Conv2d extends Layer {
    private final int inChannels, outChannels, kernel;
    private final ConvParams params;

    public Conv2d(int inChannels, int outChannels, int kernel, ConvParams params, boolean bias, Rng rng) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1) {
            throw new IllegalArgumentException("Conv2d needs positive channels and kernel, got in=" + inChannels + " out="
                    + outChannels + " kernel=" + kernel);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.params = params;
        Init.torchDefaultWeight(registerParameter("weight", Tensor.zeros(outChannels, inChannels, kernel, kernel)).value(), rng);
        if (bias) Init.torchDefaultBias(registerParameter("bias", Tensor.zeros(outChannels)).value(), inChannels * kernel * kernel, rng);
    }

    /** With bias, dilation 1. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Rng rng) {
        this(inChannels, outChannels, kernel, ConvParams.of(stride, padding), true, rng);
    }

    public ConvParams convParams() { return params; }

    @Override
    public Variable forward(Variable x) { return Functional.conv2d(x, parameter("weight"), parameterOrNull("bias"), params); }

    @Override
    public String toString() { return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ", " + params + ")"; }
}
