package org.wpunet.train.loss;

import java.util.Arrays;
import org.wpunet.core.DType;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;

/**
 * The original WPU-Net's training losses ({@code WeightMapLoss} of segmentation/weight_map_loss.py with
 * {@code _eps = 1e-20}, {@code _dilate_cof = 5}, and the trainer's {@code --loss cbw}); see {@link LossKind}.
 *
 * <p>Cross-entropy variants: per pixel a background weight wb and a boundary weight wo (constants, built
 * with tensor ops from the target m and the maps W0, W1), stacked to [N,2,H,W] and handed to the fused
 * {@link Functional#classWeightedCrossEntropy} with clamp 1e-20; the loss is the single batch ratio
 * sum(-wb log p0 - wo log p1) / sum(wb + wo). MSE variants take a 1-channel prediction x [N,1,H,W]:
 * mean over samples of sum_hw w (x - m)^2 / sum_hw w.
 */
public final class WeightMapLoss {
    /** The original's softmax clamp (its upper bound 1 - 1e-20 rounds to 1 in float32 and float64). */
    public static final double CLAMP_MIN = 1e-20;
    /** {@code _weight_cof = [_dilate_cof, 20]} with the trainer's {@code _dilate_cof = 5}. */
    static final double COF_BCK = 5, COF_OBJ = 20;
    /** Method 8's weight on target pixels. */
    static final double MSE8_OBJ = 30;
    /** cbw's class weights [background, boundary]. */
    static final double[] CBW_WEIGHTS = {1, 20};

    private WeightMapLoss() {}

    /**
     * The scalar loss of {@code kind}, differentiable in {@code logits}.
     *
     * @param logits  [N,C,H,W] F32 or F64, C = {@code kind.outputChannels()}
     * @param target  [N,H,W] with values 0/1: the DILATED boundary label (converted to the logits' dtype)
     * @param weights [N,2,H,W], channel 0 = background W0, 1 = boundary W1 ({@code BoundaryWeightMap});
     *                may be null for WCE1, MSE7 and CBW, which do not read it
     */
    public static Variable compute(LossKind kind, Variable logits, Tensor target, Tensor weights) {
        check(kind, logits, target, weights);
        DType dt = logits.dtype();
        try (Tensor m = target.to(logits.device(), dt); Tensor w = weights == null ? null : weights.to(logits.device(), dt)) {
            if (kind == LossKind.CBW) return cbw(logits, m);
            if (kind.outputChannels() == 1) return mse(kind, logits, m, w);
            try (Tensor stacked = classWeights(kind, m, w)) {
                Variable perPixel = Functional.classWeightedCrossEntropy(logits, stacked, CLAMP_MIN);
                // sum(wb + wo): a constant of the graph, owned by it (and the caller's scope) from here
                return Ops.div(perPixel.sum(), Variable.constant(stacked.sum()));
            }
        }
    }

    /** [wb, wo] stacked on dim 1 for the cross-entropy methods (see {@link LossKind}). */
    static Tensor classWeights(LossKind kind, Tensor m, Tensor w) {
        try (Tensor om = m.rsub(1)) {
            return switch (kind) {
                case WCE1 -> stackClose(om.mul(COF_BCK), m.mul(COF_OBJ));
                case WCE2 -> {
                    try (Tensor w0 = channel(w, 0); Tensor w1 = channel(w, 1)) {
                        yield stackClose(om.mul(w0), m.mul(w1));
                    }
                }
                case WCE3 -> {
                    try (Tensor w1 = channel(w, 1)) {
                        yield stackClose(om.mul(COF_BCK), m.mul(w1));
                    }
                }
                case ABW, WCE5 -> {
                    // wo = m * (W1 where W1 >= W0 else 0); wb = (W0 or 1) where wo <= W0 else 0
                    try (Tensor w0 = channel(w, 0); Tensor w1 = channel(w, 1); Tensor zero = Tensor.full(m.device(), m.dtype(), 0);
                         Tensor ge = w1.ge(w0); Tensor kept = Tensor.where(ge, w1, zero)) {
                        Tensor wo = m.mul(kept);
                        try (Tensor le = wo.le(w0); Tensor one = Tensor.full(m.device(), m.dtype(), 1)) {
                            Tensor wb = Tensor.where(le, kind == LossKind.ABW ? w0 : one, zero);
                            yield stackClose(wb, wo);
                        }
                    }
                }
                default -> throw new IllegalArgumentException(kind + " is not a class-weighted cross-entropy");
            };
        }
    }

    /** Method 7 or 8 on x [N,1,H,W]: w = 15 m + 5 or 30 m + (1-m) W0, then w < 1 -> 1. */
    private static Variable mse(LossKind kind, Variable logits, Tensor m, Tensor w) {
        Tensor weight;
        if (kind == LossKind.MSE7) {
            try (Tensor a = m.mul(COF_OBJ - COF_BCK)) {
                weight = a.add(COF_BCK);
            }
        } else {
            try (Tensor w0 = channel(w, 0); Tensor om = m.rsub(1); Tensor b = om.mul(w0); Tensor a = m.mul(MSE8_OBJ)) {
                weight = a.add(b);
            }
        }
        try (Tensor raw = weight; Tensor small = raw.lt(1); Tensor one = Tensor.full(m.device(), m.dtype(), 1)) {
            weight = Tensor.where(small, one, raw);
        }
        Tensor perSample = weight.sum(false, 1, 2);
        Variable diff = Ops.sub(Ops.squeeze(logits, 1), Variable.constant(m.reshape(m.shape())));
        Variable num = Ops.sum(Ops.mul(diff.square(), Variable.constant(weight)), false, 1, 2);
        return Ops.mean(Ops.div(num, Variable.constant(perSample)));
    }

    /** nn.CrossEntropyLoss(weight=[1, 20]) on the target as class indices (weighted mean). */
    private static Variable cbw(Variable logits, Tensor m) {
        try (Tensor t = m.to(DType.I32); Tensor cw = Tensor.of(CBW_WEIGHTS, 2); Tensor cwd = cw.to(logits.device(), logits.dtype())) {
            return Losses.crossEntropy(logits, t, cwd, Losses.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
        }
    }

    private static Tensor channel(Tensor w, int c) {
        try (Tensor n = w.narrow(1, c, 1)) {
            return n.squeeze(1);
        }
    }

    private static Tensor stackClose(Tensor wb, Tensor wo) {
        try (wb; wo) {
            return Tensor.stack(1, wb, wo);
        }
    }

    private static void check(LossKind kind, Variable logits, Tensor target, Tensor weights) {
        if (kind == null) throw new IllegalArgumentException("no loss kind given; valid names: " + LossKind.validNames());
        int[] ls = logits.shape(), ts = target.shape();
        int c = kind.outputChannels();
        String expect = " (" + kind.cliName() + " takes logits [N," + c + ",H,W], target [N,H,W], weights [N,2,H,W])";
        if (ls.length != 4 || ls[1] != c) {
            throw new IllegalArgumentException("loss " + kind.cliName() + ": logits shape " + Arrays.toString(ls) + " is not [N," + c
                    + ",H,W]" + expect);
        }
        if (ts.length != 3 || ts[0] != ls[0] || ts[1] != ls[2] || ts[2] != ls[3]) {
            throw new IllegalArgumentException("loss " + kind.cliName() + ": target shape " + Arrays.toString(ts)
                    + " does not match logits shape " + Arrays.toString(ls) + expect);
        }
        if (weights == null) {
            if (kind.usesWeightMaps()) throw new IllegalArgumentException("loss " + kind.cliName() + " needs the weight maps" + expect);
        } else if (!Arrays.equals(weights.shape(), new int[]{ls[0], 2, ls[2], ls[3]})) {
            throw new IllegalArgumentException("loss " + kind.cliName() + ": weights shape " + Arrays.toString(weights.shape())
                    + " does not match logits shape " + Arrays.toString(ls) + expect);
        }
        if (logits.dtype() != DType.F32 && logits.dtype() != DType.F64) {
            throw new IllegalArgumentException("loss " + kind.cliName() + ": logits must be F32 or F64, got " + logits.dtype());
        }
        // the original reads the target as a 0/1 mask; other values would silently mean other weights
        try (Tensor t = target.to(DType.F64); Tensor ne0 = t.ne(0); Tensor ne1 = t.ne(1); Tensor both = ne0.mul(ne1);
             Tensor bad = both.to(DType.F64); Tensor n = bad.sum()) {
            if (n.item() > 0) {
                throw new IllegalArgumentException("loss " + kind.cliName() + ": target must hold 0/1 values; " + (long) n.item()
                        + " of " + target.numel() + " do not");
            }
        }
    }
}
