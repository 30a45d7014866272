package org.wpunet.nn.module;

import org.wpunet.nn.autograd.Variable;

/** Returns its input (the same variable). */
public final class Identity extends Layer {
    @Override
    public Variable forward(Variable x) { return x; }

    @Override
    public String toString() { return "Identity()"; }
}
