package org.wpunet.nn.autograd;

import org.wpunet.core.DType;
import org.wpunet.core.Shapes;
import org.wpunet.core.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * Differentiable tensor ops. Each op computes its forward with core and states its backward rule
 * right beside it, in one place (g is the gradient of the output; a rule returns one gradient per
 * input, of the input's shape or broadcast from it: {@link GradReduce} sums broadcast dims back).
 * Composite ops (variance, stack, split) are built from these and get their gradients for free.
 * Neural-network ops (convolution, pooling, batch norm, dropout) are in {@link Functional}.
 */
public final class Ops {
    private Ops() {}

    /**
     * Wraps an op's output: records a node when grad mode is on and some input requires grad, else
     * returns a constant and closes the tensors only the rule would have used.
     */
    static Variable record(String op, Tensor out, Variable[] inputs, Node.BackwardRule rule, Tensor... privateSaved) {
        return record(op, Node.Reads.INPUTS_AND_OUTPUT, out, inputs, rule, privateSaved);
    }

    /**
     * {@link #record} for a rule that reads only what {@code reads} says of the input and output
     * values (the rest may be closed before it runs when they are graph-owned, see {@link TransientScope}).
     */
    static Variable record(String op, Node.Reads reads, Tensor out, Variable[] inputs, Node.BackwardRule rule,
                           Tensor... privateSaved) {
        boolean any = false;
        for (Variable v : inputs) any |= v.requiresGrad();
        if (!any || !NoGrad.isGradEnabled()) {
            for (Tensor t : privateSaved) if (t != null) t.close();
            return Variable.constant(out);
        }
        Variable y = new Variable(out, true, new Node(op, reads, inputs, rule, List.of(privateSaved)));
        if (reads.inputs) for (Variable v : inputs) v.addSavedUse();
        if (reads.output) y.addSavedUse();
        TransientScope.made(y);
        return y;
    }

    private static Variable[] in(Variable... v) { return v; }

    private static Tensor[] grads(Tensor... g) { return g; }

    // ------------------------------------------------------------------ binary elementwise (broadcasting)
    public static Variable add(Variable a, Variable b) {
        return record("add", Node.Reads.NOTHING, a.value().add(b.value()), in(a, b), (g, n) -> grads(g, g));
    }

    public static Variable sub(Variable a, Variable b) {
        return record("sub", Node.Reads.NOTHING, a.value().sub(b.value()), in(a, b), (g, n) -> grads(g, n[1] ? g.neg() : null));
    }

    /** d(ab) = b da + a db. */
    public static Variable mul(Variable a, Variable b) {
        return record("mul", a.value().mul(b.value()), in(a, b),
                (g, n) -> grads(n[0] ? g.mul(b.value()) : null, n[1] ? g.mul(a.value()) : null));
    }

    /** d(a/b) = da/b - (a/b) db/b. */
    public static Variable div(Variable a, Variable b) {
        Tensor out = a.value().div(b.value());
        return record("div", out, in(a, b), (g, n) -> {
            Tensor ga = n[0] ? g.div(b.value()) : null;
            Tensor gb = null;
            if (n[1]) {
                try (Tensor q = g.mul(out); Tensor r = q.div(b.value())) {
                    gb = r.neg();
                }
            }
            return grads(ga, gb);
        });
    }

    /** d(a^b) = b a^(b-1) da + a^b log(a) db. */
    public static Variable pow(Variable a, Variable b) {
        Tensor out = a.value().pow(b.value());
        return record("pow", out, in(a, b), (g, n) -> {
            Tensor ga = null, gb = null;
            if (n[0]) {
                try (Tensor bm1 = b.value().sub(1); Tensor p = a.value().pow(bm1); Tensor q = p.mul(b.value())) {
                    ga = g.mul(q);
                }
            }
            if (n[1]) {
                try (Tensor la = a.value().log(); Tensor q = out.mul(la)) {
                    gb = g.mul(q);
                }
            }
            return grads(ga, gb);
        });
    }

    /** The gradient goes to the larger input; ties split it evenly (as PyTorch). */
    public static Variable maximum(Variable a, Variable b) { return extremum("maximum", a, b, true); }

    public static Variable minimum(Variable a, Variable b) { return extremum("minimum", a, b, false); }

    private static Variable extremum(String op, Variable a, Variable b, boolean max) {
        Tensor out = max ? a.value().maximum(b.value()) : a.value().minimum(b.value());
        return record(op, out, in(a, b), (g, n) -> {
            try (Tensor aWins = max ? a.value().gt(b.value()) : a.value().lt(b.value());
                 Tensor tie = a.value().eq(b.value()); Tensor half = tie.to(g.dtype()); Tensor halfTie = half.mul(0.5);
                 Tensor wa = aWins.add(halfTie); Tensor wb = wa.rsub(1)) {
                return grads(n[0] ? g.mul(wa) : null, n[1] ? g.mul(wb) : null);
            }
        });
    }

    /** Elementwise choice cond ? a : b (cond is a constant mask); gradients routed by the mask. */
    public static Variable where(Tensor cond, Variable a, Variable b) {
        Tensor out = Tensor.where(cond, a.value(), b.value());
        return record("where", out, in(a, b), (g, n) -> {
            try (Tensor zero = Tensor.full(g.device(), g.dtype(), 0)) {
                return grads(n[0] ? Tensor.where(cond, g, zero) : null, n[1] ? Tensor.where(cond, zero, g) : null);
            }
        });
    }

    // ------------------------------------------------------------------ with a scalar
    public static Variable add(Variable x, double s) {
        return record("add_scalar", Node.Reads.NOTHING, x.value().add(s), in(x), (g, n) -> grads(g));
    }

    public static Variable mul(Variable x, double s) {
        return record("mul_scalar", Node.Reads.NOTHING, x.value().mul(s), in(x), (g, n) -> grads(g.mul(s)));
    }

    /** s - x. */
    public static Variable rsub(Variable x, double s) {
        return record("rsub_scalar", Node.Reads.NOTHING, x.value().rsub(s), in(x), (g, n) -> grads(g.neg()));
    }

    /** s / x; d = -s/x^2 = -out/x. */
    public static Variable rdiv(Variable x, double s) {
        Tensor out = x.value().rdiv(s);
        return record("rdiv_scalar", out, in(x), (g, n) -> {
            try (Tensor q = out.div(x.value()); Tensor r = g.mul(q)) {
                return grads(r.neg());
            }
        });
    }

    /** x^s; d = s x^(s-1). */
    public static Variable pow(Variable x, double s) {
        return record("pow_scalar", x.value().pow(s), in(x), (g, n) -> {
            try (Tensor p = x.value().pow(s - 1); Tensor q = p.mul(s)) {
                return grads(g.mul(q));
            }
        });
    }

    // ------------------------------------------------------------------ unary
    public static Variable neg(Variable x) { return record("neg", Node.Reads.NOTHING, x.value().neg(), in(x), (g, n) -> grads(g.neg())); }

    /** d|x| = sign(x) (0 at 0, as PyTorch). */
    public static Variable abs(Variable x) {
        return record("abs", x.value().abs(), in(x), (g, n) -> {
            try (Tensor s = x.value().sign()) {
                return grads(g.mul(s));
            }
        });
    }

    public static Variable exp(Variable x) {
        Tensor out = x.value().exp();
        return record("exp", out, in(x), (g, n) -> grads(g.mul(out)));
    }

    public static Variable log(Variable x) {
        return record("log", x.value().log(), in(x), (g, n) -> grads(g.div(x.value())));
    }

    /** d sqrt(x) = 1 / (2 sqrt(x)). */
    public static Variable sqrt(Variable x) {
        Tensor out = x.value().sqrt();
        return record("sqrt", out, in(x), (g, n) -> {
            try (Tensor q = g.div(out)) {
                return grads(q.mul(0.5));
            }
        });
    }

    /** Gradient passes where x > 0 (0 at 0, as PyTorch). */
    public static Variable relu(Variable x) {
        Tensor out = x.value().relu();
        return record("relu", out, in(x), (g, n) -> {
            try (Tensor m = out.gt(0)) {
                return grads(g.mul(m));
            }
        });
    }

    /** d sigmoid = s (1 - s). */
    public static Variable sigmoid(Variable x) {
        Tensor out = x.value().sigmoid();
        return record("sigmoid", out, in(x), (g, n) -> {
            try (Tensor one = out.rsub(1); Tensor d = out.mul(one)) {
                return grads(g.mul(d));
            }
        });
    }

    /** d tanh = 1 - t^2. */
    public static Variable tanh(Variable x) {
        Tensor out = x.value().tanh();
        return record("tanh", out, in(x), (g, n) -> {
            try (Tensor sq = out.square(); Tensor d = sq.rsub(1)) {
                return grads(g.mul(d));
            }
        });
    }

    public static Variable square(Variable x) {
        return record("square", x.value().square(), in(x), (g, n) -> {
            try (Tensor d = x.value().mul(2)) {
                return grads(g.mul(d));
            }
        });
    }

    /** d(1/x) = -1/x^2. */
    public static Variable reciprocal(Variable x) {
        Tensor out = x.value().reciprocal();
        return record("reciprocal", out, in(x), (g, n) -> {
            try (Tensor sq = out.square(); Tensor d = g.mul(sq)) {
                return grads(d.neg());
            }
        });
    }

    /** Gradient passes where lo <= x <= hi (as PyTorch). */
    public static Variable clamp(Variable x, double lo, double hi) {
        return record("clamp", x.value().clamp(lo, hi), in(x), (g, n) -> {
            try (Tensor a = x.value().ge(lo); Tensor b = x.value().le(hi); Tensor m = a.mul(b)) {
                return grads(g.mul(m));
            }
        });
    }

    // ------------------------------------------------------------------ reductions
    public static Variable sum(Variable x) { return sum(x, false); }

    /** Sum over dims (all when none given); the gradient is g broadcast back. */
    public static Variable sum(Variable x, boolean keepdim, int... dims) {
        int[] xs = x.shape();
        int[] ds = Shapes.dims(dims, xs.length);
        return record("sum", Node.Reads.NOTHING, x.value().sum(keepdim, ds), in(x), (g, n) -> grads(expandBack(g, xs, ds, keepdim)));
    }

    public static Variable mean(Variable x) { return mean(x, false); }

    public static Variable mean(Variable x, boolean keepdim, int... dims) {
        int[] xs = x.shape();
        int[] ds = Shapes.dims(dims, xs.length);
        long count = 1;
        for (int d : ds) count *= xs[d];
        double inv = 1.0 / count;
        return record("mean", Node.Reads.NOTHING, x.value().mean(keepdim, ds), in(x), (g, n) -> {
            try (Tensor s = g.mul(inv)) {
                return grads(expandBack(s, xs, ds, keepdim));
            }
        });
    }

    /** Max over dims; the gradient is shared evenly among the maximal elements (as torch.amax). */
    public static Variable max(Variable x, boolean keepdim, int... dims) { return extremeOver("max", x, keepdim, dims); }

    public static Variable min(Variable x, boolean keepdim, int... dims) { return extremeOver("min", x, keepdim, dims); }

    private static Variable extremeOver(String op, Variable x, boolean keepdim, int[] dims) {
        int[] xs = x.shape();
        int[] ds = Shapes.dims(dims, xs.length);
        boolean isMax = op.equals("max");
        Tensor out = isMax ? x.value().max(keepdim, ds) : x.value().min(keepdim, ds);
        return record(op, out, in(x), (g, n) -> {
            try (Tensor ok = keptShape(out, xs, ds, keepdim); Tensor hit = x.value().eq(ok); Tensor hf = hit.to(g.dtype());
                 Tensor cnt = hf.sum(true, ds); Tensor gk = keptShape(g, xs, ds, keepdim); Tensor share = gk.div(cnt)) {
                return grads(hf.mul(share));
            }
        });
    }

    /** Variance as the mean of squared deviations (unbiased: times n/(n-1)); composite. */
    public static Variable variance(Variable x, boolean unbiased, boolean keepdim, int... dims) {
        int[] ds = Shapes.dims(dims, x.rank());
        long count = 1;
        for (int d : ds) count *= x.size(d);
        Variable m = mean(x, true, ds);
        Variable c = sub(x, m);
        Variable sq = square(c);
        Variable s = sum(sq, keepdim, ds);
        return mul(s, 1.0 / Math.max(0, count - (unbiased ? 1 : 0)));
    }

    /** g of a reduced output, reshaped to keepdim form and broadcast to the input shape (a view). */
    private static Tensor expandBack(Tensor g, int[] xs, int[] ds, boolean keepdim) {
        try (Tensor k = keptShape(g, xs, ds, keepdim)) {
            return k.expand(xs);
        }
    }

    private static Tensor keptShape(Tensor t, int[] xs, int[] ds, boolean keepdim) {
        if (keepdim) return t.reshape(t.shape());
        int[] s = xs.clone();
        for (int d : ds) s[d] = 1;
        return t.reshape(s);
    }

    /** softmax: dx = y (g - sum(g y)). */
    public static Variable softmax(Variable x, int dim) {
        Tensor y = x.value().softmax(dim);
        return record("softmax", y, in(x), (g, n) -> {
            try (Tensor gy = g.mul(y); Tensor s = gy.sum(true, dim); Tensor d = g.sub(s)) {
                return grads(y.mul(d));
            }
        });
    }

    /** log-softmax: dx = g - softmax(x) sum(g). */
    public static Variable logSoftmax(Variable x, int dim) {
        Tensor y = x.value().logSoftmax(dim);
        return record("log_softmax", y, in(x), (g, n) -> {
            try (Tensor p = y.exp(); Tensor s = g.sum(true, dim); Tensor ps = p.mul(s)) {
                return grads(g.sub(ps));
            }
        });
    }

    // ------------------------------------------------------------------ matmul
    /**
     * Matrix product with NumPy semantics. 1-D operands become matrices through (differentiable)
     * reshapes; for matrices dA = g B^T and dB = A^T g, summed over broadcast batch dims.
     */
    public static Variable matmul(Variable a, Variable b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul needs rank >= 1 operands, got shapes " + Arrays.toString(a.shape())
                    + " and " + Arrays.toString(b.shape()));
        }
        if (a.rank() == 1 || b.rank() == 1) {
            boolean va = a.rank() == 1, vb = b.rank() == 1;
            Variable a2 = va ? unsqueeze(a, 0) : a;
            Variable b2 = vb ? unsqueeze(b, 1) : b;
            Variable r = matmul(a2, b2);
            if (va && vb) return reshape(r);
            return squeeze(r, va ? -2 : -1);
        }
        DType half = Autocast.castFor(a, b);
        if (half != null) return to(matmul(to(a, half), to(b, half)), DType.F32);
        return record("matmul", a.value().matmul(b.value()), in(a, b), (g, n) -> {
            Tensor ga = null, gb = null;
            if (n[0]) {
                try (Tensor bt = b.value().mT()) {
                    ga = g.matmul(bt);
                }
            }
            if (n[1]) {
                try (Tensor at = a.value().mT()) {
                    gb = at.matmul(g);
                }
            }
            return grads(ga, gb);
        });
    }

    // ------------------------------------------------------------------ views and copies
    public static Variable reshape(Variable x, int... shape) {
        int[] xs = x.shape();
        return record("reshape", Node.Reads.NOTHING, x.value().reshape(shape), in(x), (g, n) -> grads(g.reshape(xs)));
    }

    public static Variable flatten(Variable x, int start, int end) {
        int[] xs = x.shape();
        return record("flatten", Node.Reads.NOTHING, x.value().flatten(start, end), in(x), (g, n) -> grads(g.reshape(xs)));
    }

    public static Variable permute(Variable x, int... order) {
        int r = x.rank();
        if (order.length != r) {
            throw new IllegalArgumentException("permute order " + Arrays.toString(order) + " does not match rank " + r);
        }
        int[] inverse = new int[r];
        for (int i = 0; i < r; i++) inverse[Shapes.dim(order[i], r)] = i;
        return record("permute", Node.Reads.NOTHING, x.value().permute(order), in(x), (g, n) -> grads(g.permute(inverse)));
    }

    public static Variable transpose(Variable x, int d0, int d1) {
        return record("transpose", Node.Reads.NOTHING, x.value().transpose(d0, d1), in(x), (g, n) -> grads(g.transpose(d0, d1)));
    }

    /** The gradient is g placed into zeros at the narrowed range. */
    public static Variable narrow(Variable x, int dim, int start, int length) {
        int[] xs = x.shape();
        return record("narrow", Node.Reads.NOTHING, x.value().narrow(dim, start, length), in(x), (g, n) -> {
            Tensor z = Tensor.zeros(g.device(), g.dtype(), xs);
            try (Tensor part = z.narrow(dim, start, length)) {
                part.assign(g);
            }
            return grads(z);
        });
    }

    public static Variable slice(Variable x, int dim, int start, int end, int step) {
        int[] xs = x.shape();
        return record("slice", Node.Reads.NOTHING, x.value().slice(dim, start, end, step), in(x), (g, n) -> {
            Tensor z = Tensor.zeros(g.device(), g.dtype(), xs);
            try (Tensor part = z.slice(dim, start, end, step)) {
                part.assign(g);
            }
            return grads(z);
        });
    }

    /** Broadcast view; {@link GradReduce} sums the gradient back. */
    public static Variable expand(Variable x, int... shape) {
        return record("expand", Node.Reads.NOTHING, x.value().expand(shape), in(x), (g, n) -> grads(g));
    }

    public static Variable unsqueeze(Variable x, int dim) {
        int[] xs = x.shape();
        return record("unsqueeze", Node.Reads.NOTHING, x.value().unsqueeze(dim), in(x), (g, n) -> grads(g.reshape(xs)));
    }

    public static Variable squeeze(Variable x, int... dims) {
        int[] xs = x.shape();
        return record("squeeze", Node.Reads.NOTHING, x.value().squeeze(dims), in(x), (g, n) -> grads(g.reshape(xs)));
    }

    public static Variable contiguous(Variable x) {
        return record("contiguous", Node.Reads.NOTHING, x.value().contiguous(), in(x), (g, n) -> grads(g));
    }

    /** dtype conversion; the gradient is converted back (by the engine). */
    public static Variable to(Variable x, DType dt) {
        return record("to", Node.Reads.NOTHING, x.value().to(dt), in(x), (g, n) -> grads(g));
    }

    /** Concatenation; each input's gradient is its slice of g. */
    public static Variable concat(int dim, Variable... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("concat of no variables");
        Tensor[] vs = new Tensor[xs.length];
        for (int i = 0; i < xs.length; i++) vs[i] = xs[i].value();
        int d = Shapes.dim(dim, xs[0].rank());
        int[] sizes = new int[xs.length];
        for (int i = 0; i < xs.length; i++) sizes[i] = xs[i].size(d);
        return record("concat", Node.Reads.NOTHING, Tensor.concat(dim, vs), xs.clone(), (g, n) -> {
            Tensor[] out = new Tensor[sizes.length];
            int at = 0;
            for (int i = 0; i < sizes.length; i++) {
                if (n[i]) out[i] = g.narrow(d, at, sizes[i]);
                at += sizes[i];
            }
            return out;
        });
    }

    /** Stack along a new dim (composite: unsqueeze + concat). */
    public static Variable stack(int dim, Variable... xs) {
        if (xs.length == 0) throw new IllegalArgumentException("stack of no variables");
        Variable[] us = new Variable[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!Arrays.equals(xs[i].shape(), xs[0].shape())) {
                throw new IllegalArgumentException("stack: shapes " + Arrays.toString(xs[0].shape()) + " and "
                        + Arrays.toString(xs[i].shape()) + " differ");
            }
            us[i] = unsqueeze(xs[i], dim);
        }
        return concat(dim, us);
    }

    /** Pieces of {@code size} along dim (composite: narrows). */
    public static Variable[] split(Variable x, int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split size must be > 0, got " + size);
        int d = Shapes.dim(dim, x.rank());
        int total = x.size(d);
        int k = Math.max(1, (total + size - 1) / size);
        Variable[] out = new Variable[k];
        for (int i = 0; i < k; i++) out[i] = narrow(x, d, i * size, Math.min(size, total - i * size));
        return out;
    }

    /** Entries at a 1-D index along dim; the gradient is scatter-added back (repeats accumulate). */
    public static Variable indexSelect(Variable x, int dim, Tensor index) {
        int[] xs = x.shape();
        int d = Shapes.dim(dim, xs.length);
        return record("index_select", x.value().indexSelect(d, index), in(x), (g, n) -> {
            int[] view = new int[xs.length];
            Arrays.fill(view, 1);
            view[d] = index.numel();
            try (Tensor iv = index.reshape(view); Tensor ie = iv.expand(g.shape())) {
                return grads(Tensor.scatterAdd(xs, d, ie, g));
            }
        });
    }

    /** torch.gather; the gradient is scatter-added back. */
    public static Variable gather(Variable x, int dim, Tensor index) {
        int[] xs = x.shape();
        int d = Shapes.dim(dim, xs.length);
        return record("gather", Node.Reads.NOTHING, x.value().gather(d, index), in(x), (g, n) -> grads(Tensor.scatterAdd(xs, d, index, g)));
    }

    /** Adjoint of gather: zeros of {@code shape} with src added at index along dim; the gradient of src is g gathered back. */
    public static Variable scatterAdd(int[] shape, int dim, Tensor index, Variable src) {
        int d = Shapes.dim(dim, shape.length);
        return record("scatter_add", Tensor.scatterAdd(shape, d, index, src.value()), in(src),
                (g, n) -> grads(g.gather(d, index)));
    }

    /** A compact copy with its own storage; the gradient passes through. */
    public static Variable copy(Variable x) {
        return record("copy", Node.Reads.NOTHING, x.value().copy(), in(x), (g, n) -> grads(g));
    }

    /** {@code chunks} nearly equal pieces along dim, like torch.chunk (composite: narrows). */
    public static Variable[] chunk(Variable x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunks must be > 0, got " + chunks);
        int n = x.size(Shapes.dim(dim, x.rank()));
        return split(x, Math.max(1, (n + chunks - 1) / chunks), dim);
    }
}
