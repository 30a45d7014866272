package org.wpunet.nn.optim;

import org.wpunet.core.FusedOps;
import org.wpunet.core.OptimizerUpdate;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;

import java.util.List;

/**
 * torch.optim.Adam and, with decoupled weight decay, AdamW. At step t:
 * Adam adds wd p to g; AdamW instead first scales p by (1 - lr wd). Then m = b1 m + (1 - b1) g,
 * v = b2 v + (1 - b2) g^2 (amsgrad: vmax = max(vmax, v), used for v below),
 * p = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
 */
public class Adam extends Optimizer {
    private final double beta1, beta2, eps;
    private final boolean amsgrad, decoupled;

    protected Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean amsgrad, boolean decoupledWeightDecay) {
        super(groups, amsgrad ? List.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq") : List.of("exp_avg", "exp_avg_sq"));
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0,1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.amsgrad = amsgrad;
        this.decoupled = decoupledWeightDecay;
    }

    public Adam(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean amsgrad) {
        this(groups, beta1, beta2, eps, amsgrad, false);
    }

    /** betas (0.9, 0.999), eps 1e-8, no weight decay (PyTorch's defaults) at learning rate lr. */
    public Adam(List<Variable> params, double lr) { this(single(params, lr, 0), 0.9, 0.999, 1e-8, false, false); }

    @Override
    protected void update(ParamGroup group, Tensor param, Tensor grad, State state) {
        FusedOps.optimizerUpdate(new OptimizerUpdate.Adam(group.lr(), group.weightDecay(), beta1, beta2, eps, decoupled, amsgrad,
                state.step), param, grad, state.all());
    }
}
