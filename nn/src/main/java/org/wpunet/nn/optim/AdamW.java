package org.wpunet.nn.optim;

import org.wpunet.nn.autograd.Variable;

import java.util.List;

/** torch.optim.AdamW: Adam with decoupled weight decay p = p (1 - lr wd) (default wd 0.01). */
public final class AdamW extends Adam {
    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps, boolean amsgrad) {
        super(groups, beta1, beta2, eps, amsgrad, true);
    }

    /** betas (0.9, 0.999), eps 1e-8, weight decay 0.01 (PyTorch's defaults) at learning rate lr. */
    public AdamW(List<Variable> params, double lr) { this(single(params, lr, 0.01), 0.9, 0.999, 1e-8, false); }
}
