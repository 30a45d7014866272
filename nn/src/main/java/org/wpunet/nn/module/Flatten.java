package org.wpunet.nn.module;

import org.wpunet.nn.autograd.Variable;

/** Flattens dims start..end (PyTorch's nn.Flatten; default 1..-1). */
public final class Flatten extends Layer {
    private final int start, end;

    public Flatten(int start, int end) {
        this.start = start;
        this.end = end;
    }

    public Flatten() { this(1, -1); }

    @Override
    public Variable forward(Variable x) { return x.flatten(start, end); }

    @Override
    public String toString() { return "Flatten(" + start + ", " + end + ")"; }
}
