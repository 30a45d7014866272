package org.wpunet.nn.module;

import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.init.Init;

/** y = x W^T + b; weight [out, in], bias [out] (PyTorch's nn.Linear, same init). */
public final class Linear extends Layer {
    private final int inFeatures, outFeatures;

    public Linear(int inFeatures, int outFeatures, boolean bias, Rng rng) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("Linear features must be positive, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Init.torchDefaultWeight(registerParameter("weight", Tensor.zeros(outFeatures, inFeatures)).value(), rng);
        if (bias) Init.torchDefaultBias(registerParameter("bias", Tensor.zeros(outFeatures)).value(), inFeatures, rng);
    }

    public Linear(int inFeatures, int outFeatures, Rng rng) { this(inFeatures, outFeatures, true, rng); }

    @Override
    public Variable forward(Variable x) { return Functional.linear(x, parameter("weight"), parameterOrNull("bias")); }

    @Override
    public String toString() { return "Linear(" + inFeatures + ", " + outFeatures + ")"; }
}
