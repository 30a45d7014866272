package org.wpunet.nn.module;

import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;

/** Average pooling to a fixed output size (PyTorch's nn.AdaptiveAvgPool2d). */
public final class AdaptiveAvgPool2d extends Layer {
    private final int outH, outW;

    public AdaptiveAvgPool2d(int outH, int outW) {
        this.outH = outH;
        this.outW = outW;
    }

    public AdaptiveAvgPool2d(int size) { this(size, size); }

    @Override
    public Variable forward(Variable x) { return Functional.adaptiveAvgPool2d(x, outH, outW); }

    @Override
    public String toString() { return "AdaptiveAvgPool2d(" + outH + ", " + outW + ")"; }
}
