package org.wpunet.nn.autograd;

import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.FusedOps;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

import java.util.Arrays;

/**
 * Differentiable neural-network ops on {@link NeuralOps}' fused forward and backward kernels
 * (convolution, transposed convolution, max pooling, batch norm, dropout) plus composites
 * (linear, adaptive average pooling). Each op's backward rule sits beside its forward.
 */
public final class Functional {
    private Functional() {}

    private static Variable[] inputs(Variable x, Variable w, Variable b) {
        return b == null ? new Variable[]{x, w} : new Variable[]{x, w, b};
    }

    /** y = conv2d(x, w) + b with x [N,C,H,W], w [OC,C,KH,KW], b [OC] or null. */
    public static Variable conv2d(Variable x, Variable w, Variable b, ConvParams p) {
        DType half = Autocast.castFor(x, w, b);
        if (half != null) return autocast(x, w, b, half, (xh, wh) -> conv2d(xh, wh, null, p));
        int[] xs = x.shape(), ws = w.shape();
        Tensor out = NeuralOps.conv2d(x.value(), w.value(), b == null ? null : b.value(), p);
        return Ops.record("conv2d", Node.Reads.INPUTS, out, inputs(x, w, b), (g, n) -> {
            Tensor[] r = new Tensor[b == null ? 2 : 3];
            if (n[0]) r[0] = NeuralOps.conv2dBackwardInput(g, w.value(), xs, p);
            if (n[1] || (b != null && n[2])) {
                Tensor[] wb = NeuralOps.conv2dBackwardWeight(x.value(), g, ws, p, b != null);
                r[1] = wb[0];
                if (b != null) r[2] = wb[1];
            }
            return r;
        });
    }

    /** Transposed convolution; x [N,C,H,W], w [C,OC,KH,KW] (PyTorch layout), b [OC] or null. */
    public static Variable convTranspose2d(Variable x, Variable w, Variable b, ConvParams p) {
        DType half = Autocast.castFor(x, w, b);
        if (half != null) return autocast(x, w, b, half, (xh, wh) -> convTranspose2d(xh, wh, null, p));
        int[] xs = x.shape(), ws = w.shape();
        Tensor out = NeuralOps.convTranspose2d(x.value(), w.value(), b == null ? null : b.value(), p);
        return Ops.record("conv_transpose2d", Node.Reads.INPUTS, out, inputs(x, w, b), (g, n) -> {
            Tensor[] r = new Tensor[b == null ? 2 : 3];
            if (n[0]) r[0] = NeuralOps.convTranspose2dBackwardInput(g, w.value(), xs, p);
            if (n[1] || (b != null && n[2])) {
                Tensor[] wb = NeuralOps.convTranspose2dBackwardWeight(x.value(), g, ws, p, b != null);
                r[1] = wb[0];
                if (b != null) r[2] = wb[1];
            }
            return r;
        });
    }

    /**
     * {@code concat(1, front, convTranspose2d(x, w, b, p))}: the decoder's [skip, up-sampled]. When no
     * gradient is recorded and no autocast applies, the concatenation is allocated once, front copied
     * into its first channels and the transposed convolution written into the rest (no up-sampled
     * tensor of its own); otherwise it is the two recorded ops.
     */
    public static Variable convTranspose2dAfter(Variable front, Variable x, Variable w, Variable b, ConvParams p) {
        if (recordsGrad(front, x, w, b) || Autocast.castFor(x, w, b) != null) {
            return Ops.concat(1, front, convTranspose2d(x, w, b, p));
        }
        int[] fs = front.shape(), xs = x.shape(), ws = w.shape();
        int oh = p.transposedOutH(xs[2], ws[2]), ow = p.transposedOutW(xs[3], ws[3]);
        if (fs.length != 4 || fs[0] != xs[0] || fs[2] != oh || fs[3] != ow || front.dtype() != x.dtype()) {
            throw new IllegalArgumentException("conv_transpose2d after " + Arrays.toString(fs) + ": the front part must be "
                    + x.dtype() + " [" + xs[0] + ", C, " + oh + ", " + ow + "] to go before the transposed convolution of "
                    + Arrays.toString(xs) + " with weight " + Arrays.toString(ws));
        }
        // every element is written: the front channels by the copy, the rest by convTranspose2dInto
        Tensor out = Tensor.uninitialized(x.device(), x.dtype(), fs[0], fs[1] + ws[1], oh, ow);
        try (Tensor head = out.narrow(1, 0, fs[1])) {
            head.assign(front.value());
        }
        NeuralOps.convTranspose2dInto(x.value(), w.value(), b == null ? null : b.value(), p, out, fs[1]);
        return Variable.constant(out);
    }

    /**
     * An FP32 conv under {@link Autocast}: x and w cast to 16 bits, the product computed there (FP32
     * accumulation), the result cast back to FP32 and the bias added in FP32 (broadcast over [N,C,H,W]).
     */
    private static Variable autocast(Variable x, Variable w, Variable b, DType half,
                                     java.util.function.BinaryOperator<Variable> op) {
        Variable y = Ops.to(op.apply(Ops.to(x, half), Ops.to(w, half)), DType.F32);
        return b == null ? y : Ops.add(y, Ops.reshape(b, 1, b.numel(), 1, 1));
    }

    /**
     * Max pooling (kernel, stride, padding, dilation as [h, w]); the gradient goes to each window's
     * maximum. When no gradient is recorded only the values are computed (no indices).
     */
    public static Variable maxPool2d(Variable x, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        if (!recordsGrad(x)) return Variable.constant(NeuralOps.maxPool2dValues(x.value(), kernel, stride, padding, dilation));
        int[] xs = x.shape();
        NeuralOps.PoolResult r = NeuralOps.maxPool2d(x.value(), kernel, stride, padding, dilation);
        Tensor indices = r.indices();
        return Ops.record("max_pool2d", Node.Reads.NOTHING, r.values(), new Variable[]{x},
                (g, n) -> new Tensor[]{NeuralOps.maxPool2dBackward(g, indices, xs)}, indices);
    }

    /**
     * Batch norm over [N,C,H,W]. Training: batch statistics, running stats updated in place
     * (momentum as PyTorch), fused backward. Inference: y = (x - mean) * gamma / sqrt(var + eps) + beta
     * with the running statistics, whose gradient is dx = g gamma / sqrt(var + eps),
     * dgamma = sum g xhat, dbeta = sum g. gamma/beta may be null (affine=false).
     */
    public static Variable batchNorm(Variable x, Variable gamma, Variable beta, Tensor runningMean, Tensor runningVar,
                                     boolean training, double momentum, double eps) {
        if ((gamma == null) != (beta == null)) throw new IllegalArgumentException("batch_norm: give both gamma and beta, or neither");
        Variable[] ins = gamma == null ? new Variable[]{x} : new Variable[]{x, gamma, beta};
        NeuralOps.BatchNormResult r = NeuralOps.batchNorm(x.value(), gamma == null ? null : gamma.value(),
                beta == null ? null : beta.value(), runningMean, runningVar, training, momentum, eps);
        if (training) {
            Tensor mean = r.saveMean(), invStd = r.saveInvStd();
            return Ops.record("batch_norm", Node.Reads.INPUTS, r.output(), ins, (g, n) -> {
                Tensor[] d = NeuralOps.batchNormBackward(x.value(), g, gamma == null ? null : gamma.value(), mean, invStd, eps);
                return gamma == null ? new Tensor[]{d[0]} : d;
            }, mean, invStd);
        }
        int c = x.size(1);
        return Ops.record("batch_norm_eval", Node.Reads.INPUTS, r.output(), ins, (g, n) -> {
            try (Tensor ve = runningVar.add(eps); Tensor sd = ve.sqrt(); Tensor inv = sd.reciprocal();
                 Tensor inv4 = inv.reshape(1, c, 1, 1); Tensor m4 = runningMean.reshape(1, c, 1, 1)) {
                Tensor[] out = new Tensor[ins.length];
                if (n[0]) {
                    if (gamma == null) out[0] = g.mul(inv4);
                    else {
                        try (Tensor g4 = gamma.value().reshape(1, c, 1, 1); Tensor s = g4.mul(inv4)) {
                            out[0] = g.mul(s);
                        }
                    }
                }
                if (gamma != null) {
                    if (n[1]) {
                        try (Tensor xc = x.value().sub(m4); Tensor xhat = xc.mul(inv4); Tensor gx = g.mul(xhat)) {
                            out[1] = gx.sum(false, 0, 2, 3);
                        }
                    }
                    if (n[2]) out[2] = g.sum(false, 0, 2, 3);
                }
                return out;
            }
        });
    }

    /**
     * {@code relu(batchNorm(...))} as one op (same arguments as {@link #batchNorm}). Training: one
     * fused pass forward and one fused backward from the ReLU output (the gradient reaching batch norm
     * is {@code y > 0 ? g : 0}); the batch-norm output is never materialised. Inference without a
     * gradient: one fused pass with the running statistics; inference with a gradient (rare) is
     * composed of {@link #batchNorm} and {@link Ops#relu}.
     */
    public static Variable batchNormRelu(Variable x, Variable gamma, Variable beta, Tensor runningMean, Tensor runningVar,
                                         boolean training, double momentum, double eps) {
        if ((gamma == null) != (beta == null)) throw new IllegalArgumentException("batch_norm: give both gamma and beta, or neither");
        Variable[] ins = gamma == null ? new Variable[]{x} : new Variable[]{x, gamma, beta};
        boolean anyGrad = false;
        for (Variable v : ins) anyGrad |= v.requiresGrad();
        if (!training && anyGrad && NoGrad.isGradEnabled()) {
            return Ops.relu(batchNorm(x, gamma, beta, runningMean, runningVar, false, momentum, eps));
        }
        NeuralOps.BatchNormResult r = NeuralOps.batchNormRelu(x.value(), gamma == null ? null : gamma.value(),
                beta == null ? null : beta.value(), runningMean, runningVar, training, momentum, eps);
        Tensor out = r.output();
        if (!training) return Variable.constant(out);
        Tensor mean = r.saveMean(), invStd = r.saveInvStd();
        return Ops.record("batch_norm_relu", Node.Reads.INPUTS_AND_OUTPUT, out, ins, (g, n) -> {
            Tensor[] d = NeuralOps.batchNormReluBackward(x.value(), out, g, gamma == null ? null : gamma.value(), mean, invStd, eps);
            return gamma == null ? new Tensor[]{d[0]} : d;
        }, mean, invStd);
    }

    /**
     * Inference-mode {@link #batchNormRelu} (running statistics) for a caller that owns x (e.g. the
     * output of the convolution before it), no longer needs its values and records no gradient: the
     * backend may write the result over x's storage (the CPU does, allocating nothing). The values
     * equal {@code batchNormRelu(x, ..., false, ...)}'s. An error when a gradient would be recorded
     * (grad mode on and x, gamma or beta requiring grad): overwriting x would corrupt the graph.
     */
    public static Variable batchNormReluInferenceReusingInput(Variable x, Variable gamma, Variable beta, Tensor runningMean,
                                                              Tensor runningVar, double eps) {
        if ((gamma == null) != (beta == null)) throw new IllegalArgumentException("batch_norm: give both gamma and beta, or neither");
        if (recordsGrad(x, gamma, beta)) {
            throw new IllegalStateException("batch_norm_relu reusing its input would overwrite a value the gradient needs: input "
                    + Arrays.toString(x.shape()) + " (enter NoGrad for inference)");
        }
        return Variable.constant(NeuralOps.batchNormReluInferenceReusingInput(x.value(), gamma == null ? null : gamma.value(),
                beta == null ? null : beta.value(), runningMean, runningVar, eps));
    }

    /**
     * Inference convolution, batch norm with the running statistics and ReLU as one backend op
     * ({@link NeuralOps#conv2dBatchNormReluInference}; the CPU applies batch norm and ReLU in its direct
     * kernel's output loop), giving the values of {@code batchNormReluInferenceReusingInput(conv2d(x, w, b))}.
     * Records nothing: refuses inputs that would record a gradient. Under autocast it is that composition.
     */
    public static Variable conv2dBatchNormReluInference(Variable x, Variable w, Variable b, Variable gamma, Variable beta,
                                                        Tensor runningMean, Tensor runningVar, double eps, ConvParams p) {
        if ((gamma == null) != (beta == null)) throw new IllegalArgumentException("batch_norm: give both gamma and beta, or neither");
        if (recordsGrad(x, w, b, gamma, beta)) {
            throw new IllegalStateException("conv2d + batch_norm_relu for inference records no gradient, but an input requires one: input "
                    + Arrays.toString(x.shape()) + " (enter NoGrad for inference)");
        }
        if (Autocast.castFor(x, w, b) != null) {
            return batchNormReluInferenceReusingInput(conv2d(x, w, b, p), gamma, beta, runningMean, runningVar, eps);
        }
        return Variable.constant(NeuralOps.conv2dBatchNormReluInference(x.value(), w.value(), b == null ? null : b.value(),
                gamma == null ? null : gamma.value(), beta == null ? null : beta.value(), runningMean, runningVar, eps, p));
    }

    /** True when an op on these inputs records a graph node: grad mode on and some input requires grad. */
    public static boolean recordsGrad(Variable... inputs) {
        if (!NoGrad.isGradEnabled()) return false;
        for (Variable v : inputs) if (v != null && v.requiresGrad()) return true;
        return false;
    }

    /** Inverted dropout with probability p when training (identity otherwise); the mask is drawn from rng. */
    public static Variable dropout(Variable x, double p, boolean training, Rng rng) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0,1), got " + p);
        if (!training || p == 0) return Ops.contiguous(x);
        Tensor[] r = NeuralOps.dropout(x.value(), p, rng);
        Tensor mask = r[1];
        return Ops.record("dropout", Node.Reads.NOTHING, r[0], new Variable[]{x}, (g, n) -> new Tensor[]{g.mul(mask)}, mask);
    }

    /** y = x W^T + b with W [out, in] (PyTorch layout), b [out] or null; composite. */
    public static Variable linear(Variable x, Variable w, Variable b) {
        if (w.rank() != 2 || x.size(-1 + x.rank()) != w.size(1)) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(x.shape()) + " does not match weight "
                    + Arrays.toString(w.shape()) + " (in_features " + w.size(1) + ")");
        }
        Variable y = Ops.matmul(x, Ops.transpose(w, 0, 1));
        return b == null ? y : Ops.add(y, b);
    }

    /**
     * Adaptive average pooling to [oh, ow] as PyTorch: output cell i averages input rows
     * floor(i H / oh) .. ceil((i+1) H / oh) - 1 (likewise columns); composite.
     */
    public static Variable adaptiveAvgPool2d(Variable x, int oh, int ow) {
        if (x.rank() != 4) throw new IllegalArgumentException("adaptive_avg_pool2d: input must be 4-D, got " + Arrays.toString(x.shape()));
        if (oh < 1 || ow < 1) throw new IllegalArgumentException("adaptive_avg_pool2d: output size must be positive, got " + oh + "x" + ow);
        int h = x.size(2), w = x.size(3);
        if (oh == 1 && ow == 1) return Ops.mean(x, true, 2, 3);
        Variable[] rows = new Variable[oh];
        for (int i = 0; i < oh; i++) {
            int h0 = Math.floorDiv(i * h, oh), h1 = -Math.floorDiv(-(i + 1) * h, oh);
            Variable band = Ops.narrow(x, 2, h0, h1 - h0);
            Variable[] cells = new Variable[ow];
            for (int j = 0; j < ow; j++) {
                int w0 = Math.floorDiv(j * w, ow), w1 = -Math.floorDiv(-(j + 1) * w, ow);
                cells[j] = Ops.mean(Ops.narrow(band, 3, w0, w1 - w0), true, 2, 3);
            }
            rows[i] = Ops.concat(3, cells);
        }
        return Ops.concat(2, rows);
    }

    /**
     * Elementwise binary cross-entropy on logits x against targets y in [0,1], with an optional
     * positive-class weight pw (broadcast over the last dim, like PyTorch's pos_weight), in the stable
     * form l = (1 - y) x + L (log(1 + exp(-|x|)) + max(-x, 0)) with L = 1 + (pw - 1) y.
     * Fused backward: dl/dx = (1 - y) - L (1 - sigmoid(x)), i.e. sigmoid(x) - y when pw = 1.
     */
    public static Variable binaryCrossEntropyWithLogits(Variable x, Tensor target, Tensor posWeight) {
        Tensor xv = x.value();
        if (!Arrays.equals(xv.shape(), target.shape())) {
            throw new IllegalArgumentException("bce_with_logits: input shape " + Arrays.toString(xv.shape()) + " != target shape "
                    + Arrays.toString(target.shape()));
        }
        Tensor y = target.to(xv.dtype());
        Tensor l = lWeight(y, posWeight);
        Tensor out;
        try (Tensor ax = xv.abs(); Tensor nax = ax.neg(); Tensor e = nax.exp(); Tensor e1 = e.add(1); Tensor sp = e1.log();
             Tensor nx = xv.neg(); Tensor mx = nx.relu(); Tensor tail = sp.add(mx); Tensor lt = l.mul(tail);
             Tensor oneMinusY = y.rsub(1); Tensor head = oneMinusY.mul(xv)) {
            out = head.add(lt);
        }
        return Ops.record("bce_with_logits", Node.Reads.INPUTS, out, new Variable[]{x}, (g, n) -> {
            try (Tensor s = x.value().sigmoid(); Tensor oms = s.rsub(1); Tensor lo = l.mul(oms); Tensor omy = y.rsub(1);
                 Tensor d = omy.sub(lo)) {
                return new Tensor[]{g.mul(d)};
            }
        }, l, y);
    }

    /**
     * Per-pixel weighted cross-entropy l = w (logsumexp(x) - x_t) of logits [N,C,d...] against integer
     * targets [N,d...] with weights of the target's shape (null = 1), in one fused kernel that also
     * produces dl/dx = w (softmax(x) - onehot(t)) when a gradient is needed (kept for the backward,
     * which scales it by the upstream gradient broadcast over the class dim).
     */
    public static Variable weightedCrossEntropy(Variable logits, Tensor target, Tensor weight) {
        boolean needGrad = logits.requiresGrad() && NoGrad.isGradEnabled();
        FusedOps.CrossEntropyResult r = FusedOps.weightedCrossEntropy(logits.value(), target, weight, needGrad);
        Tensor dx = r.grad();
        return Ops.record("weighted_cross_entropy", Node.Reads.NOTHING, r.loss(), new Variable[]{logits}, (g, n) -> {
            try (Tensor gu = g.unsqueeze(1)) {
                return new Tensor[]{dx.mul(gu)};
            }
        }, dx);
    }

    /**
     * Per-pixel cross-entropy with a weight per class per pixel over a clamped softmax (WPU-Net's
     * WeightMapLoss): l = sum_c -w_c log(max(softmax(x)_c, clampMin)) for logits [N,C,d...] and constant
     * weights of the same shape, giving [N,d...]. One fused kernel also produces dl/dx = p_c sum_k a_k w_k
     * - a_c w_c (a_k = [p_k >= clampMin], PyTorch's clamp rule) when a gradient is needed; the backward
     * scales it by the upstream gradient broadcast over the class dim.
     */
    public static Variable classWeightedCrossEntropy(Variable logits, Tensor weights, double clampMin) {
        boolean needGrad = logits.requiresGrad() && NoGrad.isGradEnabled();
        FusedOps.CrossEntropyResult r = FusedOps.classWeightedCrossEntropy(logits.value(), weights, clampMin, needGrad);
        Tensor dx = r.grad();
        return Ops.record("class_weighted_cross_entropy", Node.Reads.NOTHING, r.loss(), new Variable[]{logits}, (g, n) -> {
            try (Tensor gu = g.unsqueeze(1)) {
                return new Tensor[]{dx.mul(gu)};
            }
        }, dx);
    }

    private static Tensor lWeight(Tensor y, Tensor posWeight) {
        if (posWeight == null) return Tensor.onesLike(y);
        try (Tensor pm1 = posWeight.sub(1); Tensor t = y.mul(pm1)) {
            return t.add(1);
        }
    }
}
