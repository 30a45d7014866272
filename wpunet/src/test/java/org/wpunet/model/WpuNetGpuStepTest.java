package org.wpunet.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;
import org.wpunet.nn.optim.GradClip;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;

/**
 * A full-width WPU-Net training step (batch 2 of 256x256: forward, weighted-map loss, backward, clip 5,
 * RMSprop) on cuda:0 equals the same step on the CPU: loss, every gradient and every updated parameter.
 */
@RequiresCuda
class WpuNetGpuStepTest {
    static final Device GPU = Device.cuda(0);

    /** {loss, gradient per parameter name, parameter per name after the update}. */
    private static Object[] step(Device d) {
        Rng r = new Rng(5);
        int n = 2, s = 256;
        float[] x = new float[n * 2 * s * s], w = new float[n * s * s];
        int[] t = new int[n * s * s];
        for (int i = 0; i < n * s * s; i++) {
            int b = i / (s * s), p = i % (s * s);
            x[(2 * b) * s * s + p] = (float) (2 * r.nextDouble() - 1);
            x[(2 * b + 1) * s * s + p] = r.nextDouble() < 0.2 ? -6f : 1f;
            t[i] = r.nextDouble() < 0.2 ? 1 : 0;
            w[i] = (float) (t[i] == 1 ? 30 + 10 * r.nextDouble() : 1 + 10 * r.nextDouble());
        }
        try (WpuNet model = new WpuNet(WpuNet.Config.original(), new Rng(11))) {
            model.to(d, DType.F32);
            try (Optimizer opt = new RMSprop(List.of(new ParamGroup(model.parameters(), 1e-4, 0)), 0.9, 1e-5, 0, false);
                 Scope sc = Scope.open()) {
                Variable logits = model.forward(Variable.constant(Tensor.of(x, n, 2, s, s).to(d)));
                Variable loss = Losses.weightedMapCrossEntropy(logits, Tensor.of(t, n, s, s).to(d), Tensor.of(w, n, s, s).to(d),
                        Reduction.MEAN);
                loss.backward();
                GradClip.clipGradNorm(model.parameters(), 5.0);
                Map<String, float[]> grads = new LinkedHashMap<>(), params = new LinkedHashMap<>();
                for (var e : model.namedParameters().entrySet()) grads.put(e.getKey(), e.getValue().grad().toFloatArray());
                opt.step();
                for (var e : model.namedParameters().entrySet()) params.put(e.getKey(), e.getValue().value().toFloatArray());
                return new Object[]{loss.item(), grads, params};
            }
        }
    }

    private static double relErr(float[] a, float[] r, double floor) {
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), "non-finite value at " + i);
            num += (double) (a[i] - r[i]) * (a[i] - r[i]);
            den += (double) r[i] * r[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), floor);
    }

    @Test
    @SuppressWarnings("unchecked")
    void fullWidthTrainingStepEqualsTheCpuStep() {
        Object[] cpu = step(Device.CPU), gpu = step(GPU);
        double lc = (double) cpu[0], lg = (double) gpu[0];
        assertEquals(lc, lg, 1e-4 * Math.abs(lc), "loss");
        Map<String, float[]> gc = (Map<String, float[]>) cpu[1], gg = (Map<String, float[]>) gpu[1];
        double maxNorm = 0;
        for (float[] g : gc.values()) {
            double q = 0;
            for (float v : g) q += (double) v * v;
            maxNorm = Math.max(maxNorm, Math.sqrt(q));
        }
        List<String> bad = new ArrayList<>();
        for (String k : gc.keySet()) {
            // FP32 on both sides with different summation orders, 23 conv layers and batch norm over
            // batch 2 (down to 16x16 maps): 1e-3 relative; zero-in-exact-arithmetic gradients (conv
            // biases before a batch norm) are compared against 1e-3 of the largest gradient norm
            double e = relErr(gg.get(k), gc.get(k), 1e-3 * maxNorm);
            if (e > 1e-3) bad.add(k + " " + e);
        }
        assertTrue(bad.isEmpty(), "gradients differ: " + bad);
        Map<String, float[]> pc = (Map<String, float[]>) cpu[2], pg = (Map<String, float[]>) gpu[2];
        for (String k : pc.keySet()) {
            double e = relErr(pg.get(k), pc.get(k), 1e-12);
            assertTrue(e < 1e-5, "parameter " + k + " after the RMSprop step: relative error " + e);
        }
    }
}
