package org.wpunet.nn.optim;

import java.util.Arrays;

/**
 * Learning-rate schedules in closed form lr(epoch) from each group's base rate (the rate when the
 * scheduler was built), as torch.optim.lr_scheduler's closed forms. Call {@link #step} once per epoch.
 */
public abstract class LrScheduler {
    private final Optimizer optimizer;
    private final double[] baseLrs;
    private int epoch;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLrs = optimizer.groups().stream().mapToDouble(ParamGroup::lr).toArray();
    }

    protected abstract double lr(double baseLr, int epoch);

    /** Advances one epoch and sets every group's learning rate. */
    public void step() { setEpoch(epoch + 1); }

    public int epoch() { return epoch; }

    /** Jumps to an epoch (restoring a checkpoint). */
    public void setEpoch(int e) {
        if (e < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + e);
        epoch = e;
        for (int i = 0; i < baseLrs.length; i++) optimizer.groups().get(i).setLr(lr(baseLrs[i], e));
    }

    /** lr = base * gamma^floor(epoch / stepSize). */
    public static LrScheduler step(Optimizer o, int stepSize, double gamma) {
        if (stepSize < 1) throw new IllegalArgumentException("StepLR step size must be >= 1, got " + stepSize);
        return new LrScheduler(o) {
            @Override
            protected double lr(double base, int e) { return base * Math.pow(gamma, e / stepSize); }
        };
    }

    /**
     * The original WPU-Net trainer's rule, with 1-based epochs: at the start of epoch e the rate is
     * base * gamma^floor(e / stepSize), applied only while it is >= minLr (so with base 1e-4, gamma 0.8,
     * step 10: epochs 1-9 at 1e-4, the first decay at epoch 10, frozen at 1e-4 * 0.8^20 ~ 1.153e-6 from
     * epoch 200 on with minLr 1e-6). {@link #step(Optimizer, int, double)} differs: its epoch 0 is the
     * first, so its first decay comes one epoch later. Call {@link #setEpoch} with the 1-based epoch.
     */
    public static LrScheduler stepDecayOneBased(Optimizer o, int stepSize, double gamma, double minLr) {
        if (stepSize < 1) throw new IllegalArgumentException("lr decay step must be >= 1 epoch, got " + stepSize);
        if (!(gamma > 0 && gamma <= 1)) throw new IllegalArgumentException("lr decay factor must be in (0, 1], got " + gamma);
        if (!(minLr >= 0)) throw new IllegalArgumentException("minimum lr must be >= 0, got " + minLr);
        return new LrScheduler(o) {
            @Override
            protected double lr(double base, int e) {
                int k = e / stepSize;
                double lr = base * Math.pow(gamma, k);
                // the original skips any update below minLr: the last rate >= minLr stays
                while (lr < minLr && k > 0) lr = base * Math.pow(gamma, --k);
                return lr;
            }
        };
    }

    /** lr = base * gamma^(number of milestones <= epoch). */
    public static LrScheduler multiStep(Optimizer o, int[] milestones, double gamma) {
        int[] ms = milestones.clone();
        Arrays.sort(ms);
        return new LrScheduler(o) {
            @Override
            protected double lr(double base, int e) {
                int k = 0;
                for (int m : ms) if (m <= e) k++;
                return base * Math.pow(gamma, k);
            }
        };
    }

    /** Cosine annealing: lr = etaMin + (base - etaMin)(1 + cos(pi epoch / tMax)) / 2. */
    public static LrScheduler cosine(Optimizer o, int tMax, double etaMin) {
        if (tMax < 1) throw new IllegalArgumentException("cosine T_max must be >= 1, got " + tMax);
        return new LrScheduler(o) {
            @Override
            protected double lr(double base, int e) { return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * e / tMax)) / 2; }
        };
    }
}
