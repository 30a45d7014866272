package org.wpunet.core;

import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An n-dimensional array on a device: a {@link Storage} seen through a {@link Layout}. Views
 * (reshape, permute, narrow, expand, ...) share the storage; everything else makes a new tensor.
 *
 * <p>Ownership: a tensor is {@link AutoCloseable}; closing frees its reference to the storage (the
 * memory goes when the last view is closed). Closing twice is harmless; using a closed tensor
 * throws {@link IllegalStateException}. Tensors created while a {@link Scope} is open belong to it.
 *
 * <p>Ops dispatch on the device of their inputs; mixing devices is an error naming both.
 */
public final class Tensor implements AutoCloseable {
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong COLLECTED_UNCLOSED = new AtomicLong();
    /** Safety net only: releases the storage of a tensor that was never closed once it is unreachable. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Storage storage;
    private final Layout layout;
    private volatile boolean closed;
    private final Release release;
    private final Cleaner.Cleanable cleanable;
    Scope scope;

    private Tensor(Storage storage, Layout layout) {
        this.storage = storage;
        this.layout = layout;
        LIVE.incrementAndGet();
        this.release = new Release(storage);
        this.cleanable = CLEANER.register(this, release);
        Scope.register(this);
    }

    /**
     * Drops one storage reference, exactly once: from {@link #close()} or, for a tensor that was never
     * closed, from the Cleaner after the tensor became unreachable. Holds no reference to the tensor.
     */
    private static final class Release implements Runnable {
        private final Storage storage;
        volatile boolean byClose;

        Release(Storage storage) { this.storage = storage; }

        @Override
        public void run() {
            if (!byClose) COLLECTED_UNCLOSED.incrementAndGet();
            storage.release(byClose);
        }
    }

    /** Wraps a fresh storage (its single reference moves to the tensor). For backends and extensions. */
    public static Tensor wrap(Storage s, Layout l) { return new Tensor(s, l); }

    private Tensor view(Layout l) {
        storage.retain();
        return new Tensor(storage, l);
    }

    /** Number of tensors not yet closed, over the whole JVM (leak checks in tests). */
    public static long liveCount() { return LIVE.get(); }

    /**
     * Number of tensors that were garbage-collected without being closed (their storage was then
     * released by the Cleaner safety net). Non-zero means a leak in the caller's ownership.
     */
    public static long collectedUnclosedCount() { return COLLECTED_UNCLOSED.get(); }

    // ------------------------------------------------------------------ creation
    public static Tensor zeros(int... shape) { return zeros(Device.CPU, DType.F32, shape); }

    public static Tensor zeros(DType dt, int... shape) { return zeros(Device.CPU, dt, shape); }

    public static Tensor zeros(Device d, DType dt, int... shape) {
        return wrap(Backends.get(d).zeros(dt, Shapes.numel(shape)), Layout.contiguous(shape));
    }

    /**
     * A tensor with unspecified contents ({@code torch.empty}; zeros on some backends, stale values
     * of a reused buffer on the CPU): only for a caller that writes every element before reading any.
     */
    public static Tensor uninitialized(Device d, DType dt, int... shape) {
        return wrap(Backends.get(d).uninitialized(dt, Shapes.numel(shape)), Layout.contiguous(shape));
    }

    public static Tensor ones(int... shape) { return full(Device.CPU, DType.F32, 1, shape); }

    public static Tensor ones(DType dt, int... shape) { return full(Device.CPU, dt, 1, shape); }

    public static Tensor ones(Device d, DType dt, int... shape) { return full(d, dt, 1, shape); }

    public static Tensor full(Device d, DType dt, double value, int... shape) {
        return wrap(Backends.get(d).full(dt, Shapes.numel(shape), value), Layout.contiguous(shape));
    }

    /** A 0-d F32 tensor on the CPU. */
    public static Tensor scalar(double v) { return full(Device.CPU, DType.F32, v, new int[0]); }

    /** start, start+step, ... below end (F32 unless dt given). */
    public static Tensor arange(Device d, DType dt, double start, double end, double step) {
        if (step == 0 || Double.isNaN(step)) throw new IllegalArgumentException("arange step must be non-zero, got " + step);
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = start + i * step;
        try (Tensor t = of(v, n)) {
            return t.to(d, dt);
        }
    }

    public static Tensor arange(int n) { return arange(Device.CPU, DType.I32, 0, n, 1); }

    public static Tensor of(float[] data, int... shape) { return fromHost(data, data.length, DType.F32, shape); }

    public static Tensor of(double[] data, int... shape) { return fromHost(data, data.length, DType.F64, shape); }

    public static Tensor of(int[] data, int... shape) { return fromHost(data, data.length, DType.I32, shape); }

    /** U8 tensor from bytes (values 0..255). */
    public static Tensor ofBytes(byte[] data, int... shape) { return fromHost(data, data.length, DType.U8, shape); }

    private static Tensor fromHost(Object data, int len, DType dt, int[] shape) {
        int n = Shapes.numel(shape);
        if (n != len) {
            throw new IllegalArgumentException("array of " + len + " elements does not fit shape " + Shapes.str(shape)
                    + " (" + n + " elements)");
        }
        return wrap(Backends.get(Device.CPU).fromHost(data, dt), Layout.contiguous(shape));
    }

    public static Tensor zerosLike(Tensor t) { return zeros(t.device(), t.dtype(), t.shape()); }

    public static Tensor onesLike(Tensor t) { return full(t.device(), t.dtype(), 1, t.shape()); }

    public static Tensor fullLike(Tensor t, double v) { return full(t.device(), t.dtype(), v, t.shape()); }

    // ------------------------------------------------------------------ properties
    public int[] shape() { return layout.shape().clone(); }

    public int size(int d) { return layout.size(d); }

    public int rank() { return layout.rank(); }

    public int numel() { return layout.numel(); }

    public DType dtype() { return storage.dtype(); }

    public Device device() { return storage.device(); }

    public Layout layout() { return layout; }

    /** The underlying storage (for backends and extension kernels; checks the tensor is open). */
    public Storage storage() {
        check();
        return storage;
    }

    public boolean isContiguous() { return layout.isContiguous(); }

    public boolean isClosed() { return closed; }

    Backend backend() { return Backends.get(device()); }

    /** Throws when the tensor was closed. */
    public Tensor check() {
        if (closed) throw new IllegalStateException("tensor " + Shapes.str(layout.shape()) + " " + dtype() + " is closed");
        return this;
    }

    private void sameDevice(Tensor o) {
        if (!o.device().equals(device())) {
            throw new IllegalArgumentException("tensors are on different devices: " + device() + " and " + o.device()
                    + " (shapes " + Shapes.str(layout.shape()) + " and " + Shapes.str(o.layout.shape()) + ")");
        }
    }

    // ------------------------------------------------------------------ copies and conversion
    /** A compact tensor (itself as a new view when already compact). */
    public Tensor contiguous() {
        check();
        if (layout.isCompact()) return view(layout);
        return wrap(backend().copy(storage, layout, dtype()), Layout.contiguous(layout.shape()));
    }

    /** A compact copy with its own storage. */
    public Tensor copy() {
        check();
        return wrap(backend().copy(storage, layout, dtype()), Layout.contiguous(layout.shape()));
    }

    public Tensor to(DType dt) {
        check();
        if (dt == dtype()) return view(layout);
        return wrap(backend().copy(storage, layout, dt), Layout.contiguous(layout.shape()));
    }

    public Tensor to(Device d) {
        check();
        if (d.equals(device())) return view(layout);
        Object host = backend().toHost(storage, layout);
        return wrap(Backends.get(d).fromHost(host, dtype()), Layout.contiguous(layout.shape()));
    }

    public Tensor to(Device d, DType dt) {
        try (Tensor t = to(d)) {
            return t.to(dt);
        }
    }

    /** Elements in row-major order as floats (converting). */
    public float[] toFloatArray() {
        Object a = host(DType.F32);
        return (float[]) a;
    }

    public double[] toDoubleArray() { return (double[]) host(DType.F64); }

    public int[] toIntArray() { return (int[]) host(DType.I32); }

    /** U8 elements (other dtypes are converted, saturating is not applied: values must fit). */
    public byte[] toByteArray() { return (byte[]) host(DType.U8); }

    private Object host(DType want) {
        check();
        if (dtype() == want) return backend().toHost(storage, layout);
        try (Tensor t = to(want)) {
            return t.backend().toHost(t.storage, t.layout);
        }
    }

    /** The single element of a one-element tensor. */
    public double item() {
        check();
        if (numel() != 1) throw new IllegalArgumentException("item() needs exactly one element, shape is " + Shapes.str(layout.shape()));
        return toDoubleArray()[0];
    }

    /**
     * Copies {@code src} (broadcast to this shape) into this tensor, in place. Like PyTorch's
     * {@code copy_}, the source may live on another device (a checkpoint read on the CPU restores a
     * model on the GPU); it is transferred first. Also like {@code copy_}, a destination whose elements
     * share memory (an expanded view) and a source overlapping it in other positions are refused.
     */
    public Tensor assign(Tensor src) {
        check();
        src.check();
        WriteTargets.checkDestination(layout, "assign");
        if (!src.device().equals(device())) {
            try (Tensor moved = src.to(device())) {
                return assign(moved);
            }
        }
        Layout sl = src.layout.expand(layout.shape());
        if (src.storage == storage) WriteTargets.checkNoPartialOverlap(sl, layout, "assign");
        if (src.dtype() != dtype()) {
            try (Tensor c = src.to(dtype())) {
                backend().copyInto(c.storage, c.layout.expand(layout.shape()), storage, layout);
            }
        } else {
            backend().copyInto(src.storage, sl, storage, layout);
        }
        return this;
    }

    /**
     * this += src (broadcast to this shape), in place. Like PyTorch's {@code add_}, refuses a destination
     * whose elements share memory (an expanded view) and a source overlapping it in other positions.
     */
    public Tensor addInPlace(Tensor src) {
        check();
        src.check();
        sameDevice(src);
        WriteTargets.checkDestination(layout, "addInPlace");
        if (src.storage == storage) WriteTargets.checkNoPartialOverlap(src.layout.expand(layout.shape()), layout, "addInPlace");
        if (src.dtype() != dtype()) {
            try (Tensor c = src.to(dtype())) {
                backend().addInto(c.storage, c.layout.expand(layout.shape()), storage, layout);
            }
        } else {
            backend().addInto(src.storage, src.layout.expand(layout.shape()), storage, layout);
        }
        return this;
    }

    /** Fills with a value, in place. */
    public Tensor fill(double v) {
        try (Tensor f = full(device(), dtype(), v)) {
            return assign(f);
        }
    }

    // ------------------------------------------------------------------ views
    /** Reshape; one dim may be -1. A view when the strides allow it, else a copy. */
    public Tensor reshape(int... newShape) {
        check();
        int[] s = inferShape(newShape);
        Layout v = layout.reshapeView(s);
        if (v != null) return view(v);
        try (Tensor c = contiguous()) {
            return c.view(c.layout.reshapeView(s));
        }
    }

    private int[] inferShape(int[] newShape) {
        int n = numel(), known = 1, infer = -1;
        int[] s = newShape.clone();
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("only one -1 allowed in shape " + Arrays.toString(newShape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("negative size in shape " + Arrays.toString(newShape));
            } else known *= s[i];
        }
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException("cannot reshape " + Shapes.str(layout.shape()) + " (" + n + " elements) to "
                        + Arrays.toString(newShape));
            }
            s[infer] = n / known;
        }
        if (Shapes.numel(s) != n) {
            throw new IllegalArgumentException("cannot reshape " + Shapes.str(layout.shape()) + " (" + n + " elements) to "
                    + Arrays.toString(newShape) + " (" + Shapes.numel(s) + " elements)");
        }
        return s;
    }

    /** Flattens dims start..end (inclusive) into one. */
    public Tensor flatten(int start, int end) {
        int r = rank();
        if (r == 0) return reshape(1);
        int a = Shapes.dim(start, r), b = Shapes.dim(end, r);
        if (a > b) throw new IllegalArgumentException("flatten start dim " + start + " is after end dim " + end);
        int[] s = layout.shape();
        int[] ns = new int[r - (b - a)];
        int k = 0, m = 1;
        for (int i = 0; i < r; i++) {
            if (i < a || i > b) ns[k++] = s[i];
            else {
                m *= s[i];
                if (i == b) ns[k++] = m;
            }
        }
        return reshape(ns);
    }

    public Tensor permute(int... order) { check(); return view(layout.permute(order)); }

    public Tensor transpose(int d0, int d1) { check(); return view(layout.transpose(d0, d1)); }

    /** Transpose of the last two dims. */
    public Tensor mT() {
        if (rank() < 2) throw new IllegalArgumentException("mT needs rank >= 2, shape is " + Shapes.str(layout.shape()));
        return transpose(-2, -1);
    }

    public Tensor narrow(int dim, int start, int length) { check(); return view(layout.narrow(dim, start, length)); }

    public Tensor slice(int dim, int start, int end, int step) { check(); return view(layout.slice(dim, start, end, step)); }

    public Tensor expand(int... shape) { check(); return view(layout.expand(shape)); }

    public Tensor expandAs(Tensor o) { return expand(o.layout.shape()); }

    public Tensor unsqueeze(int dim) { check(); return view(layout.unsqueeze(dim)); }

    public Tensor squeeze(int... dims) { check(); return view(layout.squeeze(dims)); }

    /** Concatenates along dim; all other sizes must agree. */
    public static Tensor concat(int dim, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("concat of no tensors");
        Tensor f = ts[0].check();
        int r = f.rank();
        int d = Shapes.dim(dim, r);
        int[] out = f.layout.shape();
        int total = 0;
        DType dt = f.dtype();
        for (Tensor t : ts) {
            t.check();
            f.sameDevice(t);
            int[] s = t.layout.shape();
            if (s.length != r) throw new IllegalArgumentException("concat: ranks differ: " + Shapes.str(out) + " and " + Shapes.str(s));
            for (int i = 0; i < r; i++) {
                if (i != d && s[i] != out[i]) {
                    throw new IllegalArgumentException("concat along dim " + dim + ": shapes " + Shapes.str(out) + " and "
                            + Shapes.str(s) + " differ in dim " + i);
                }
            }
            total += s[d];
            dt = DType.promote(dt, t.dtype());
        }
        out[d] = total;
        Tensor res = zeros(f.device(), dt, out);
        int at = 0;
        for (Tensor t : ts) {
            int len = t.size(d);
            if (len > 0) {
                try (Tensor dst = res.narrow(d, at, len)) {
                    dst.assign(t);
                }
            }
            at += len;
        }
        return res;
    }

    /** Stacks equal-shaped tensors along a new dim. */
    public static Tensor stack(int dim, Tensor... ts) {
        if (ts.length == 0) throw new IllegalArgumentException("stack of no tensors");
        Tensor[] us = new Tensor[ts.length];
        try {
            for (int i = 0; i < ts.length; i++) {
                if (!Arrays.equals(ts[i].check().layout.shape(), ts[0].layout.shape())) {
                    throw new IllegalArgumentException("stack: shapes " + Shapes.str(ts[0].layout.shape()) + " and "
                            + Shapes.str(ts[i].layout.shape()) + " differ");
                }
                us[i] = ts[i].unsqueeze(dim);
            }
            return concat(dim, us);
        } finally {
            for (Tensor u : us) if (u != null) u.close();
        }
    }

    /** Splits into pieces of {@code size} along dim (the last may be smaller); views. */
    public Tensor[] split(int size, int dim) {
        if (size <= 0) throw new IllegalArgumentException("split size must be > 0, got " + size);
        int d = Shapes.dim(dim, rank());
        int n = size(d);
        int k = Math.max(1, (n + size - 1) / size);
        Tensor[] out = new Tensor[k];
        for (int i = 0; i < k; i++) out[i] = narrow(d, i * size, Math.min(size, n - i * size));
        return out;
    }

    /** Splits into {@code chunks} nearly equal pieces along dim (like torch.chunk). */
    public Tensor[] chunk(int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunks must be > 0, got " + chunks);
        int n = size(dim);
        return split(Math.max(1, (n + chunks - 1) / chunks), dim);
    }

    /** Entries at {@code index} (1-D, integer) along dim. */
    public Tensor indexSelect(int dim, Tensor index) {
        check();
        sameDevice(index.check());
        if (index.rank() != 1) throw new IllegalArgumentException("indexSelect needs a 1-D index, got shape " + Shapes.str(index.layout.shape()));
        int d = Shapes.dim(dim, rank());
        try (Tensor idx = index.to(DType.I32); Tensor ic = idx.contiguous()) {
            int[] out = layout.shape();
            out[d] = index.numel();
            return wrap(backend().indexSelect(storage, layout, d, ic.storage, index.numel()), Layout.contiguous(out));
        }
    }

    /** torch.gather: out[..i..] = this[..index[..i..]..] along dim; index has the output shape. */
    public Tensor gather(int dim, Tensor index) {
        check();
        sameDevice(index.check());
        int d = Shapes.dim(dim, rank());
        if (index.rank() != rank()) {
            throw new IllegalArgumentException("gather: index rank " + index.rank() + " != input rank " + rank());
        }
        for (int i = 0; i < rank(); i++) {
            if (i != d && index.size(i) > size(i)) {
                throw new IllegalArgumentException("gather: index shape " + Shapes.str(index.layout.shape())
                        + " exceeds input shape " + Shapes.str(layout.shape()) + " in dim " + i);
            }
        }
        try (Tensor idx = index.to(DType.I32)) {
            return wrap(backend().gather(storage, layout, d, idx.storage, idx.layout), Layout.contiguous(index.layout.shape()));
        }
    }

    /** Adjoint of gather: a zero tensor of {@code shape} with src added at index positions along dim. */
    public static Tensor scatterAdd(int[] shape, int dim, Tensor index, Tensor src) {
        src.check();
        src.sameDevice(index.check());
        int d = Shapes.dim(dim, shape.length);
        if (!Arrays.equals(index.layout.shape(), src.layout.shape())) {
            throw new IllegalArgumentException("scatterAdd: index shape " + Shapes.str(index.layout.shape())
                    + " != src shape " + Shapes.str(src.layout.shape()));
        }
        try (Tensor idx = index.to(DType.I32)) {
            return wrap(src.backend().scatterAdd(shape.clone(), d, idx.storage, idx.layout, src.storage, src.layout, src.dtype()),
                    Layout.contiguous(shape));
        }
    }

    // ------------------------------------------------------------------ elementwise
    private Tensor unary(UnaryOp op) {
        check();
        DType out = op.needsFloat() && !dtype().isFloating() ? DType.F32 : dtype();
        return wrap(backend().unary(op, storage, layout, out), Layout.contiguous(layout.shape()));
    }

    public Tensor neg() { return unary(UnaryOp.NEG); }
    public Tensor abs() { return unary(UnaryOp.ABS); }
    public Tensor exp() { return unary(UnaryOp.EXP); }
    public Tensor log() { return unary(UnaryOp.LOG); }
    public Tensor sqrt() { return unary(UnaryOp.SQRT); }
    public Tensor relu() { return unary(UnaryOp.RELU); }
    public Tensor sigmoid() { return unary(UnaryOp.SIGMOID); }
    public Tensor tanh() { return unary(UnaryOp.TANH); }
    public Tensor sign() { return unary(UnaryOp.SIGN); }
    public Tensor square() { return unary(UnaryOp.SQUARE); }
    public Tensor reciprocal() { return unary(UnaryOp.RECIPROCAL); }

    private Tensor binary(BinaryOp op, Tensor o) {
        check();
        o.check();
        sameDevice(o);
        int[] out = Shapes.broadcast(layout.shape(), o.layout.shape());
        DType dt = DType.promote(dtype(), o.dtype());
        if (op == BinaryOp.DIV && !dt.isFloating()) dt = DType.F32;
        if (op.isComparison()) dt = DType.U8;
        return wrap(backend().binary(op, storage, layout.expand(out), o.storage, o.layout.expand(out), dt),
                Layout.contiguous(out));
    }

    private Tensor binary(BinaryOp op, double s, boolean scalarFirst) {
        check();
        DType dt = dtype();
        boolean integral = s == Math.rint(s) && !Double.isInfinite(s);
        if (!dt.isFloating() && (!integral || op == BinaryOp.DIV || op == BinaryOp.POW && s < 0)) dt = DType.F32;
        if (op.isComparison()) dt = DType.U8;
        return wrap(backend().binaryScalar(op, storage, layout, s, scalarFirst, dt), Layout.contiguous(layout.shape()));
    }

    public Tensor add(Tensor o) { return binary(BinaryOp.ADD, o); }
    public Tensor sub(Tensor o) { return binary(BinaryOp.SUB, o); }
    public Tensor mul(Tensor o) { return binary(BinaryOp.MUL, o); }
    public Tensor div(Tensor o) { return binary(BinaryOp.DIV, o); }
    public Tensor pow(Tensor o) { return binary(BinaryOp.POW, o); }
    public Tensor maximum(Tensor o) { return binary(BinaryOp.MAXIMUM, o); }
    public Tensor minimum(Tensor o) { return binary(BinaryOp.MINIMUM, o); }
    public Tensor eq(Tensor o) { return binary(BinaryOp.EQ, o); }
    public Tensor ne(Tensor o) { return binary(BinaryOp.NE, o); }
    public Tensor lt(Tensor o) { return binary(BinaryOp.LT, o); }
    public Tensor le(Tensor o) { return binary(BinaryOp.LE, o); }
    public Tensor gt(Tensor o) { return binary(BinaryOp.GT, o); }
    public Tensor ge(Tensor o) { return binary(BinaryOp.GE, o); }

    public Tensor add(double s) { return binary(BinaryOp.ADD, s, false); }
    public Tensor sub(double s) { return binary(BinaryOp.SUB, s, false); }
    /** s - this. */
    public Tensor rsub(double s) { return binary(BinaryOp.SUB, s, true); }
    public Tensor mul(double s) { return binary(BinaryOp.MUL, s, false); }
    public Tensor div(double s) { return binary(BinaryOp.DIV, s, false); }
    /** s / this. */
    public Tensor rdiv(double s) { return binary(BinaryOp.DIV, s, true); }
    public Tensor pow(double s) { return binary(BinaryOp.POW, s, false); }
    public Tensor maximum(double s) { return binary(BinaryOp.MAXIMUM, s, false); }
    public Tensor minimum(double s) { return binary(BinaryOp.MINIMUM, s, false); }
    public Tensor eq(double s) { return binary(BinaryOp.EQ, s, false); }
    public Tensor ne(double s) { return binary(BinaryOp.NE, s, false); }
    public Tensor lt(double s) { return binary(BinaryOp.LT, s, false); }
    public Tensor le(double s) { return binary(BinaryOp.LE, s, false); }
    public Tensor gt(double s) { return binary(BinaryOp.GT, s, false); }
    public Tensor ge(double s) { return binary(BinaryOp.GE, s, false); }

    /** min(max(x, lo), hi). */
    public Tensor clamp(double lo, double hi) {
        check();
        if (lo > hi) throw new IllegalArgumentException("clamp: min " + lo + " > max " + hi);
        return wrap(backend().clamp(storage, layout, lo, hi), Layout.contiguous(layout.shape()));
    }

    /** cond != 0 ? a : b, with broadcasting over all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        cond.check(); a.check(); b.check();
        a.sameDevice(b);
        a.sameDevice(cond);
        int[] out = Shapes.broadcast(Shapes.broadcast(cond.layout.shape(), a.layout.shape()), b.layout.shape());
        DType dt = DType.promote(a.dtype(), b.dtype());
        return wrap(a.backend().where(cond.storage, cond.layout.expand(out), a.storage, a.layout.expand(out),
                b.storage, b.layout.expand(out), dt), Layout.contiguous(out));
    }

    // ------------------------------------------------------------------ reductions
    private Tensor reduce(ReduceOp op, int[] dims, boolean keepdim, DType out) {
        check();
        int[] ds = Shapes.dims(dims, rank());
        int[] shape = layout.shape();
        for (int d : ds) {
            if (shape[d] == 0 && op != ReduceOp.SUM && op != ReduceOp.SUM_SQUARES) {
                throw new IllegalArgumentException(op.name().toLowerCase() + " over an empty dim " + d + " of shape " + Shapes.str(shape));
            }
        }
        Storage s = backend().reduce(op, storage, layout, ds, out);
        return wrap(s, Layout.contiguous(reducedShape(shape, ds, keepdim)));
    }

    static int[] reducedShape(int[] shape, int[] ds, boolean keepdim) {
        boolean[] red = new boolean[shape.length];
        for (int d : ds) red[d] = true;
        int k = 0;
        for (int i = 0; i < shape.length; i++) if (keepdim || !red[i]) k++;
        int[] out = new int[k];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (red[i]) { if (keepdim) out[j++] = 1; } else out[j++] = shape[i];
        }
        return out;
    }

    private DType sumType() { return dtype().isFloating() ? dtype() : DType.I32; }

    /** Sum of all elements (0-d). */
    public Tensor sum() { return reduce(ReduceOp.SUM, null, false, sumType()); }

    public Tensor sum(boolean keepdim, int... dims) { return reduce(ReduceOp.SUM, dims, keepdim, sumType()); }

    /**
     * Sum of squares of all elements (the squared L2 norm, 0-d) in {@code out}'s precision; the squares
     * are accumulated in double on every backend and never materialised.
     */
    public Tensor sumSquares(DType out) {
        if (!out.isFloating()) throw new IllegalArgumentException("sumSquares gives a floating result, got " + out);
        return reduce(ReduceOp.SUM_SQUARES, null, false, out);
    }

    public Tensor mean() { return mean(false); }

    public Tensor mean(boolean keepdim, int... dims) {
        int[] ds = Shapes.dims(dims, rank());
        long n = 1;
        for (int d : ds) n *= size(d);
        DType dt = dtype().isFloating() ? dtype() : DType.F32;
        try (Tensor s = reduce(ReduceOp.SUM, ds, keepdim, dt)) {
            return s.div(n);
        }
    }

    public Tensor max() { return reduce(ReduceOp.MAX, null, false, dtype()); }

    public Tensor max(boolean keepdim, int... dims) { return reduce(ReduceOp.MAX, dims, keepdim, dtype()); }

    public Tensor min() { return reduce(ReduceOp.MIN, null, false, dtype()); }

    public Tensor min(boolean keepdim, int... dims) { return reduce(ReduceOp.MIN, dims, keepdim, dtype()); }

    /** Index (I32) of the first maximum along dim. */
    public Tensor argmax(int dim, boolean keepdim) { return reduce(ReduceOp.ARGMAX, new int[]{dim}, keepdim, DType.I32); }

    public Tensor argmin(int dim, boolean keepdim) { return reduce(ReduceOp.ARGMIN, new int[]{dim}, keepdim, DType.I32); }

    /** Variance over dims; unbiased divides by n-1 (Bessel), else by n. */
    public Tensor variance(boolean unbiased, boolean keepdim, int... dims) {
        int[] ds = Shapes.dims(dims, rank());
        long n = 1;
        for (int d : ds) n *= size(d);
        try (Tensor x = dtype().isFloating() ? view(layout) : to(DType.F32);
             Tensor m = x.mean(true, ds); Tensor c = x.sub(m); Tensor sq = c.square();
             Tensor s = sq.sum(keepdim, ds)) {
            return s.div(Math.max(0, n - (unbiased ? 1 : 0)));
        }
    }

    /** Numerically stable softmax over dim (max subtracted). */
    public Tensor softmax(int dim) { return softmax(dim, false); }

    /** log-softmax over dim: x - max - log(sum(exp(x - max))). */
    public Tensor logSoftmax(int dim) { return softmax(dim, true); }

    private Tensor softmax(int dim, boolean log) {
        check();
        if (!dtype().isFloating()) throw new IllegalArgumentException("softmax needs a floating tensor, got " + dtype());
        int d = Shapes.dim(dim, rank());
        try (Tensor c = contiguous()) {
            return wrap(backend().softmax(c.storage, c.layout.shape(), d, log), Layout.contiguous(layout.shape()));
        }
    }

    // ------------------------------------------------------------------ matmul
    /**
     * Matrix product with NumPy semantics: 1-D operands are promoted to a matrix and the added dim
     * removed afterwards; leading (batch) dims broadcast.
     */
    public Tensor matmul(Tensor o) {
        check();
        o.check();
        sameDevice(o);
        if (rank() == 0 || o.rank() == 0) throw new IllegalArgumentException("matmul needs rank >= 1 operands, got shapes "
                + Shapes.str(layout.shape()) + " and " + Shapes.str(o.layout.shape()));
        boolean vecA = rank() == 1, vecB = o.rank() == 1;
        try (Tensor a = vecA ? unsqueeze(0) : view(layout); Tensor b = vecB ? o.unsqueeze(1) : o.view(o.layout)) {
            int[] as = a.layout.shape(), bs = b.layout.shape();
            int m = as[as.length - 2], k = as[as.length - 1], k2 = bs[bs.length - 2], n = bs[bs.length - 1];
            if (k != k2) {
                throw new IllegalArgumentException("matmul: shapes " + Shapes.str(layout.shape()) + " and "
                        + Shapes.str(o.layout.shape()) + " do not align (" + k + " != " + k2 + ")");
            }
            int[] batch = Shapes.broadcast(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
            int nb = Shapes.numel(batch);
            DType dt = DType.promote(a.dtype(), b.dtype());
            if (!dt.isFloating()) throw new IllegalArgumentException("matmul needs floating tensors, got " + a.dtype() + " and " + b.dtype());
            Operand pa = operand(a, batch, m, k, dt), pb = operand(b, batch, k, n, dt);
            try {
                Storage s = backend().matmul(pa.t.storage, pa.batchStride, pa.trans, pb.t.storage, pb.batchStride, pb.trans,
                        nb, m, n, k, dt);
                int[] out = Arrays.copyOf(batch, batch.length + 2);
                out[batch.length] = m;
                out[batch.length + 1] = n;
                Tensor r = wrap(s, Layout.contiguous(out));
                if (vecA || vecB) {
                    try (Tensor rr = r) {
                        return vecA && vecB ? rr.reshape() : rr.squeeze(vecA ? -2 : -1);
                    }
                }
                return r;
            } finally {
                pa.t.close();
                pb.t.close();
            }
        }
    }

    private record Operand(Tensor t, int batchStride, boolean trans) {}

    /**
     * Brings a [batch..., r, c] operand into a compact [B, r, c] (or transposed [B, c, r]) storage with a
     * batch stride (0 when the operand is broadcast over the batch), avoiding copies where possible.
     */
    private static Operand operand(Tensor x, int[] batch, int r, int c, DType dt) {
        int[] s = x.layout.shape();
        int xb = Shapes.numel(Arrays.copyOf(s, s.length - 2));
        boolean broadcastBatch = xb == 1;
        try (Tensor cast = x.dtype() == dt ? x.view(x.layout) : x.to(dt)) {
            Tensor m3 = null;
            if (broadcastBatch) m3 = cast.reshape(1, r, c);
            else {
                int[] full = Arrays.copyOf(batch, batch.length + 2);
                full[batch.length] = r;
                full[batch.length + 1] = c;
                try (Tensor e = cast.expand(full)) {
                    m3 = e.reshape(-1, r, c);
                }
            }
            try (Tensor m = m3) {
                Layout l = m.layout;
                int[] st = l.strides();
                int nb = l.shape()[0];
                // transposed compact: [B, c, r] storage seen as [B, r, c]
                if (l.offset() == 0 && st[1] == 1 && st[2] == r && (nb == 1 || st[0] == r * c)) {
                    return new Operand(m.view(l), broadcastBatch ? 0 : r * c, true);
                }
                Tensor cc = m.contiguous();
                return new Operand(cc, broadcastBatch ? 0 : r * c, false);
            }
        }
    }

    // ------------------------------------------------------------------ lifecycle
    @Override
    public void close() {
        if (closed) return;
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        LIVE.decrementAndGet();
        releaseByClose();
    }

    private void releaseByClose() {
        // Cleanable.clean() runs the Release action at most once, whoever calls first.
        release.byClose = true;
        cleanable.clean();
    }

    @Override
    public String toString() {
        if (closed) return "Tensor(closed, shape=" + Shapes.str(layout.shape()) + ", " + dtype() + ")";
        StringBuilder sb = new StringBuilder("Tensor(shape=").append(Shapes.str(layout.shape())).append(", ")
                .append(dtype()).append(", ").append(device());
        if (numel() <= 16) sb.append(", ").append(Arrays.toString(toDoubleArray()));
        return sb.append(')').toString();
    }
}
