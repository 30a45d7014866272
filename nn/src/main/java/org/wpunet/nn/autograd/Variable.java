package org.wpunet.nn.autograd;

import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Tensor;

/**
 * A tensor in the autograd graph: a core {@link Tensor} value, whether gradients flow to it, the
 * node that made it (null for leaves) and, for leaves that require grad, the accumulated gradient.
 *
 * <p>Ownership: a variable owns its value (and a leaf its grad); {@link #close} closes both. A leaf's
 * grad tensor is allocated by the first backward that reaches the leaf (or {@link #setGrad}) and
 * closed by {@link #zeroGrad}, like PyTorch's {@code set_to_none}, so a training step's gradients
 * take no memory during its forward. It is owned as the value is ({@link org.wpunet.core.Scope#alongside}):
 * create parameters before a training step's {@link org.wpunet.core.Scope} and their grads survive
 * it. Op outputs are new tensors owned by the enclosing scope, like any core op's result.
 *
 * <p>Ops are static functions in {@link Ops} (and {@link Functional} for the neural ones); the
 * instance methods here are shorthands.
 */
public final class Variable implements AutoCloseable {
    private final Tensor value;
    private final boolean requiresGrad;
    private final Node node;
    /** Whether this is a leaf that collects a gradient. */
    private final boolean collectsGrad;
    /** The accumulated gradient; null until a backward reaches the leaf, and after {@link #zeroGrad}. */
    private Tensor grad;
    /** Recorded nodes whose backward rule reads this value and have not run yet (see {@link Node.Reads}). */
    private int savedUses;
    /** Graph-owned: made inside a {@link TransientScope} and not kept, so backward may close the value. */
    private boolean transientValue;

    Variable(Tensor value, boolean requiresGrad, Node node) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.node = node;
        this.collectsGrad = node == null && requiresGrad;
    }

    /** A leaf that collects a gradient (a parameter or an input to differentiate against). */
    public static Variable param(Tensor value) {
        if (!value.dtype().isFloating()) throw new IllegalArgumentException("only floating tensors can require grad, got " + value.dtype());
        return new Variable(value, true, null);
    }

    /** A constant: no gradient flows to it. */
    public static Variable constant(Tensor value) { return new Variable(value, false, null); }

    public Tensor value() { return value.check(); }

    public boolean requiresGrad() { return requiresGrad; }

    public boolean isLeaf() { return node == null; }

    /** Name of the op that made this variable, or null for a leaf. */
    public String op() { return node == null ? null : node.op; }

    Node node() { return node; }

    /** The shape without the closed check (the engine needs it after a graph-owned value was closed). */
    int[] rawShape() { return value.shape(); }

    DType rawDtype() { return value.dtype(); }

    void addSavedUse() { savedUses++; }

    /** Marks the value graph-owned ({@link TransientScope#close}). */
    void markTransient() { transientValue = true; }

    /**
     * One reader of this value has run (or can no longer run); a graph-owned value nobody reads any
     * more is closed. Reading it afterwards throws (the tensor's closed check); the step's Scope
     * closing it again is a no-op.
     */
    void releaseSavedUse() {
        if (savedUses > 0) savedUses--;
        closeIfUnread();
    }

    /** Closes a graph-owned value that no pending rule reads. */
    void closeIfUnread() {
        if (transientValue && savedUses == 0) value.close();
    }

    /** The accumulated gradient of a leaf, or null when none was accumulated since the last {@link #zeroGrad}. */
    public Tensor grad() { return grad; }

    /** True when backward reached this leaf since the last {@link #zeroGrad}. */
    public boolean hasGrad() { return grad != null; }

    /**
     * Forgets the gradient, like PyTorch's set_to_none: its tensor is closed (a reference kept from
     * {@link #grad()} is then closed too) and the next backward assigns a new one instead of adding.
     */
    public void zeroGrad() {
        if (grad != null) grad.close();
        grad = null;
    }

    /** Adds g (already of this leaf's shape) to the gradient. */
    void accumulate(Tensor g) {
        if (!collectsGrad) throw new IllegalStateException("accumulate on a variable that does not collect gradients");
        if (grad != null) grad.addInPlace(g);
        else newGrad().assign(g);
    }

    /** A zero gradient of the value's shape, dtype and device, owned as the value is (its scope, or none). */
    private Tensor newGrad() {
        grad = org.wpunet.core.Scope.alongside(value, () -> Tensor.zerosLike(value));
        return grad;
    }

    /**
     * Sets the gradient directly (optimiser tests, gradient clipping helpers and checkpoint restore).
     */
    public void setGrad(Tensor g) {
        if (!java.util.Arrays.equals(g.shape(), value.shape())) {
            throw new IllegalArgumentException("grad shape " + java.util.Arrays.toString(g.shape()) + " != value shape "
                    + java.util.Arrays.toString(value.shape()));
        }
        if (!collectsGrad) throw new IllegalStateException("setGrad on a variable that does not require grad");
        (grad != null ? grad : newGrad()).assign(g);
    }

    /** A constant sharing this value's storage (a new view; closing it leaves this variable intact). */
    public Variable detach() { return constant(value().reshape(value.shape())); }

    /** Backward from a one-element output (gradient 1); releases the graph. */
    public void backward() {
        if (value().numel() != 1) {
            throw new IllegalArgumentException("backward() without a gradient needs a one-element output, shape is "
                    + java.util.Arrays.toString(value.shape()) + "; pass the output gradient");
        }
        try (Tensor one = Tensor.onesLike(value)) {
            backward(one, false);
        }
    }

    /** Backward with a given output gradient (same shape as this value); releases the graph unless retainGraph. */
    public void backward(Tensor gradOutput, boolean retainGraph) {
        BackwardEngine.run(this, gradOutput, retainGraph);
    }

    // ------------------------------------------------------------------ properties
    public int[] shape() { return value().shape(); }

    public int size(int d) { return value().size(d); }

    public int rank() { return value().rank(); }

    public int numel() { return value().numel(); }

    public DType dtype() { return value().dtype(); }

    public Device device() { return value().device(); }

    /** The single element of a one-element variable. */
    public double item() { return value().item(); }

    // ------------------------------------------------------------------ shorthands for Ops
    public Variable add(Variable o) { return Ops.add(this, o); }
    public Variable sub(Variable o) { return Ops.sub(this, o); }
    public Variable mul(Variable o) { return Ops.mul(this, o); }
    public Variable div(Variable o) { return Ops.div(this, o); }
    public Variable pow(Variable o) { return Ops.pow(this, o); }
    public Variable maximum(Variable o) { return Ops.maximum(this, o); }
    public Variable minimum(Variable o) { return Ops.minimum(this, o); }
    public Variable add(double s) { return Ops.add(this, s); }
    public Variable sub(double s) { return Ops.add(this, -s); }
    public Variable rsub(double s) { return Ops.rsub(this, s); }
    public Variable mul(double s) { return Ops.mul(this, s); }
    public Variable div(double s) { return Ops.mul(this, 1.0 / s); }
    public Variable rdiv(double s) { return Ops.rdiv(this, s); }
    public Variable pow(double s) { return Ops.pow(this, s); }
    public Variable neg() { return Ops.neg(this); }
    public Variable abs() { return Ops.abs(this); }
    public Variable exp() { return Ops.exp(this); }
    public Variable log() { return Ops.log(this); }
    public Variable sqrt() { return Ops.sqrt(this); }
    public Variable relu() { return Ops.relu(this); }
    public Variable sigmoid() { return Ops.sigmoid(this); }
    public Variable tanh() { return Ops.tanh(this); }
    public Variable square() { return Ops.square(this); }
    public Variable reciprocal() { return Ops.reciprocal(this); }
    public Variable clamp(double lo, double hi) { return Ops.clamp(this, lo, hi); }
    public Variable sum() { return Ops.sum(this); }
    public Variable sum(boolean keepdim, int... dims) { return Ops.sum(this, keepdim, dims); }
    public Variable mean() { return Ops.mean(this); }
    public Variable mean(boolean keepdim, int... dims) { return Ops.mean(this, keepdim, dims); }
    public Variable max(boolean keepdim, int... dims) { return Ops.max(this, keepdim, dims); }
    public Variable min(boolean keepdim, int... dims) { return Ops.min(this, keepdim, dims); }
    public Variable variance(boolean unbiased, boolean keepdim, int... dims) { return Ops.variance(this, unbiased, keepdim, dims); }
    public Variable softmax(int dim) { return Ops.softmax(this, dim); }
    public Variable logSoftmax(int dim) { return Ops.logSoftmax(this, dim); }
    public Variable matmul(Variable o) { return Ops.matmul(this, o); }
    public Variable reshape(int... shape) { return Ops.reshape(this, shape); }
    public Variable flatten(int start, int end) { return Ops.flatten(this, start, end); }
    public Variable permute(int... order) { return Ops.permute(this, order); }
    public Variable transpose(int d0, int d1) { return Ops.transpose(this, d0, d1); }
    public Variable narrow(int dim, int start, int length) { return Ops.narrow(this, dim, start, length); }
    public Variable slice(int dim, int start, int end, int step) { return Ops.slice(this, dim, start, end, step); }
    public Variable expand(int... shape) { return Ops.expand(this, shape); }
    public Variable unsqueeze(int dim) { return Ops.unsqueeze(this, dim); }
    public Variable squeeze(int... dims) { return Ops.squeeze(this, dims); }
    public Variable indexSelect(int dim, Tensor index) { return Ops.indexSelect(this, dim, index); }
    public Variable gather(int dim, Tensor index) { return Ops.gather(this, dim, index); }
    public Variable to(DType dt) { return Ops.to(this, dt); }
    public Variable contiguous() { return Ops.contiguous(this); }

    @Override
    public void close() {
        value.close();
        if (grad != null) grad.close();
    }

    @Override
    public String toString() {
        return "Variable(" + value + (requiresGrad ? ", requiresGrad" : "") + (node != null ? ", op=" + node.op : "") + ")";
    }
}
