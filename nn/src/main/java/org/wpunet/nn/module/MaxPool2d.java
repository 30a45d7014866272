package org.wpunet.nn.module;

import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;

/** Max pooling (PyTorch's nn.MaxPool2d, ceil_mode false). */
public final class MaxPool2d extends Layer {
    private final int kernel, stride, padding, dilation;

    public MaxPool2d(int kernel, int stride, int padding, int dilation) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
    }

    /** Stride equal to the kernel (PyTorch's default). */
    public MaxPool2d(int kernel) { this(kernel, kernel, 0, 1); }

    @Override
    public Variable forward(Variable x) {
        return Functional.maxPool2d(x, new int[]{kernel, kernel}, new int[]{stride, stride}, new int[]{padding, padding},
                new int[]{dilation, dilation});
    }

    @Override
    public String toString() { return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ")"; }
}
