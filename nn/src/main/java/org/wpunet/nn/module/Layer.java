package org.wpunet.nn.module;

import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A layer or a model: named parameters, buffers and child modules, a training flag, and
 * {@link #forward}. Names follow PyTorch: a module's own parameters, then its buffers, then each
 * child's entries prefixed with the child's name and a dot, so {@link #stateDict()} keys equal
 * PyTorch's {@code state_dict()} keys for the same module tree.
 *
 * <p>PyTorch calls this {@code nn.Module}; here it is {@code Layer}, so that it never clashes with
 * {@code java.lang.Module} (a wildcard import of this package compiles).
 *
 * <p>Ownership: the module owns its parameters and buffers (create it outside any per-step
 * {@link org.wpunet.core.Scope}); {@link #close} frees them.
 */
public abstract class Layer implements AutoCloseable {
    private final Map<String, Variable> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Set<String> int64Buffers = new LinkedHashSet<>();
    private final Map<String, Layer> children = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Variable forward(Variable x);

    // ------------------------------------------------------------------ registration
    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("bad name '" + name + "' in " + getClass().getSimpleName() + ": must be non-empty without dots");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has an entry named '" + name + "'");
        }
    }

    /** Registers a parameter (a leaf that requires grad) owning {@code value}. */
    protected Variable registerParameter(String name, Tensor value) {
        checkName(name);
        Variable v = Variable.param(value);
        parameters.put(name, v);
        return v;
    }

    /** Registers a buffer (state that is saved but not trained); int64 marks PyTorch long buffers. */
    protected Tensor registerBuffer(String name, Tensor value, boolean int64) {
        checkName(name);
        buffers.put(name, value);
        if (int64) int64Buffers.add(name);
        return value;
    }

    protected <M extends Layer> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    /** This module's own parameter (not a child's). */
    public Variable parameter(String name) {
        Variable v = parameters.get(name);
        if (v == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no parameter '" + name + "'; it has " + parameters.keySet());
        return v;
    }

    /** This module's own parameter, or null when absent (e.g. bias=false). */
    protected Variable parameterOrNull(String name) { return parameters.get(name); }

    public Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + " has no buffer '" + name + "'; it has " + buffers.keySet());
        return t;
    }

    // ------------------------------------------------------------------ traversal
    public Map<String, Layer> namedChildren() { return Collections.unmodifiableMap(children); }

    /** All parameters with dotted names, in PyTorch's order. */
    public Map<String, Variable> namedParameters() {
        Map<String, Variable> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Variable> out) {
        parameters.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collectParameters(prefix + k + ".", out));
    }

    public List<Variable> parameters() { return new ArrayList<>(namedParameters().values()); }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out, false, null);
        return out;
    }

    /**
     * Parameters and buffers by PyTorch state-dict key (the live tensors, not copies; copy them to keep
     * a snapshot).
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out, true, null);
        return out;
    }

    /** Keys of buffers that PyTorch stores as int64 (e.g. num_batches_tracked); we hold them as I32. */
    public Set<String> int64Keys() {
        Set<String> keys = new LinkedHashSet<>();
        collectState("", new LinkedHashMap<>(), true, keys);
        return keys;
    }

    private void collectState(String prefix, Map<String, Tensor> out, boolean withParams, Set<String> int64) {
        if (withParams) parameters.forEach((k, v) -> out.put(prefix + k, v.value()));
        buffers.forEach((k, t) -> {
            out.put(prefix + k, t);
            if (int64 != null && int64Buffers.contains(k)) int64.add(prefix + k);
        });
        children.forEach((k, m) -> m.collectState(prefix + k + ".", out, withParams, int64));
    }

    // ------------------------------------------------------------------ modes and grads
    public Layer train(boolean on) {
        training = on;
        for (Layer m : children.values()) m.train(on);
        return this;
    }

    public Layer train() { return train(true); }

    public Layer eval() { return train(false); }

    public boolean isTraining() { return training; }

    public void zeroGrad() { for (Variable p : parameters()) p.zeroGrad(); }

    /** Number of parameter elements. */
    public long parameterCount() {
        long n = 0;
        for (Variable p : parameters()) n += p.numel();
        return n;
    }

    /**
     * Moves parameters and floating buffers to a device and dtype (integer buffers keep their type).
     * Parameters become new leaves: optimisers must be built after this.
     */
    public Layer to(Device device, DType dtype) {
        if (!dtype.isFloating()) throw new IllegalArgumentException("module parameters must be floating, got " + dtype);
        for (Map.Entry<String, Variable> e : parameters.entrySet()) {
            Variable old = e.getValue();
            e.setValue(Variable.param(old.value().to(device, dtype)));
            old.close();
        }
        for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
            Tensor old = e.getValue();
            e.setValue(old.to(device, old.dtype().isFloating() ? dtype : old.dtype()));
            old.close();
        }
        for (Layer m : children.values()) m.to(device, dtype);
        return this;
    }

    // ------------------------------------------------------------------ loading
    /** What a state-dict load found: keys the module has but the dict lacks, and so on. */
    public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatched) {
        public boolean isClean() { return missing.isEmpty() && unexpected.isEmpty() && shapeMismatched.isEmpty(); }

        @Override
        public String toString() {
            return "missing keys " + missing + ", unexpected keys " + unexpected + ", shape-mismatched keys " + shapeMismatched;
        }
    }

    /**
     * Copies matching entries into parameters and buffers (converting dtype). Strict: any missing,
     * unexpected or shape-mismatched key is an error naming them all, and nothing is copied. Lenient:
     * copies what matches and reports the rest.
     */
    public LoadReport loadStateDict(Map<String, Tensor> source, boolean strict) {
        Map<String, Tensor> own = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src == null) missing.add(e.getKey());
            else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + " (checkpoint " + Arrays.toString(src.shape()) + ", model "
                        + Arrays.toString(e.getValue().shape()) + ")");
            }
        }
        for (String k : source.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        LoadReport report = new LoadReport(List.copyOf(missing), List.copyOf(unexpected), List.copyOf(mismatched));
        if (strict && !report.isClean()) {
            throw new IllegalArgumentException("state dict does not match " + getClass().getSimpleName() + ": " + report);
        }
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = source.get(e.getKey());
            if (src != null && Arrays.equals(src.shape(), e.getValue().shape())) e.getValue().assign(src);
        }
        return report;
    }

    @Override
    public void close() {
        for (Variable p : parameters.values()) p.close();
        for (Tensor b : buffers.values()) b.close();
        for (Layer m : children.values()) m.close();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(');
        boolean first = true;
        for (Map.Entry<String, Layer> e : children.entrySet()) {
            sb.append(first ? "\n" : "").append("  (").append(e.getKey()).append("): ")
                    .append(e.getValue().toString().replace("\n", "\n  ")).append('\n');
            first = false;
        }
        return sb.append(')').toString();
    }
}
