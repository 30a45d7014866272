package org.wpunet.nn.autograd;

/**
 * A region in which ops record no graph (inference, optimiser updates). Nests; per thread.
 * <pre>{@code try (NoGrad ng = NoGrad.enter()) { ... } }</pre>
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
    private boolean closed;

    private NoGrad() {}

    public static NoGrad enter() {
        DEPTH.get()[0]++;
        return new NoGrad();
    }

    /** True when ops on this thread should record gradients. */
    public static boolean isGradEnabled() { return DEPTH.get()[0] == 0; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        DEPTH.get()[0]--;
    }
}
