package org.wpunet.nn.optim;

import org.wpunet.core.FusedOps;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;

import java.util.List;

/**
 * torch.optim.RMSprop: g = g + wd p; v = alpha v + (1 - alpha) g^2; centered: a = alpha a + (1 - alpha) g and
 * avg = sqrt(v - a^2) + eps, else avg = sqrt(v) + eps; with momentum m: b = m b + g / avg, p = p - lr b;
 * else p = p - lr g / avg.
 */
public final class RMSprop extends Optimizer {
    private final double alpha, eps, momentum;
    private final boolean centered;

    public RMSprop(List<ParamGroup> groups, double alpha, double eps, double momentum, boolean centered) {
        super(groups, names(momentum, centered));
        if (!(alpha >= 0) || !(eps >= 0) || !(momentum >= 0)) {
            throw new IllegalArgumentException("RMSprop needs alpha, eps and momentum >= 0, got " + alpha + ", " + eps + ", " + momentum);
        }
        this.alpha = alpha;
        this.eps = eps;
        this.momentum = momentum;
        this.centered = centered;
    }

    /** alpha 0.99, eps 1e-8, no weight decay, momentum or centring (PyTorch's defaults) at learning rate lr. */
    public RMSprop(List<Variable> params, double lr) { this(single(params, lr, 0), 0.99, 1e-8, 0, false); }

    private static List<String> names(double momentum, boolean centered) {
        if (momentum > 0 && centered) return List.of("square_avg", "momentum_buffer", "grad_avg");
        if (momentum > 0) return List.of("square_avg", "momentum_buffer");
        if (centered) return List.of("square_avg", "grad_avg");
        return List.of("square_avg");
    }

    @Override
    protected void update(ParamGroup group, Tensor param, Tensor grad, State state) {
        FusedOps.optimizerUpdate(new OptimizerUpdate.RmsProp(group.lr(), group.weightDecay(), alpha, eps, momentum, centered),
                param, grad, state.all());
    }
}
