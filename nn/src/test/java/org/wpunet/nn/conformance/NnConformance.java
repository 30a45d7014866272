package org.wpunet.nn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Backends;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Autocast;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.ConvTranspose2d;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.optim.GradClip;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;

/**
 * Layers, losses and optimisers on {@link #device()} against the same network computed on the CPU in
 * F64: a two-level U-Net (conv-BN-ReLU, max-pool, transposed conv, skip concatenation, 1x1 head)
 * trained with the weighted-map cross-entropy, RMSprop and gradient clipping as WPU-Net is. Written
 * once; each backend runs it through a subclass.
 */
public abstract class NnConformance {
    protected abstract Device device();

    /** Training steps of the memory-flatness check. */
    protected int memorySteps() { return 1000; }

    /** A U-Net with two levels and the widths given. */
    static final class MiniUNet extends Layer {
        MiniUNet(int in, int w, Rng rng) {
            registerModule("enc1", block(in, w, rng));
            registerModule("pool", new MaxPool2d(2));
            registerModule("enc2", block(w, 2 * w, rng));
            registerModule("up", new ConvTranspose2d(2 * w, w, 2, 2, rng));
            registerModule("dec1", block(2 * w, w, rng));
            registerModule("head", new Conv2d(w, 2, 1, 1, 0, rng));
        }

        private static Layer block(int in, int out, Rng rng) {
            return new org.wpunet.nn.module.Sequential(new Conv2d(in, out, 3, ConvParams.of(1, 1), true, rng), new BatchNorm2d(out),
                    new org.wpunet.nn.module.ReLU());
        }

        @Override
        public Variable forward(Variable x) {
            Map<String, Layer> c = namedChildren();
            Variable e1 = c.get("enc1").forward(x);
            Variable e2 = c.get("enc2").forward(c.get("pool").forward(e1));
            Variable u = c.get("up").forward(e2);
            return c.get("head").forward(c.get("dec1").forward(Ops.concat(1, u, e1)));
        }
    }

    /** Input, targets and a positive weight map of a batch (fixed seed; no zeros in the input). */
    private static Tensor[] batch(int n, int h, int w, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[n * 2 * h * w], wm = new float[n * h * w];
        int[] t = new int[n * h * w];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((r.nextDouble() < 0.5 ? -1 : 1) * (0.1 + r.nextDouble()));
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextDouble() < 0.2 ? 1 : 0;
            wm[i] = (float) (t[i] == 1 ? 30 + 10 * r.nextDouble() : 1 + 10 * r.nextDouble());
        }
        return new Tensor[]{Tensor.of(x, n, 2, h, w), Tensor.of(t, n, h, w), Tensor.of(wm, n, h, w)};
    }

    private static MiniUNet model(Device d, DType dt) {
        MiniUNet m = new MiniUNet(2, 4, new Rng(42));
        m.to(d, dt);
        return m;
    }

    /** Relative L2 error |a - r| / max(|r|, floor) of a result against its reference; NaN/Inf fail. */
    static double relErr(float[] a, double[] r, String what, double floor) {
        assertEquals(r.length, a.length, what + " length");
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            assertTrue(Float.isFinite(a[i]), what + ": non-finite " + a[i] + " at " + i);
            num += (a[i] - r[i]) * (a[i] - r[i]);
            den += r[i] * r[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), Math.max(floor, 1e-300));
    }

    static double relErr(float[] a, double[] r, String what) { return relErr(a, r, what, 0); }

    /**
     * A conv bias feeding a batch norm has an exactly zero gradient (the norm removes any constant),
     * so its reference is rounding noise: gradients are compared relative to their own norm or, when
     * that is tiny, to 1e-3 of the largest gradient norm of the network.
     */
    private static double gradFloor(List<Object> ref) {
        double max = 0;
        for (int i = 2; i < ref.size(); i++) {
            double s = 0;
            for (double v : (double[]) ref.get(i)) s += v * v;
            max = Math.max(max, Math.sqrt(s));
        }
        return 1e-3 * max;
    }

    /** One forward + backward of the weighted-map loss; returns {loss, logits, grads of every parameter}. */
    private static List<Object> step(MiniUNet m, Tensor[] b, Device d) {
        try (Scope s = Scope.open()) {
            m.zeroGrad();
            DType dt = m.parameters().get(0).dtype();
            Variable x = Variable.constant(b[0].to(d, dt));
            Variable logits = m.forward(x);
            Variable loss = Losses.weightedMapCrossEntropy(logits, b[1].to(d), b[2].to(d, dt), Reduction.MEAN);
            loss.backward();
            List<Object> out = new ArrayList<>();
            out.add(loss.item());
            out.add(logits.value().toDoubleArray());
            for (Variable p : m.parameters()) out.add(p.grad().toDoubleArray());
            return out;
        }
    }

    @Test
    void forwardAndBackwardMatchFloat64Cpu() {
        Tensor[] b = batch(2, 16, 16, 7);
        try (MiniUNet ref = model(Device.CPU, DType.F64); MiniUNet dev = model(device(), DType.F32)) {
            List<Object> r = step(ref, b, Device.CPU), a = step(dev, b, device());
            double lr = (double) r.get(0), la = (double) a.get(0), floor = gradFloor(r);
            assertEquals(lr, la, 1e-5 * Math.abs(lr), "loss");
            assertTrue(relErr(toFloat((double[]) a.get(1)), (double[]) r.get(1), "logits") < 1e-5, "logits");
            List<String> names = new ArrayList<>(ref.namedParameters().keySet());
            for (int i = 2; i < r.size(); i++) {
                double e = relErr(toFloat((double[]) a.get(i)), (double[]) r.get(i), names.get(i - 2), floor);
                assertTrue(e < 1e-4, "gradient of " + names.get(i - 2) + ": relative L2 error " + e);
            }
            // running statistics updated alike
            for (Map.Entry<String, Tensor> e : ref.namedBuffers().entrySet()) {
                if (!e.getValue().dtype().isFloating()) continue;
                Tensor mine = dev.namedBuffers().get(e.getKey());
                double err = relErr(mine.toFloatArray(), e.getValue().toDoubleArray(), e.getKey());
                assertTrue(err < 1e-5, e.getKey() + ": relative error " + err);
            }
        } finally {
            for (Tensor t : b) t.close();
        }
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    private static double trainStep(Layer m, Optimizer opt, Tensor[] b, Device d) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            DType dt = m.parameters().get(0).dtype();
            Variable logits = m.forward(Variable.constant(b[0].to(d, dt)));
            Variable loss = Losses.weightedMapCrossEntropy(logits, b[1].to(d), b[2].to(d, dt), Reduction.MEAN);
            loss.backward();
            GradClip.clipGradNorm(m.parameters(), 5.0);
            opt.step();
            return loss.item();
        }
    }

    private static RMSprop rmsprop(Layer m) {
        return new RMSprop(List.of(new ParamGroup(m.parameters(), 1e-3, 0)), 0.9, 1e-5, 0, false);
    }

    @Test
    void rmspropTrainingStepsMatchFloat64Cpu() {
        Tensor[] b = batch(2, 16, 16, 9);
        try (MiniUNet ref = model(Device.CPU, DType.F64); MiniUNet dev = model(device(), DType.F32);
             Optimizer or = rmsprop(ref); Optimizer od = rmsprop(dev)) {
            for (int k = 0; k < 3; k++) {
                double lr = trainStep(ref, or, b, Device.CPU), la = trainStep(dev, od, b, device());
                assertEquals(lr, la, 1e-4 * Math.abs(lr), "loss at step " + k);
            }
            for (Map.Entry<String, Variable> e : ref.namedParameters().entrySet()) {
                double err = relErr(dev.namedParameters().get(e.getKey()).value().toFloatArray(), e.getValue().value().toDoubleArray(),
                        e.getKey());
                assertTrue(err < 1e-4, e.getKey() + " after 3 steps: relative error " + err);
            }
        } finally {
            for (Tensor t : b) t.close();
        }
    }

    @Test
    void bf16AutocastStaysCloseToFp32AndKeepsFp32Parameters() {
        Tensor[] b = batch(2, 16, 16, 13);
        try (MiniUNet ref = model(Device.CPU, DType.F64); MiniUNet dev = model(device(), DType.F32)) {
            List<Object> r = step(ref, b, Device.CPU), a;
            try (Autocast ac = Autocast.enable(DType.BF16)) {
                a = step(dev, b, device());
            }
            double lr = (double) r.get(0), la = (double) a.get(0), floor = gradFloor(r);
            assertEquals(lr, la, 2e-2 * Math.abs(lr), "loss under BF16 autocast");
            List<String> names = new ArrayList<>(ref.namedParameters().keySet());
            for (int i = 2; i < r.size(); i++) {
                double e = relErr(toFloat((double[]) a.get(i)), (double[]) r.get(i), names.get(i - 2), floor);
                // a whole network's gradients pass through ~10 BF16 roundings (2^-8 each) and batch-norm
                // reductions that cancel: 1e-1 in L2 (seen: up to 5e-2), against ~1e-2 for a single op below
                assertTrue(e < 1e-1, "BF16 gradient of " + names.get(i - 2) + ": relative L2 error " + e);
            }
            for (Variable p : dev.parameters()) {
                assertEquals(DType.F32, p.dtype(), "master weights stay FP32");
                assertEquals(DType.F32, p.grad().dtype(), "gradients accumulate in FP32");
            }
            for (Tensor t : dev.namedBuffers().values()) {
                if (t.dtype().isFloating()) assertEquals(DType.F32, t.dtype(), "batch-norm statistics stay FP32");
            }
        } finally {
            for (Tensor t : b) t.close();
        }
    }

    @Test
    void bf16AutocastConvolutionIsWithinOnePercent() {
        Rng r = new Rng(3);
        try (Conv2d ref = new Conv2d(8, 16, 3, ConvParams.of(1, 1), true, new Rng(5));
             Conv2d dev = new Conv2d(8, 16, 3, ConvParams.of(1, 1), true, new Rng(5));
             Tensor x = r.standardNormal(Device.CPU, DType.F32, 2, 8, 12, 12)) {
            ref.to(Device.CPU, DType.F64);
            dev.to(device(), DType.F32);
            double[] want;
            float[] got;
            try (Scope s = Scope.open()) {
                want = ref.forward(Variable.constant(x.to(DType.F64))).value().toDoubleArray();
                try (Autocast ac = Autocast.enable(DType.BF16)) {
                    Variable y = dev.forward(Variable.constant(x.to(device())));
                    assertEquals(DType.F32, y.dtype(), "autocast results come back as FP32");
                    got = y.value().toFloatArray();
                }
            }
            double scale = 0;
            for (double v : want) scale = Math.max(scale, Math.abs(v));
            for (int i = 0; i < want.length; i++) {
                // inputs and weights rounded to BF16 (relative 2^-9 each), FP32 accumulation, output rounded once
                assertEquals(want[i], got[i], 1e-2 * scale, "BF16 conv output " + i);
            }
        }
    }

    @Test
    void memoryInUseIsFlatAcrossTrainingSteps() {
        Tensor[] b = batch(2, 8, 8, 17);
        try (MiniUNet dev = model(device(), DType.F32); Optimizer opt = rmsprop(dev)) {
            trainStep(dev, opt, b, device()); // warm-up: lazily allocated state lives from here on
            long live = Tensor.liveCount(), inUse = Backends.memoryStats(device()).inUse();
            double first = 0, last = 0;
            for (int k = 0; k < memorySteps(); k++) {
                double l = trainStep(dev, opt, b, device());
                if (k == 0) first = l;
                last = l;
            }
            assertEquals(live, Tensor.liveCount(), "live tensors after " + memorySteps() + " steps");
            long after = Backends.memoryStats(device()).inUse();
            assertTrue(after <= inUse, "bytes in use grew from " + inUse + " to " + after + " in " + memorySteps() + " steps on "
                    + device() + " (" + Backends.memoryStats(device()) + ")");
            assertTrue(last < first, "the loss fell: " + first + " -> " + last);
        } finally {
            for (Tensor t : b) t.close();
        }
    }
}
