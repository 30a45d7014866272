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
