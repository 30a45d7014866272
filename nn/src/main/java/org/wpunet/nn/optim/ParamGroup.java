package org.wpunet.nn.optim;

import org.wpunet.nn.autograd.Variable;

import java.util.List;

/** Parameters sharing a learning rate and weight decay (PyTorch's param_groups). */
public final class ParamGroup {
    private final List<Variable> params;
    private double lr;
    private final double weightDecay;

    public ParamGroup(List<Variable> params, double lr, double weightDecay) {
        if (params.isEmpty()) throw new IllegalArgumentException("a parameter group needs at least one parameter");
        for (Variable p : params) {
            if (!p.requiresGrad() || !p.isLeaf()) throw new IllegalArgumentException("optimised variables must be leaves that require grad: " + p);
        }
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
    }

    public List<Variable> params() { return params; }

    public double lr() { return lr; }

    public void setLr(double lr) {
        if (!(lr >= 0)) throw new IllegalArgumentException("learning rate must be >= 0, got " + lr);
        this.lr = lr;
    }

    public double weightDecay() { return weightDecay; }
}
