package org.wpunet.nn.autograd;

import org.wpunet.core.DType;

/**
 * Mixed precision for the ops tensor cores speed up: inside an autocast region, convolutions,
 * transposed convolutions and matrix products with FP32 operands run in BF16 (or F16) with FP32
 * accumulation, while every other op (batch norm and its statistics, activations, losses) and the
 * parameters themselves stay FP32 — PyTorch's torch.autocast recipe. Biases are added in FP32 after
 * the 16-bit product, and results come back as FP32, so code around these ops never sees 16-bit
 * tensors. Gradients flow back through the casts: a weight's gradient is computed in 16 bits and
 * accumulated into its FP32 master gradient. Per thread; nests (the innermost region wins).
 * <pre>{@code try (Autocast ac = Autocast.enable(DType.BF16)) { loss = lossOf(model.forward(x)); } }</pre>
 */
public final class Autocast implements AutoCloseable {
    private static final ThreadLocal<DType> CURRENT = new ThreadLocal<>();
    private final DType previous;
    private boolean closed;

    private Autocast(DType previous) { this.previous = previous; }

    /** Starts a region computing convolutions and matmuls in {@code dt} (BF16 or F16). */
    public static Autocast enable(DType dt) {
        if (dt != DType.BF16 && dt != DType.F16) throw new IllegalArgumentException("autocast runs in BF16 or F16, got " + dt);
        Autocast a = new Autocast(CURRENT.get());
        CURRENT.set(dt);
        return a;
    }

    /** A region with autocast off (for ops that must stay FP32 inside an autocast region). */
    public static Autocast disable() {
        Autocast a = new Autocast(CURRENT.get());
        CURRENT.remove();
        return a;
    }

    /** The 16-bit type of the current region, or null outside autocast. */
    public static DType current() { return CURRENT.get(); }

    /** The type an FP32 operand of a conv/matmul is cast to here, or null when it runs as it is. */
    static DType castFor(Variable... operands) {
        DType dt = CURRENT.get();
        if (dt == null) return null;
        for (Variable v : operands) if (v != null && v.dtype() != DType.F32) return null;
        return dt;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (previous == null) CURRENT.remove();
        else CURRENT.set(previous);
    }
}
