package org.wpunet.nn;

import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;

import java.util.Arrays;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Finite-difference gradient check in F64: the analytic gradient of L = sum(f(x) * r) (r a fixed
 * random weighting, so every output element matters differently) against central differences
 * (L(x + h e_i) - L(x - h e_i)) / 2h for every element of every input.
 */
public final class GradCheck {
    private GradCheck() {}

    public static Tensor randn(long seed, int... shape) {
        return new Rng(seed).standardNormal(Device.CPU, DType.F64, shape);
    }

    /** Uniform in [lo, hi), F64. */
    public static Tensor rand(long seed, double lo, double hi, int... shape) {
        return new Rng(seed).uniformIn(Device.CPU, DType.F64, lo, hi, shape);
    }

    public static void check(String what, Function<Variable[], Variable> f, Tensor... inputs) {
        check(what, 1e-6, 1e-5, f, inputs);
    }

    public static void check(String what, double h, double tol, Function<Variable[], Variable> f, Tensor... inputs) {
        try (Scope scope = Scope.open()) {
            Variable[] leaves = new Variable[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].dtype() != DType.F64) fail(what + ": gradcheck inputs must be F64");
                leaves[i] = Variable.param(inputs[i].copy());
            }
            Variable out = f.apply(leaves);
            Tensor r = new Rng(99).uniformIn(Device.CPU, DType.F64, 0.5, 1.5, out.shape());
            Variable loss = out.mul(Variable.constant(r)).sum();
            loss.backward();
            for (int k = 0; k < leaves.length; k++) {
                double[] x = leaves[k].value().toDoubleArray();
                int[] shape = leaves[k].shape();
                double[] analytic = leaves[k].grad() == null ? new double[x.length] : leaves[k].grad().toDoubleArray();
                for (int i = 0; i < x.length; i++) {
                    double lp = lossAt(f, leaves, k, x, i, h, shape, r);
                    double lm = lossAt(f, leaves, k, x, i, -h, shape, r);
                    double numeric = (lp - lm) / (2 * h);
                    double err = Math.abs(numeric - analytic[i]);
                    if (!(err <= tol * (1 + Math.abs(numeric)))) {
                        fail(what + ": input " + k + " " + Arrays.toString(shape) + " element " + i + ": analytic "
                                + analytic[i] + " vs numeric " + numeric);
                    }
                }
                try (Tensor restore = Tensor.of(x, shape)) {
                    leaves[k].value().assign(restore);
                }
            }
        }
    }

    private static double lossAt(Function<Variable[], Variable> f, Variable[] leaves, int k, double[] x, int i, double h,
                                 int[] shape, Tensor r) {
        double[] y = x.clone();
        y[i] += h;
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            leaves[k].value().assign(Tensor.of(y, shape));
            Variable out = f.apply(leaves);
            return out.value().mul(r).sum().item();
        }
    }

    /**
     * The same check for a module's parameters: analytic p.grad after backward of sum(m(x) * r)
     * against central differences obtained by perturbing each parameter element in place.
     */
    public static void checkParameters(String what, org.wpunet.nn.module.Layer m, Tensor x) {
        double h = 1e-6, tol = 1e-5;
        if (m.namedParameters().isEmpty()) return;
        try (Scope scope = Scope.open()) {
            m.zeroGrad();
            Variable out = m.forward(Variable.constant(x));
            Tensor r = new Rng(99).uniformIn(Device.CPU, DType.F64, 0.5, 1.5, out.shape());
            out.mul(Variable.constant(r)).sum().backward();
            for (var e : m.namedParameters().entrySet()) {
                Variable p = e.getValue();
                double[] v = p.value().toDoubleArray();
                double[] analytic = p.grad() == null ? new double[v.length] : p.grad().toDoubleArray();
                for (int i = 0; i < v.length; i++) {
                    double lp = paramLoss(m, p, v, i, h, x, r), lm = paramLoss(m, p, v, i, -h, x, r);
                    double numeric = (lp - lm) / (2 * h);
                    if (!(Math.abs(numeric - analytic[i]) <= tol * (1 + Math.abs(numeric)))) {
                        fail(what + ": parameter " + e.getKey() + " element " + i + ": analytic " + analytic[i] + " vs numeric " + numeric);
                    }
                }
                try (Tensor restore = Tensor.of(v, p.shape())) {
                    p.value().assign(restore);
                }
            }
        }
    }

    private static double paramLoss(org.wpunet.nn.module.Layer m, Variable p, double[] v, int i, double h, Tensor x, Tensor r) {
        double[] y = v.clone();
        y[i] += h;
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            p.value().assign(Tensor.of(y, p.shape()));
            return m.forward(Variable.constant(x)).value().mul(r).sum().item();
        }
    }
}
