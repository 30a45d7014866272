package org.wpunet.core;

import java.util.Arrays;

/**
 * The fused training kernels on tensors: weighted cross-entropy (per-pixel or per-class weights)
 * with its logits gradient in one pass, and in-place optimiser updates. Autograd (nn) builds its
 * loss and optimisers on these; they check shapes, devices and dtypes here so every backend
 * receives valid, compact input.
 */
public final class FusedOps {
    private FusedOps() {}

    /** Per-pixel losses w (logsumexp(x) - x_t) and, when asked, the gradient w (softmax(x) - onehot(t)). */
    public record CrossEntropyResult(Tensor loss, Tensor grad) implements AutoCloseable {
        @Override
        public void close() {
            loss.close();
            if (grad != null) grad.close();
        }
    }

    /**
     * Weighted cross-entropy of logits [N, C, d...] against integer targets [N, d...] with weights of
     * the target's shape (null = 1). The loss has the target's shape; the gradient (of the summed
     * loss, before any normalisation) has the logits' shape.
     */
    public static CrossEntropyResult weightedCrossEntropy(Tensor logits, Tensor target, Tensor weight, boolean withGrad) {
        int[] ls = logits.shape(), ts = target.shape();
        String op = "weighted cross-entropy";
        if (ls.length < 2) throw new IllegalArgumentException(op + ": logits must be [N,C,...], got " + Shapes.str(ls));
        boolean ok = ts.length == ls.length - 1 && ts[0] == ls[0];
        for (int i = 2; ok && i < ls.length; i++) ok = ts[i - 1] == ls[i];
        if (!ok) {
            throw new IllegalArgumentException(op + ": target shape " + Shapes.str(ts) + " does not match logits shape "
                    + Shapes.str(ls) + " (expected [N, d...] without the class dim)");
        }
        if (!logits.dtype().isFloating()) throw new IllegalArgumentException(op + ": logits must be floating, got " + logits.dtype());
        if (target.dtype().isFloating()) throw new IllegalArgumentException(op + ": class targets must be integers, got " + target.dtype());
        if (weight != null && !Arrays.equals(weight.shape(), ts)) {
            throw new IllegalArgumentException(op + ": weight shape " + Shapes.str(weight.shape()) + " must equal the target shape "
                    + Shapes.str(ts));
        }
        NeuralOps.sameDevice(op, logits, target);
        NeuralOps.sameDevice(op, logits, weight);
        try (Tensor x = logits.contiguous(); Tensor t = target.to(DType.I32); Tensor tc = t.contiguous();
             Tensor w = weight == null ? null : weight.to(logits.dtype()); Tensor wc = w == null ? null : w.contiguous()) {
            Storage[] r = logits.backend().weightedCrossEntropy(x.storage(), ls, tc.storage(), wc == null ? null : wc.storage(),
                    withGrad);
            return new CrossEntropyResult(Tensor.wrap(r[0], Layout.contiguous(ts)),
                    r[1] == null ? null : Tensor.wrap(r[1], Layout.contiguous(ls)));
        }
    }

    /**
     * Cross-entropy with a weight per class per pixel over a clamped softmax (WPU-Net's WeightMapLoss):
     * logits x and weights w are [N, C, d...] of one shape; with p = softmax(x) over C the loss per
     * pixel [N, d...] is sum_c -w_c log(max(p_c, clampMin)), and the gradient of the summed loss (when
     * asked) is p_c sum_k a_k w_k - a_c w_c with a_k = [p_k >= clampMin] (PyTorch's clamp passes the
     * gradient where the input is within the bounds, bounds included). The weights are constants.
     * Logits must be F32 or F64; the weights are converted to the logits' dtype.
     */
    public static CrossEntropyResult classWeightedCrossEntropy(Tensor logits, Tensor weights, double clampMin, boolean withGrad) {
        int[] ls = logits.shape();
        String op = "class-weighted cross-entropy";
        if (ls.length < 2) throw new IllegalArgumentException(op + ": logits must be [N,C,...], got " + Shapes.str(ls));
        if (!Arrays.equals(weights.shape(), ls)) {
            throw new IllegalArgumentException(op + ": weights shape " + Shapes.str(weights.shape()) + " must equal the logits shape "
                    + Shapes.str(ls) + " (one weight per class per pixel)");
        }
        if (logits.dtype() != DType.F32 && logits.dtype() != DType.F64) {
            throw new IllegalArgumentException(op + ": logits must be F32 or F64, got " + logits.dtype());
        }
        if (!weights.dtype().isFloating()) throw new IllegalArgumentException(op + ": weights must be floating, got " + weights.dtype());
        if (!(clampMin >= 0 && clampMin < 1)) {
            throw new IllegalArgumentException(op + ": clampMin must be in [0, 1), got " + clampMin);
        }
        NeuralOps.sameDevice(op, logits, weights);
        int[] loss = new int[ls.length - 1];
        loss[0] = ls[0];
        System.arraycopy(ls, 2, loss, 1, ls.length - 2);
        try (Tensor x = logits.contiguous(); Tensor w = weights.to(logits.dtype()); Tensor wc = w.contiguous()) {
            Storage[] r = logits.backend().classWeightedCrossEntropy(x.storage(), ls, wc.storage(), clampMin, withGrad);
            return new CrossEntropyResult(Tensor.wrap(r[0], Layout.contiguous(loss)),
                    r[1] == null ? null : Tensor.wrap(r[1], Layout.contiguous(ls)));
        }
    }

    /**
     * Updates {@code param} and its state buffers in place from {@code grad} (see {@link OptimizerUpdate}
     * for the rules and the state order). Parameter and state must be compact tensors of the same shape,
     * floating dtype and device; the gradient is made compact if it is not.
     */
    public static void optimizerUpdate(OptimizerUpdate u, Tensor param, Tensor grad, Tensor... state) {
        String op = u.getClass().getSimpleName() + " update";
        if (state.length != u.stateCount()) {
            throw new IllegalArgumentException(op + " takes " + u.stateCount() + " state tensors, got " + state.length);
        }
        if (!param.dtype().isFloating() || param.dtype() == DType.BF16 || param.dtype() == DType.F16) {
            throw new IllegalArgumentException(op + ": parameters must be F32 or F64 (master weights), got " + param.dtype());
        }
        needCompact(op, "parameter", param);
        if (!Arrays.equals(grad.shape(), param.shape())) {
            throw new IllegalArgumentException(op + ": gradient shape " + Shapes.str(grad.shape()) + " != parameter shape "
                    + Shapes.str(param.shape()));
        }
        NeuralOps.sameDevice(op, param, grad);
        Storage[] st = new Storage[state.length];
        for (int k = 0; k < state.length; k++) {
            Tensor s = state[k];
            needCompact(op, "state " + k, s);
            if (!Arrays.equals(s.shape(), param.shape()) || s.dtype() != param.dtype()) {
                throw new IllegalArgumentException(op + ": state " + k + " is " + s.dtype() + Shapes.str(s.shape()) + ", expected "
                        + param.dtype() + Shapes.str(param.shape()));
            }
            NeuralOps.sameDevice(op, param, s);
            st[k] = s.storage();
        }
        try (Tensor g = grad.to(param.dtype()); Tensor gc = g.contiguous()) {
            param.backend().optimizerUpdate(u, param.storage(), gc.storage(), st);
        }
    }

    private static void needCompact(String op, String what, Tensor t) {
        if (!t.layout().isCompact() || t.numel() != t.storage().numel()) {
            throw new IllegalArgumentException(op + ": the " + what + " must own a compact storage to be updated in place");
        }
    }
}
