package org.wpunet.nn.module;

import org.wpunet.nn.autograd.Variable;

/** Children applied in order, named "0", "1", ... as in PyTorch's nn.Sequential. */
public final class Sequential extends Layer {
    private int count;

    public Sequential(Layer... modules) { for (Layer m : modules) add(m); }

    public Sequential add(Layer m) {
        registerModule(Integer.toString(count++), m);
        return this;
    }

    public Layer get(int i) {
        Layer m = namedChildren().get(Integer.toString(i));
        if (m == null) throw new IndexOutOfBoundsException("Sequential has " + count + " modules, asked for " + i);
        return m;
    }

    public int size() { return count; }

    @Override
    public Variable forward(Variable x) {
        Variable y = x;
        for (Layer m : namedChildren().values()) y = m.forward(y);
        return y;
    }
}
