package org.wpunet.nn.module;

import org.wpunet.core.DType;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;

/**
 * Batch norm over channels of [N,C,H,W] (PyTorch's nn.BatchNorm2d, affine, tracking running stats):
 * weight (ones), bias (zeros), buffers running_mean (zeros), running_var (ones) and
 * num_batches_tracked (an int64 in PyTorch's state dict). Training normalises with batch statistics
 * and updates running = (1 - momentum) running + momentum batch (unbiased variance); eval uses the
 * running statistics.
 */
public final class BatchNorm2d extends Layer {
    private final int features;
    private final double momentum, eps;

    public BatchNorm2d(int features, double momentum, double eps) {
        if (features < 1) throw new IllegalArgumentException("BatchNorm2d needs a positive feature count, got " + features);
        this.features = features;
        this.momentum = momentum;
        this.eps = eps;
        registerParameter("weight", Tensor.ones(features));
        registerParameter("bias", Tensor.zeros(features));
        registerBuffer("running_mean", Tensor.zeros(features), false);
        registerBuffer("running_var", Tensor.ones(features), false);
        registerBuffer("num_batches_tracked", Tensor.zeros(DType.I32, new int[0]), true);
    }

    /** momentum 0.1, eps 1e-5 (PyTorch's defaults). */
    public BatchNorm2d(int features) { this(features, 0.1, 1e-5); }

    @Override
    public Variable forward(Variable x) {
        checkInput(x);
        Variable y = Functional.batchNorm(x, parameter("weight"), parameter("bias"), buffer("running_mean"),
                buffer("running_var"), isTraining(), momentum, eps);
        countBatch();
        return y;
    }

    /**
     * This batch norm followed by ReLU, {@code relu(forward(x))}, as one fused op (one pass forward,
     * no batch-norm output kept for backward; see {@link Functional#batchNormRelu}).
     */
    public Variable forwardRelu(Variable x) {
        checkInput(x);
        Variable y = Functional.batchNormRelu(x, parameter("weight"), parameter("bias"), buffer("running_mean"),
                buffer("running_var"), isTraining(), momentum, eps);
        countBatch();
        return y;
    }

    /**
     * {@link #forwardRelu} for a caller that owns x and no longer needs its values (DoubleConv passes
     * its convolution's output): in eval mode when no gradient is recorded (inference under {@link
     * org.wpunet.nn.autograd.NoGrad}) the backend may write the result over x, allocating nothing (see
     * {@link Functional#batchNormReluInferenceReusingInput}); otherwise it is {@link #forwardRelu}.
     */
    public Variable forwardReluReusingInput(Variable x) {
        Variable gamma = parameter("weight"), beta = parameter("bias");
        if (isTraining() || Functional.recordsGrad(x, gamma, beta)) return forwardRelu(x);
        checkInput(x);
        return Functional.batchNormReluInferenceReusingInput(x, gamma, beta, buffer("running_mean"), buffer("running_var"), eps);
    }

    /**
     * {@code forwardRelu(conv.forward(x))}: in eval mode when no gradient is recorded the
     * convolution, this batch norm and ReLU are one backend op ({@link Functional#conv2dBatchNormReluInference},
     * same values; on the CPU the batch norm and ReLU run in the direct kernel's output loop).
     */
    public Variable forwardReluAfter(Conv2d conv, Variable x) {
        Variable gamma = parameter("weight"), beta = parameter("bias");
        Variable w = conv.parameter("weight"), b = conv.parameterOrNull("bias");
        if (isTraining() || Functional.recordsGrad(x, w, b, gamma, beta)) return forwardRelu(conv.forward(x));
        if (w.size(0) != features) {
            throw new IllegalArgumentException("BatchNorm2d(" + features + ") after a convolution with " + w.size(0)
                    + " output channels (weight " + java.util.Arrays.toString(w.shape()) + ")");
        }
        return Functional.conv2dBatchNormReluInference(x, w, b, gamma, beta, buffer("running_mean"), buffer("running_var"), eps,
                conv.convParams());
    }

    private void checkInput(Variable x) {
        if (x.rank() != 4 || x.size(1) != features) {
            throw new IllegalArgumentException("BatchNorm2d(" + features + ") expects [N," + features + ",H,W], got "
                    + java.util.Arrays.toString(x.shape()));
        }
    }

    private void countBatch() {
        if (isTraining()) {
            Tensor count = buffer("num_batches_tracked");
            try (Tensor one = Tensor.full(count.device(), DType.I32, 1)) {
                count.addInPlace(one);
            }
        }
    }

    @Override
    public String toString() { return "BatchNorm2d(" + features + ", eps=" + eps + ", momentum=" + momentum + ")"; }
}
