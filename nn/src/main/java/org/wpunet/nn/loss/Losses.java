package org.wpunet.nn.loss;

import org.wpunet.core.DType;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;

import java.util.Arrays;

/**
 * Losses with PyTorch's definitions. Targets are constants (tensors); class indices are integer
 * tensors. All are compositions of differentiable ops (BCE has a fused rule for stability).
 */
public final class Losses {
    private Losses() {}

    /** Marks targets to skip in cross-entropy and NLL (PyTorch's default ignore_index). */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /** Cross-entropy on logits [N,C] or [N,C,d...] with class targets [N] or [N,d...]; mean reduction. */
    public static Variable crossEntropy(Variable logits, Tensor target) {
        return crossEntropy(logits, target, null, DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    /**
     * Cross-entropy = NLL of log-softmax over dim 1. With class weights w: l_i = -w[t_i] log p_i[t_i];
     * MEAN divides the sum by the sum of w[t_i] over non-ignored elements (as PyTorch).
     */
    public static Variable crossEntropy(Variable logits, Tensor target, Tensor classWeight, int ignoreIndex, Reduction r) {
        return nll(Ops.logSoftmax(logits, 1), target, classWeight, ignoreIndex, r);
    }

    /** Negative log-likelihood of log-probabilities [N,C,...] at class targets [N,...]. */
    public static Variable nll(Variable logProb, Tensor target, Tensor classWeight, int ignoreIndex, Reduction r) {
        PickedTargets pt = pick(logProb, target, ignoreIndex, "nll");
        int c = logProb.size(1);
        Tensor w;
        if (classWeight != null) {
            if (classWeight.rank() != 1 || classWeight.size(0) != c) {
                throw new IllegalArgumentException("class weight shape " + Arrays.toString(classWeight.shape()) + " != [" + c + "]");
            }
            try (Tensor flat = pt.safeTarget.reshape(-1); Tensor sel = classWeight.indexSelect(0, flat);
                 Tensor sw = sel.reshape(target.shape()); Tensor m = pt.keep.to(logProb.dtype())) {
                w = sw.mul(m);
            }
        } else {
            w = pt.keep.to(logProb.dtype());
        }
        Variable wv = Variable.constant(w);
        Variable perElement = Ops.mul(pt.picked, wv).neg();
        return switch (r) {
            case NONE -> perElement;
            case SUM -> perElement.sum();
            case MEAN -> Ops.div(perElement.sum(), Variable.constant(w.sum()));
        };
    }

    /**
     * Per-pixel weighted cross-entropy (WPU-Net's losses): l = w * CE(logits, target) at each pixel,
     * with logits [N,C,H,W], target [N,H,W] and weight map either [N,H,W] (one weight per pixel) or
     * [N,C,H,W] (a map per class; the target class's map is used at each pixel). MEAN averages over
     * the weights: sum(w * l) / sum(w), as PyTorch's class-weighted cross-entropy does and as WPU-Net's
     * adaptive-boundary-weighting loss is defined; SUM adds, NONE returns [N,H,W].
     */
    public static Variable weightedMapCrossEntropy(Variable logits, Tensor target, Tensor weightMap, Reduction r) {
        if (logits.rank() != 4) {
            throw new IllegalArgumentException("weighted-map cross-entropy needs logits [N,C,H,W], got " + Arrays.toString(logits.shape()));
        }
        int[] ls = logits.shape(), ts = target.shape();
        if (ts.length != 3 || ts[0] != ls[0] || ts[1] != ls[2] || ts[2] != ls[3]) {
            throw new IllegalArgumentException("weighted-map cross-entropy: target shape " + Arrays.toString(ts)
                    + " does not match logits shape " + Arrays.toString(ls) + " (expected [N,H,W])");
        }
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException("weighted-map cross-entropy: class targets must be integers, got " + target.dtype());
        }
        Tensor w;
        if (weightMap.rank() == 3 && Arrays.equals(weightMap.shape(), ts)) {
            w = weightMap.to(logits.dtype());
        } else if (weightMap.rank() == 4 && Arrays.equals(weightMap.shape(), ls)) {
            try (Tensor t32 = target.to(DType.I32); Tensor safe = t32.clamp(0, ls[1] - 1); Tensor idx = safe.unsqueeze(1);
                 Tensor g = weightMap.gather(1, idx); Tensor s = g.squeeze(1)) {
                w = s.to(logits.dtype());
            }
        } else {
            throw new IllegalArgumentException("weight map shape " + Arrays.toString(weightMap.shape()) + " must be " + Arrays.toString(ts)
                    + " (per pixel) or " + Arrays.toString(ls) + " (per class)");
        }
        Variable perPixel = Functional.weightedCrossEntropy(logits, target, w);
        return switch (r) {
            case NONE -> perPixel;
            case SUM -> perPixel.sum();
            case MEAN -> Ops.div(perPixel.sum(), Variable.constant(w.sum()));
        };
    }

    /** Binary cross-entropy on logits against targets in [0,1]; posWeight may be null. */
    public static Variable bceWithLogits(Variable logits, Tensor target, Tensor posWeight, Reduction r) {
        return reduce(Functional.binaryCrossEntropyWithLogits(logits, target, posWeight), r);
    }

    /** Mean squared error (x - y)^2. */
    public static Variable mse(Variable input, Tensor target, Reduction r) {
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException("mse: input shape " + Arrays.toString(input.shape()) + " != target shape "
                    + Arrays.toString(target.shape()));
        }
        return reduce(Ops.sub(input, Variable.constant(target.reshape(target.shape()))).square(), r);
    }

    private static Variable reduce(Variable l, Reduction r) {
        return switch (r) {
            case NONE -> l;
            case SUM -> l.sum();
            case MEAN -> l.mean();
        };
    }

    /** log p at the target class ([N,...]), the targets with ignored ones set to 0, and the keep mask. */
    private record PickedTargets(Variable picked, Tensor safeTarget, Tensor keep) {}

    private static PickedTargets pick(Variable logProb, Tensor target, int ignoreIndex, String what) {
        int[] ls = logProb.shape(), ts = target.shape();
        if (ls.length < 2) throw new IllegalArgumentException(what + ": input must be [N,C,...], got " + Arrays.toString(ls));
        boolean ok = ts.length == ls.length - 1 && ts[0] == ls[0];
        for (int i = 2; ok && i < ls.length; i++) ok = ts[i - 1] == ls[i];
        if (!ok) {
            throw new IllegalArgumentException(what + ": target shape " + Arrays.toString(ts) + " does not match input shape "
                    + Arrays.toString(ls) + " (expected [N, d...] without the class dim)");
        }
        if (target.dtype().isFloating()) throw new IllegalArgumentException(what + ": class targets must be integers, got " + target.dtype());
        int c = ls[1];
        try (Tensor t = target.to(DType.I32); Tensor keep = t.ne(ignoreIndex); Tensor lo = t.lt(0); Tensor hi = t.ge(c);
             Tensor out = lo.add(hi); Tensor bad = out.mul(keep); Tensor nBad = bad.sum()) {
            if (nBad.item() > 0) {
                throw new IllegalArgumentException(what + ": " + (long) nBad.item() + " target values are outside [0, " + c + ")"
                        + (ignoreIndex == Integer.MIN_VALUE ? "" : " and not the ignore index " + ignoreIndex));
            }
            Tensor zero = Tensor.full(t.device(), DType.I32, 0);
            Tensor safe = Tensor.where(keep, t, zero);
            zero.close();
            Tensor idx = safe.unsqueeze(1);
            Variable picked = Ops.squeeze(Ops.gather(logProb, 1, idx), 1);
            return new PickedTargets(picked, safe, keep.reshape(ts));
        }
    }
}
