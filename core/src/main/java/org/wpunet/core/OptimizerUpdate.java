package org.wpunet.core;

/**
 * One fused optimiser update of a parameter, applied in place by {@link Backend#optimizerUpdate}:
 * the parameter, its gradient and its state buffers are read and written in a single pass instead of
 * a dozen elementwise ops. The rules are torch.optim's; each record lists its state buffers in the
 * order the backend receives them.
 */
public sealed interface OptimizerUpdate {
    /** Number of state buffers the update reads and writes. */
    int stateCount();

    /**
     * SGD: d = g + wd p; with momentum m: b = d on the first step, else b = m b + (1 - dampening) d,
     * then d = d + m b (nesterov) or d = b; p = p - lr d. State: {momentum_buffer} when m != 0.
     */
    record Sgd(double lr, double weightDecay, double momentum, double dampening, boolean nesterov, boolean firstStep)
            implements OptimizerUpdate {
        @Override
        public int stateCount() { return momentum != 0 ? 1 : 0; }
    }

    /**
     * RMSprop: g = g + wd p; v = alpha v + (1 - alpha) g^2; centred: a = alpha a + (1 - alpha) g and
     * avg = sqrt(v - a^2) + eps, else avg = sqrt(v) + eps; with momentum m: b = m b + g / avg, p = p - lr b,
     * else p = p - lr g / avg. State: {square_avg, momentum_buffer if m > 0, grad_avg if centred}.
     */
    record RmsProp(double lr, double weightDecay, double alpha, double eps, double momentum, boolean centered)
            implements OptimizerUpdate {
        @Override
        public int stateCount() { return 1 + (momentum > 0 ? 1 : 0) + (centered ? 1 : 0); }
    }

    /**
     * Adam (decoupled = false) or AdamW (decoupled = true) at step t >= 1: AdamW scales p by
     * (1 - lr wd), Adam adds wd p to g; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; amsgrad:
     * vmax = max(vmax, v) replaces v below; p = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
     * State: {exp_avg, exp_avg_sq, max_exp_avg_sq if amsgrad}.
     */
    record Adam(double lr, double weightDecay, double beta1, double beta2, double eps, boolean decoupled, boolean amsgrad,
                long step) implements OptimizerUpdate {
        public Adam {
            if (step < 1) throw new IllegalArgumentException("Adam's step count starts at 1, got " + step);
        }

        @Override
        public int stateCount() { return amsgrad ? 3 : 2; }

        /** 1 - b1^t. */
        public double biasCorrection1() { return 1 - Math.pow(beta1, step); }

        /** sqrt(1 - b2^t). */
        public double biasCorrection2Sqrt() { return Math.sqrt(1 - Math.pow(beta2, step)); }
    }
}
