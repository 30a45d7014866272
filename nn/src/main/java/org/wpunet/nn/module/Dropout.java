package org.wpunet.nn.module;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Variable;

/** Inverted dropout while training (identity in eval), masks drawn from a seeded {@link Rng}. */
public final class Dropout extends Layer {
    private final double p;
    private final Rng rng;

    public Dropout(double p, Rng rng) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0,1), got " + p);
        this.p = p;
        this.rng = rng;
    }

    public Rng rng() { return rng; }

    @Override
    public Variable forward(Variable x) { return Functional.dropout(x, p, isTraining(), rng); }

    @Override
    public String toString() { return "Dropout(p=" + p + ")"; }
}
