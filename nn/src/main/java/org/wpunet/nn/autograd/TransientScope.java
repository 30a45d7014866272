package org.wpunet.nn.autograd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Graph-owned intermediates: every variable an op records while this scope is open, except those
 * passed to {@link #keep}, becomes graph-owned when the scope closes. A layer whose forward is wrapped
 * in one promises that its intermediates never reach user code, so their values belong to the graph:
 * <ul>
 *   <li>at close, a graph-owned value that no backward rule reads (the input of a concatenation, a
 *       transposed convolution's output, a pooling's output) is closed at once;</li>
 *   <li>during {@link Variable#backward} without retainGraph, a graph-owned value is closed as soon as
 *       the last node whose rule reads it has run (PyTorch frees a saved tensor at the same point);</li>
 *   <li>with retainGraph nothing is closed early, so the graph can be run again.</li>
 * </ul>
 * Kept variables (the layer's output) and everything made outside any scope behave as before: their
 * values live until their {@link org.wpunet.core.Scope} closes, so reading the logits after backward
 * still works. Reading a graph-owned value after it was closed throws (the tensor's closed check); the
 * step's Scope closing it again is a no-op.
 *
 * <p>Why marking rather than counting references alone: a Java program can hold any variable without
 * the graph knowing, so only code that made a variable can say it never escapes. Scopes nest (a
 * kept variable of an inner scope belongs to the enclosing one) and close in reverse order of opening,
 * on the thread that opened them.
 * <pre>{@code
 * public Variable forward(Variable x) {
 *     try (TransientScope ts = TransientScope.open()) {
 *         return ts.keep(head(body(x)));
 *     }
 * }
 * }</pre>
 */
public final class TransientScope implements AutoCloseable {
    private static final ThreadLocal<TransientScope> CURRENT = new ThreadLocal<>();

    private final TransientScope parent;
    private final Thread thread = Thread.currentThread();
    private final List<Variable> made = new ArrayList<>();
    private final Set<Variable> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private TransientScope(TransientScope parent) { this.parent = parent; }

    /** Opens a scope on this thread (inside the current one, if any). */
    public static TransientScope open() {
        TransientScope s = new TransientScope(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** Called by {@link Ops#record} for each variable with a node. */
    static void made(Variable v) {
        TransientScope s = CURRENT.get();
        if (s != null) s.made.add(v);
    }

    /** Keeps v user-visible (its value is not closed by backward); returns v. */
    public Variable keep(Variable v) {
        kept.add(v);
        return v;
    }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a TransientScope must be closed on the thread that opened it (" + thread.getName() + ")");
        }
        if (CURRENT.get() != this) throw new IllegalStateException("TransientScopes must be closed in reverse order of opening");
        closed = true;
        if (parent == null) CURRENT.remove();
        else CURRENT.set(parent);
        for (Variable v : made) {
            if (kept.contains(v)) {
                if (parent != null) parent.made.add(v);
            } else {
                v.markTransient();
                v.closeIfUnread();
            }
        }
        made.clear();
        kept.clear();
    }
}
