package org.wpunet.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic ownership of tensors: every tensor created on this thread while a scope is open is
 * closed when the scope closes, except those passed to {@link #keep}. Scopes nest; a kept tensor
 * moves to the enclosing scope (or to no scope). Typical use, one scope per training step:
 * <pre>{@code
 * try (var scope = Scope.open()) {
 *     Tensor loss = model.forward(x)...;
 *     lossValue = loss.item();
 * } // every intermediate tensor closed here
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final List<Tensor> owned = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {}

    /** Opens a scope on this thread. */
    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    static void register(Tensor t) {
        Scope s = STACK.get().peek();
        if (s != null) {
            s.owned.add(t);
            t.scope = s;
        }
    }

    /**
     * Runs make with the tensors it creates owned as owner is: by owner's scope, or by no scope (the
     * caller closes them) when owner belongs to none. For state made lazily that must live exactly
     * as long as another tensor, whatever scope is open when it is made: a parameter's gradient,
     * allocated by the first backward inside a training step's scope, lives as long as the parameter.
     * The open scopes are unchanged afterwards.
     */
    public static <T> T alongside(Tensor owner, java.util.function.Supplier<T> make) {
        var stack = STACK.get();
        Scope target = owner.scope != null && !owner.scope.closed ? owner.scope : null;
        if (stack.peek() == target) return make.get();
        ArrayDeque<Scope> open = new ArrayDeque<>(stack);
        stack.clear();
        if (target != null) stack.push(target);
        try {
            return make.get();
        } finally {
            stack.clear();
            stack.addAll(open);
        }
    }

    /** Keeps a tensor alive past this scope (it moves to the enclosing scope, if any). */
    public <T extends Tensor> T keep(T t) {
        if (t.scope == this) {
            // remove by identity, newest first (kept tensors are usually recent)
            for (int i = owned.size() - 1; i >= 0; i--) {
                if (owned.get(i) == t) {
                    owned.remove(i);
                    break;
                }
            }
            t.scope = null;
            var stack = STACK.get();
            Scope parent = null;
            boolean seen = false;
            for (Scope s : stack) { // from innermost to outermost
                if (seen) { parent = s; break; }
                if (s == this) seen = true;
            }
            if (parent != null) {
                parent.owned.add(t);
                t.scope = parent;
            }
        }
        return t;
    }

    /** Keeps several tensors. */
    public void keepAll(Iterable<? extends Tensor> ts) { for (Tensor t : ts) keep(t); }

    /** Number of tensors this scope will close. */
    public int size() { return owned.size(); }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("a Scope must be closed on the thread that opened it (" + thread.getName() + ")");
        }
        closed = true;
        var stack = STACK.get();
        stack.remove(this);
        for (int i = owned.size() - 1; i >= 0; i--) {
            Tensor t = owned.get(i);
            t.scope = null;
            t.close();
        }
        owned.clear();
    }
}
