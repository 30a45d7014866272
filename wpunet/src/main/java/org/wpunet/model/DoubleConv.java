package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.module.ReLU;
import org.wpunet.nn.module.Sequential;

/**
 * One U-Net level: twice (3x3 convolution with padding 1 and bias, batch norm, ReLU); keeps H and W.
 * Children {@code conv1} and {@code conv2}, each {@code Sequential(Conv2d, BatchNorm2d, ReLU)}, so the
 * keys are {@code conv1.0.weight}, {@code conv1.0.bias}, {@code conv1.1.weight}, ..., as the original
 * code's {@code Conv3x3} block.
 */
public final class DoubleConv extends Layer {
    private final int inChannels, outChannels;
    private final Sequential conv1, conv2;

    public DoubleConv(int inChannels, int outChannels, Rng rng) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        conv1 = registerModule("conv1", convBnRelu(inChannels, outChannels, rng));
        conv2 = registerModule("conv2", convBnRelu(outChannels, outChannels, rng));
    }

    private static Sequential convBnRelu(int in, int out, Rng rng) {
        return new Sequential(new Conv2d(in, out, 3, 1, 1, rng), new BatchNorm2d(out), new ReLU());
    }

    public int inChannels() { return inChannels; }

    public int outChannels() { return outChannels; }

    /**
     * conv1 then conv2, each Conv2d then batch norm and ReLU fused into one op; at inference (eval,
     * no gradient) the convolution, batch norm and ReLU are one backend op, which the CPU's direct
     * kernel applies in its output loop and other kernels as an in-place pass over the convolution's
     * output (BatchNorm2d#forwardReluAfter).
     */
    @Override
    public Variable forward(Variable x) { return convBnRelu(conv2, convBnRelu(conv1, x)); }

    private static Variable convBnRelu(Sequential block, Variable x) {
        return ((BatchNorm2d) block.get(1)).forwardReluAfter((Conv2d) block.get(0), x);
    }

    @Override
    public String toString() { return "DoubleConv(" + inChannels + ", " + outChannels + ")"; }
}
