package org.wpunet.nn.optim;

import org.wpunet.core.FusedOps;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;

import java.util.List;

/**
 * torch.optim.SGD: d = g + wd p; with momentum m: b = d on the first step, else b = m b + (1 - dampening) d,
 * then d = d + m b (nesterov) or d = b; p = p - lr d.
 */
public final class SGD extends Optimizer {
    private final double momentum, dampening;
    private final boolean nesterov;

    public SGD(List<ParamGroup> groups, double momentum, double dampening, boolean nesterov) {
        super(groups, momentum != 0 ? List.of("momentum_buffer") : List.of());
        if (!(momentum >= 0)) throw new IllegalArgumentException("momentum must be >= 0, got " + momentum);
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("nesterov momentum requires momentum > 0 and zero dampening, got momentum "
                    + momentum + ", dampening " + dampening);
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.nesterov = nesterov;
    }

    public SGD(List<Variable> params, double lr, double momentum, double weightDecay) {
        this(single(params, lr, weightDecay), momentum, 0, false);
    }

    @Override
    protected void update(ParamGroup group, Tensor param, Tensor grad, State state) {
        boolean first = !state.primed;
        FusedOps.optimizerUpdate(new OptimizerUpdate.Sgd(group.lr(), group.weightDecay(), momentum, dampening, nesterov, first),
                param, grad, state.all());
        if (momentum != 0) state.primed = true;
    }
}
