package org.wpunet.nn.optim;

import org.junit.jupiter.api.Test;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Update rules against scalar re-statements of torch.optim's algorithms (F64, three steps with
 * changing gradients so momentum, bias correction and centring all matter).
 */
class OptimizersTest {
    static final double[] P0 = {0.5, -1.5};
    static final double[][] GRADS = {{0.1, -0.3}, {-0.2, 0.25}, {0.05, 0.4}};

    interface ScalarRule { double[] step(double[] p, double[] g, int t); }

    static void compare(String what, java.util.function.Function<List<Variable>, Optimizer> make, ScalarRule ref) {
        try (Variable p = Variable.param(Tensor.of(P0.clone(), 2))) {
            try (Optimizer o = make.apply(List.of(p))) {
                double[] expect = P0.clone();
                for (int t = 0; t < GRADS.length; t++) {
                    try (Tensor g = Tensor.of(GRADS[t].clone(), 2)) {
                        p.setGrad(g);
                    }
                    o.step();
                    expect = ref.step(expect, GRADS[t], t + 1);
                    assertArrayEquals(expect, p.value().toDoubleArray(), 1e-12, what + " step " + (t + 1));
                }
            }
        }
    }

    @Test
    void sgdVariants() {
        double lr = 0.1, m = 0.9, damp = 0.1, wd = 0.01;
        double[][] buf = new double[1][];
        compare("sgd plain", ps -> new SGD(ps, lr, 0, 0), (p, g, t) -> new double[]{p[0] - lr * g[0], p[1] - lr * g[1]});
        buf[0] = null;
        compare("sgd momentum dampening wd", ps -> new SGD(List.of(new ParamGroup(ps, lr, wd)), m, damp, false), (p, g, t) -> {
            double[] out = new double[2];
            if (buf[0] == null) buf[0] = new double[2];
            for (int i = 0; i < 2; i++) {
                double d = g[i] + wd * p[i];
                buf[0][i] = t == 1 ? d : m * buf[0][i] + (1 - damp) * d;
                out[i] = p[i] - lr * buf[0][i];
            }
            return out;
        });
        buf[0] = null;
        compare("sgd nesterov", ps -> new SGD(List.of(new ParamGroup(ps, lr, wd)), m, 0, true), (p, g, t) -> {
            double[] out = new double[2];
            if (buf[0] == null) buf[0] = new double[2];
            for (int i = 0; i < 2; i++) {
                double d = g[i] + wd * p[i];
                buf[0][i] = t == 1 ? d : m * buf[0][i] + d;
                out[i] = p[i] - lr * (d + m * buf[0][i]);
            }
            return out;
        });
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(new ParamGroup(List.of(Variable.param(Tensor.zeros(1))), 0.1, 0)), 0.9, 0.5, true));
    }

    @Test
    void rmspropCenteredWithMomentum() {
        double lr = 0.01, a = 0.9, eps = 1e-8, mom = 0.5, wd = 0.1;
        double[][] st = new double[3][2]; // v, gAvg, buf
        compare("rmsprop centered momentum", ps -> new RMSprop(List.of(new ParamGroup(ps, lr, wd)), a, eps, mom, true), (p, g, t) -> {
            double[] out = new double[2];
            for (int i = 0; i < 2; i++) {
                double gg = g[i] + wd * p[i];
                st[0][i] = a * st[0][i] + (1 - a) * gg * gg;
                st[1][i] = a * st[1][i] + (1 - a) * gg;
                double avg = Math.sqrt(st[0][i] - st[1][i] * st[1][i]) + eps;
                st[2][i] = mom * st[2][i] + gg / avg;
                out[i] = p[i] - lr * st[2][i];
            }
            return out;
        });
        double[][] v = new double[1][2];
        compare("rmsprop defaults", ps -> new RMSprop(ps, lr), (p, g, t) -> {
            double[] out = new double[2];
            for (int i = 0; i < 2; i++) {
                v[0][i] = 0.99 * v[0][i] + 0.01 * g[i] * g[i];
                out[i] = p[i] - lr * g[i] / (Math.sqrt(v[0][i]) + 1e-8);
            }
            return out;
        });
    }

    static ScalarRule adamRule(double lr, double b1, double b2, double eps, double wd, boolean decoupled, boolean ams) {
        double[][] st = new double[3][2];
        return (p, g, t) -> {
            double[] out = new double[2];
            for (int i = 0; i < 2; i++) {
                double pi = p[i], gi = g[i];
                if (decoupled) pi *= 1 - lr * wd;
                else gi += wd * pi;
                st[0][i] = b1 * st[0][i] + (1 - b1) * gi;
                st[1][i] = b2 * st[1][i] + (1 - b2) * gi * gi;
                st[2][i] = Math.max(st[2][i], st[1][i]);
                double v = ams ? st[2][i] : st[1][i];
                double denom = Math.sqrt(v) / Math.sqrt(1 - Math.pow(b2, t)) + eps;
                out[i] = pi - lr / (1 - Math.pow(b1, t)) * st[0][i] / denom;
            }
            return out;
        };
    }

    @Test
    void adamAmsgradAndAdamW() {
        compare("adam wd", ps -> new Adam(List.of(new ParamGroup(ps, 0.01, 0.1)), 0.8, 0.9, 1e-8, false),
                adamRule(0.01, 0.8, 0.9, 1e-8, 0.1, false, false));
        compare("adam amsgrad", ps -> new Adam(List.of(new ParamGroup(ps, 0.01, 0)), 0.9, 0.99, 1e-6, true),
                adamRule(0.01, 0.9, 0.99, 1e-6, 0, false, true));
        compare("adamw", ps -> new AdamW(ps, 0.01), adamRule(0.01, 0.9, 0.999, 1e-8, 0.01, true, false));
    }

    @Test
    void perGroupLearningRatesAndSkippingParamsWithoutGrad() {
        try (Variable a = Variable.param(Tensor.of(new double[]{1}, 1)); Variable b = Variable.param(Tensor.of(new double[]{1}, 1));
             Variable c = Variable.param(Tensor.of(new double[]{1}, 1));
             SGD o = new SGD(List.of(new ParamGroup(List.of(a, c), 0.1, 0), new ParamGroup(List.of(b), 0.01, 0)), 0, 0, false)) {
            try (Tensor g = Tensor.of(new double[]{1}, 1)) {
                a.setGrad(g);
                b.setGrad(g);
            }
            o.step();
            assertEquals(0.9, a.value().item(), 1e-12);
            assertEquals(0.99, b.value().item(), 1e-12);
            assertEquals(1.0, c.value().item(), 0);
            o.zeroGrad();
            assertNull(a.grad());
        }
    }

    @Test
    void stateSavesAndRestores() {
        double[] continued, restored;
        Map<String, Tensor> saved;
        double[] pAfter2;
        try (Variable p = Variable.param(Tensor.of(P0.clone(), 2)); Adam o = new Adam(List.of(new ParamGroup(List.of(p), 0.01, 0)), 0.9, 0.99, 1e-8, true)) {
            for (int t = 0; t < 2; t++) {
                try (Tensor g = Tensor.of(GRADS[t].clone(), 2)) { p.setGrad(g); }
                o.step();
            }
            saved = o.stateDict();
            pAfter2 = p.value().toDoubleArray();
            try (Tensor g = Tensor.of(GRADS[2].clone(), 2)) { p.setGrad(g); }
            o.step();
            continued = p.value().toDoubleArray();
        }
        try (Variable p = Variable.param(Tensor.of(pAfter2, 2)); Adam o = new Adam(List.of(new ParamGroup(List.of(p), 0.5, 0)), 0.9, 0.99, 1e-8, true)) {
            o.loadStateDict(saved);
            assertEquals(0.01, o.groups().get(0).lr(), 0);
            try (Tensor g = Tensor.of(GRADS[2].clone(), 2)) { p.setGrad(g); }
            o.step();
            restored = p.value().toDoubleArray();
        }
        for (Tensor t : saved.values()) t.close();
        assertArrayEquals(continued, restored, 0);
    }

    @Test
    void originalWpuNetScheduleFirstDecaysAtEpochTenAndFreezesAboveTheFloor() {
        try (Variable p = Variable.param(Tensor.zeros(1)); SGD o = new SGD(List.of(p), 1e-4, 0, 0)) {
            LrScheduler s = LrScheduler.stepDecayOneBased(o, 10, 0.8, 1e-6);
            // the original: lr(e) = 1e-4 * 0.8^(e // 10) for 1-based e, skipped when below 1e-6
            double[][] expect = {{1, 1e-4}, {9, 1e-4}, {10, 8e-5}, {19, 8e-5}, {20, 6.4e-5}, {199, 1e-4 * Math.pow(0.8, 19)},
                    {200, 1e-4 * Math.pow(0.8, 20)}, {210, 1e-4 * Math.pow(0.8, 20)}, {500, 1e-4 * Math.pow(0.8, 20)}};
            for (double[] ex : expect) {
                s.setEpoch((int) ex[0]);
                assertEquals(ex[1], o.groups().get(0).lr(), 1e-18, "epoch " + (int) ex[0]);
            }
            assertEquals(1.152921504606847e-6, o.groups().get(0).lr(), 1e-18);
        }
    }

    @Test
    void schedulers() {
        try (Variable p = Variable.param(Tensor.zeros(1)); SGD o = new SGD(List.of(p), 1.0, 0, 0)) {
            LrScheduler s = LrScheduler.step(o, 2, 0.5);
            double[] got = new double[5];
            for (int e = 0; e < 5; e++) { got[e] = o.groups().get(0).lr(); s.step(); }
            assertArrayEquals(new double[]{1, 1, 0.5, 0.5, 0.25}, got, 1e-15);
            o.setLr(1.0);
            LrScheduler ms = LrScheduler.multiStep(o, new int[]{3, 1}, 0.1);
            for (int e = 0; e < 4; e++) { got[e] = o.groups().get(0).lr(); ms.step(); }
            assertArrayEquals(new double[]{1, 0.1, 0.1, 0.01}, java.util.Arrays.copyOf(got, 4), 1e-15);
            o.setLr(1.0);
            LrScheduler cos = LrScheduler.cosine(o, 4, 0.1);
            cos.setEpoch(2);
            assertEquals(0.55, o.groups().get(0).lr(), 1e-15);
            cos.setEpoch(4);
            assertEquals(0.1, o.groups().get(0).lr(), 1e-15);
        }
    }

    @Test
    void gradNormClipping() {
        try (Variable a = Variable.param(Tensor.of(new double[]{0, 0}, 2)); Variable b = Variable.param(Tensor.of(new double[]{0}, 1));
             Variable c = Variable.param(Tensor.of(new double[]{0}, 1))) {
            try (Tensor ga = Tensor.of(new double[]{3, 0}, 2); Tensor gb = Tensor.of(new double[]{4}, 1)) {
                a.setGrad(ga);
                b.setGrad(gb);
            }
            assertEquals(5, GradClip.clipGradNorm(List.of(a, b, c), 10), 1e-12);
            assertArrayEquals(new double[]{3, 0}, a.grad().toDoubleArray(), 0);
            assertEquals(5, GradClip.clipGradNorm(List.of(a, b, c), 1), 1e-12);
            double k = 1 / (5 + 1e-6);
            assertArrayEquals(new double[]{3 * k, 0}, a.grad().toDoubleArray(), 1e-15);
            assertArrayEquals(new double[]{4 * k}, b.grad().toDoubleArray(), 1e-15);
        }
    }
}
