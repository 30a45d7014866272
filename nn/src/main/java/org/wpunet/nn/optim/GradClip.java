package org.wpunet.nn.optim;

import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;

import java.util.List;

/** Global gradient-norm clipping (torch.nn.utils.clip_grad_norm_, L2). */
public final class GradClip {
    private GradClip() {}

    /**
     * Total norm n = sqrt(sum over params of sum(g^2)); when n > maxNorm every grad is scaled by
     * maxNorm / (n + 1e-6). Returns n (before clipping). Parameters without a gradient are skipped.
     */
    public static double clipGradNorm(List<Variable> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("max norm must be > 0, got " + maxNorm);
        double total;
        try (Scope s = Scope.open()) {
            Tensor acc = null;
            for (Variable p : params) {
                if (!p.hasGrad()) continue;
                Tensor d = p.grad().sumSquares(org.wpunet.core.DType.F64);
                acc = acc == null ? d : acc.add(d);
            }
            if (acc == null) return 0;
            total = Math.sqrt(acc.item());
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) {
                for (Variable p : params) {
                    if (!p.hasGrad()) continue;
                    // one parameter's scaled copy at a time, not all of them until the scope closes
                    try (Tensor scaled = p.grad().mul(coef)) {
                        p.grad().assign(scaled);
                    }
                }
            }
        }
        return total;
    }
}
