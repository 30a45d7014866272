package org.wpunet.nn.optim;

import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the optimisers: parameter groups, per-parameter state tensors allocated when the optimiser
 * is built (so build it outside a training step's Scope: its state must outlive the step), and a
 * {@link #step} that updates parameters in place, skipping those without a gradient (as PyTorch skips
 * grad None). Each step's temporaries are closed before it returns.
 */
public abstract class Optimizer implements AutoCloseable {
    /** Per-parameter state: named tensors, the step count and whether momentum buffers are primed. */
    protected static final class State {
        final Map<String, Tensor> tensors = new LinkedHashMap<>();
        long step;
        boolean primed;

        public Tensor get(String name) { return tensors.get(name); }

        /** The state tensors in declaration order (the order {@link org.wpunet.core.OptimizerUpdate} lists). */
        public Tensor[] all() { return tensors.values().toArray(new Tensor[0]); }
    }

    private final List<ParamGroup> groups;
    private final Map<Variable, State> states = new IdentityHashMap<>();

    protected Optimizer(List<ParamGroup> groups, List<String> stateNames) {
        if (groups.isEmpty()) throw new IllegalArgumentException("an optimiser needs at least one parameter group");
        this.groups = List.copyOf(groups);
        for (ParamGroup g : groups) {
            for (Variable p : g.params()) {
                if (states.containsKey(p)) throw new IllegalArgumentException("a parameter appears in more than one group: " + p);
                State s = new State();
                for (String n : stateNames) s.tensors.put(n, Tensor.zerosLike(p.value()));
                states.put(p, s);
            }
        }
    }

    public List<ParamGroup> groups() { return groups; }

    /** Sets every group's learning rate. */
    public void setLr(double lr) { for (ParamGroup g : groups) g.setLr(lr); }

    public List<Variable> params() {
        List<Variable> out = new ArrayList<>();
        for (ParamGroup g : groups) out.addAll(g.params());
        return out;
    }

    public void zeroGrad() { for (ParamGroup g : groups) for (Variable p : g.params()) p.zeroGrad(); }

    /** One update of every parameter that has a gradient. */
    public void step() {
        try (Scope scope = Scope.open(); NoGrad ng = NoGrad.enter()) {
            for (ParamGroup g : groups) {
                for (Variable p : g.params()) {
                    if (!p.hasGrad()) continue;
                    State s = states.get(p);
                    s.step++;
                    update(g, p.value(), p.grad(), s);
                }
            }
        }
    }

    /** Updates param in place from grad (both live tensors); temporaries may be left to the step's scope. */
    protected abstract void update(ParamGroup group, Tensor param, Tensor grad, State state);

    /**
     * The state as tensors (new copies the caller owns): "state.i.name" for parameter i in group order,
     * "state.i.step", "state.i.primed" and "param_groups.g.lr". Save it with a checkpoint.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int i = 0;
        for (ParamGroup g : groups) {
            for (Variable p : g.params()) {
                State s = states.get(p);
                for (Map.Entry<String, Tensor> e : s.tensors.entrySet()) out.put("state." + i + "." + e.getKey(), e.getValue().copy());
                out.put("state." + i + ".step", Tensor.of(new double[]{s.step}));
                out.put("state." + i + ".primed", Tensor.of(new double[]{s.primed ? 1 : 0}));
                i++;
            }
        }
        for (int k = 0; k < groups.size(); k++) out.put("param_groups." + k + ".lr", Tensor.of(new double[]{groups.get(k).lr()}));
        return out;
    }

    /** Restores {@link #stateDict()} output; every key must be present with the right shape. */
    public void loadStateDict(Map<String, Tensor> sd) {
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (ParamGroup g : groups) {
            for (Variable p : g.params()) {
                State s = states.get(p);
                for (Map.Entry<String, Tensor> e : s.tensors.entrySet()) {
                    String k = "state." + i + "." + e.getKey();
                    Tensor src = sd.get(k);
                    if (src == null) problems.add("missing " + k);
                    else if (!Arrays.equals(src.shape(), e.getValue().shape())) {
                        problems.add(k + " has shape " + Arrays.toString(src.shape()) + ", expected " + Arrays.toString(e.getValue().shape()));
                    }
                }
                for (String k : new String[]{"state." + i + ".step", "state." + i + ".primed"}) if (!sd.containsKey(k)) problems.add("missing " + k);
                i++;
            }
        }
        for (int k = 0; k < groups.size(); k++) if (!sd.containsKey("param_groups." + k + ".lr")) problems.add("missing param_groups." + k + ".lr");
        if (!problems.isEmpty()) throw new IllegalArgumentException("optimiser state does not match " + getClass().getSimpleName() + ": " + problems);
        i = 0;
        for (ParamGroup g : groups) {
            for (Variable p : g.params()) {
                State s = states.get(p);
                for (Map.Entry<String, Tensor> e : s.tensors.entrySet()) e.getValue().assign(sd.get("state." + i + "." + e.getKey()));
                s.step = (long) sd.get("state." + i + ".step").item();
                s.primed = sd.get("state." + i + ".primed").item() != 0;
                i++;
            }
        }
        for (int k = 0; k < groups.size(); k++) groups.get(k).setLr(sd.get("param_groups." + k + ".lr").item());
    }

    /** State tensor of a parameter (tests and diagnostics). */
    public Tensor state(Variable p, String name) {
        State s = states.get(p);
        if (s == null) throw new IllegalArgumentException("not a parameter of this optimiser: " + p);
        Tensor t = s.tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no state '" + name + "'; have " + s.tensors.keySet());
        return t;
    }

    static List<ParamGroup> single(List<Variable> params, double lr, double weightDecay) {
        return List.of(new ParamGroup(params, lr, weightDecay));
    }

    @Override
    public void close() { for (State s : states.values()) for (Tensor t : s.tensors.values()) t.close(); }
}
