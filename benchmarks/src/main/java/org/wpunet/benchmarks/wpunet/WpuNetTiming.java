package org.wpunet.benchmarks.wpunet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wpunet.core.Backends;
import org.wpunet.core.CpuProfiler;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Precision;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.model.WpuNet;
import org.wpunet.nn.autograd.Autocast;
import org.wpunet.nn.autograd.MemoryTrace;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;
import org.wpunet.nn.optim.GradClip;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;

/**
 * Times WPU-Net's training step (forward, weighted-map cross-entropy, backward, gradient-norm clip 5,
 * RMSprop(lr 1e-4, alpha 0.9, eps 1e-5): the original recipe) and its inference on one slice, in
 * fp32 (exact), tf32 (TF32 convolutions and GEMMs) and bf16 (BF16 autocast, FP32 master weights),
 * on any device. benchmarks/gpu/wpunet_torch_bench.py times the same in PyTorch eager and
 * benchmarks/gpu/compare-gpu.sh prints the ratios. Each timed step ends with a device synchronise, so
 * the figure is wall time per step as a training loop sees it; the median over the timed steps is
 * reported (after warm-up steps, which also run the cuDNN algorithm search). With
 * {@code -Dwpunet.cpu.profile=true} on the CPU it also prints the per-op profile of the timed steps
 * ({@link CpuProfiler}; benchmarks/profile-wpunet-cpu.sh runs it beside PyTorch's profiler). With
 * {@code -Dwpunet.memory.trace=true} it runs one more training step per mode and prints where its
 * tensor memory went ({@link MemoryTrace}: the bytes in use after the forward, the loss, each backward
 * node, the clip and the optimiser step, above what was held before the timed steps).
 *
 * <pre>
 * WpuNetTiming [--device cuda:0] [--modes fp32,tf32,bf16] [--batch 24] [--size 256] [--infer-size 1024]
 *              [--steps 20] [--warmup 5] [--widths 64,128,256,512,1024] [--json FILE] [--phases train,infer]
 * </pre>
 * {@code --phases infer} skips the training step (the model then infers with its initial running
 * statistics, which costs the same as trained ones).
 */
public final class WpuNetTiming {
    record Options(Device device, List<String> modes, int batch, int size, int inferSize, int steps, int warmup, int[] widths,
                   Path json, boolean train) {}

    private WpuNetTiming() {}

    public static void main(String[] args) throws IOException {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        Map<String, Object> result = run(o, System.out);
        if (o.json() != null) AtomicFiles.writeBytes(o.json(), toJson(result).getBytes(StandardCharsets.UTF_8));
    }

    static Options parse(String[] args) {
        Device device = Backends.defaultDevice();
        List<String> modes = List.of("fp32", "tf32", "bf16");
        int batch = 24, size = 256, infer = 1024, steps = 20, warmup = 5;
        int[] widths = {64, 128, 256, 512, 1024};
        Path json = null;
        boolean train = true;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
            String v = args[++i];
            switch (a) {
                case "--device" -> device = Device.parse(v);
                case "--modes" -> {
                    modes = List.of(v.split(","));
                    for (String m : modes) {
                        if (!List.of("fp32", "tf32", "bf16").contains(m)) throw new IllegalArgumentException("unknown mode '" + m + "' (fp32, tf32, bf16)");
                    }
                }
                case "--batch" -> batch = positive(a, v);
                case "--size" -> size = positive(a, v);
                case "--infer-size" -> infer = positive(a, v);
                case "--steps" -> steps = positive(a, v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--widths" -> widths = Arrays.stream(v.split(",")).mapToInt(s -> positive(a, s)).toArray();
                case "--json" -> json = Path.of(v);
                case "--phases" -> {
                    List<String> phases = List.of(v.split(","));
                    if (!phases.contains("infer") || !List.of("train", "infer").containsAll(phases)) {
                        throw new IllegalArgumentException("--phases takes train,infer or infer, got '" + v + "'");
                    }
                    train = phases.contains("train");
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (size % 16 != 0 || infer % 16 != 0) throw new IllegalArgumentException("sizes must be multiples of 16, got " + size + " and " + infer);
        if (!Backends.isAvailable(device)) {
            Device dev = device;
            String why = Backends.status().stream().filter(st -> st.type().equals(dev.type())).map(Backends.Status::detail)
                    .findFirst().orElse("no backend for '" + dev.type() + "' on the class path");
            throw new IllegalArgumentException(device + " is unavailable: " + why);
        }
        return new Options(device, modes, batch, size, infer, steps, warmup, widths, json, train);
    }

    private static int positive(String opt, String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(opt + " must be a positive integer, got '" + v + "'");
    }

    /** Runs every mode; prints a line per measurement and returns them (ms) for the JSON file. */
    static Map<String, Object> run(Options o, java.io.PrintStream out) {
        Device d = o.device();
        Map<String, Object> train = new LinkedHashMap<>(), infer = new LinkedHashMap<>();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("impl", "wpunet-jvm");
        result.put("device", Backends.get(d).describe());
        result.put("batch", o.batch());
        result.put("size", o.size());
        result.put("infer_size", o.inferSize());
        result.put("train_ms", train);
        result.put("infer_ms", infer);
        Map<String, Object> trainPeak = new LinkedHashMap<>();
        result.put("train_peak_mib", trainPeak);
        boolean tf32Before = Precision.allowTf32();
        try (WpuNet model = new WpuNet(WpuNet.Config.original().withWidths(o.widths()), new Rng(1));
             Optimizer opt = newOptimizer(model.to(d, DType.F32))) {
            out.printf(Locale.ROOT, "WPU-Net %,d parameters on %s%n", model.parameterCount(), Backends.get(d).describe());
            Tensor[] batch = batch(o.batch(), o.size(), d);
            try {
                for (String mode : o.modes()) {
                    Precision.setAllowTf32(mode.equals("tf32"));
                    boolean bf16 = mode.equals("bf16");
                    if (o.train()) {
                        model.train();
                        // peak over the timed steps (after warm-up: optimiser state and gradients exist)
                        double[] t = time(o.warmup(), 0, d, () -> trainStep(model, opt, batch, bf16));
                        long before = Backends.memoryStats(d).inUse();
                        Backends.resetPeakMemory(d);
                        CpuProfiler.reset();
                        t = time(0, o.steps(), d, () -> trainStep(model, opt, batch, bf16));
                        train.put(mode, median(t));
                        // peak bytes held by tensors during the timed steps above what was held before them (model,
                        // optimiser state, batch): activations, gradients and temporaries of a step. Kernel scratch
                        // (per-thread packing buffers) is not a tensor and not counted.
                        trainPeak.put(mode, (Backends.memoryStats(d).peakInUse() - before) / 1048576.0);
                        out.printf(Locale.ROOT, "train %-4s batch %d x %d^2: median %8.2f ms  (min %.2f, mean %.2f, %d steps)%n", mode,
                                o.batch(), o.size(), median(t), min(t), mean(t), t.length);
                        if (CpuProfiler.ENABLED && d.isCpu()) CpuProfiler.report(out, "train " + mode, t.length);
                        if (MemoryTrace.ENABLED) {
                            MemoryTrace.reset();
                            trainStep(model, opt, batch, bf16);
                            MemoryTrace.report(out, before, 15);
                        }
                    }
                    model.eval();
                    try (Tensor x = input(1, o.inferSize(), d, 99)) {
                        double[] ti = time(Math.max(1, o.warmup() / 2), 0, d, () -> inferStep(model, x, bf16));
                        CpuProfiler.reset();
                        ti = time(0, Math.max(3, o.steps() / 2), d, () -> inferStep(model, x, bf16));
                        infer.put(mode, median(ti));
                        out.printf(Locale.ROOT, "infer %-4s 1 x %d^2:        median %8.2f ms  (min %.2f, mean %.2f, %d runs)%n", mode,
                                o.inferSize(), median(ti), min(ti), mean(ti), ti.length);
                        if (CpuProfiler.ENABLED && d.isCpu()) CpuProfiler.report(out, "inference " + mode, ti.length);
                    }
                }
            } finally {
                for (Tensor t : batch) t.close();
            }
            out.println("memory on " + d + ": " + Backends.memoryStats(d));
            out.printf(Locale.ROOT, "train peak above the step's start (MiB): %s%n", trainPeak);
        } finally {
            Precision.setAllowTf32(tf32Before);
        }
        return result;
    }

    static Optimizer newOptimizer(org.wpunet.nn.module.Layer m) {
        return new RMSprop(List.of(new ParamGroup(m.parameters(), 1e-4, 0)), 0.9, 1e-5, 0, false);
    }

    /** Image channel U(-1,1), mask channel -6 on ~20% "boundary" pixels else 1 (the original's encoding). */
    static Tensor input(int n, int size, Device d, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[n * 2 * size * size];
        int plane = size * size;
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < plane; i++) {
                x[(2 * b) * plane + i] = (float) (2 * r.nextDouble() - 1);
                x[(2 * b + 1) * plane + i] = r.nextDouble() < 0.2 ? -6f : 1f;
            }
        }
        try (Tensor h = Tensor.of(x, n, 2, size, size)) {
            return h.to(d);
        }
    }

    /** {input, targets, weight map}: ~20% boundary pixels weighted 30-40, the rest 1-11 (abw's ranges). */
    static Tensor[] batch(int n, int size, Device d) {
        Rng r = new Rng(7);
        int[] t = new int[n * size * size];
        float[] w = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = r.nextDouble() < 0.2 ? 1 : 0;
            w[i] = (float) (t[i] == 1 ? 30 + 10 * r.nextDouble() : 1 + 10 * r.nextDouble());
        }
        try (Tensor th = Tensor.of(t, n, size, size); Tensor wh = Tensor.of(w, n, size, size)) {
            return new Tensor[]{input(n, size, d, 3), th.to(d), wh.to(d)};
        }
    }

    static void trainStep(WpuNet model, Optimizer opt, Tensor[] b, boolean bf16) {
        try (Scope s = Scope.open()) {
            opt.zeroGrad();
            Variable logits;
            try (Autocast ac = bf16 ? Autocast.enable(DType.BF16) : Autocast.disable()) {
                logits = model.forward(Variable.constant(b[0]));
            }
            MemoryTrace.mark("forward", logits.device());
            Variable loss = Losses.weightedMapCrossEntropy(logits, b[1], b[2], Reduction.MEAN);
            MemoryTrace.mark("loss", logits.device());
            loss.backward();
            MemoryTrace.mark("after backward", logits.device());
            GradClip.clipGradNorm(model.parameters(), 5.0);
            MemoryTrace.mark("gradient clip", logits.device());
            opt.step();
            MemoryTrace.mark("optimiser step", logits.device());
        }
    }

    static void inferStep(WpuNet model, Tensor x, boolean bf16) {
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter();
             Autocast ac = bf16 ? Autocast.enable(DType.BF16) : Autocast.disable()) {
            model.forward(Variable.constant(x));
        }
    }

    /** Milliseconds of each timed run; every run ends with a device synchronise. */
    static double[] time(int warmup, int runs, Device d, Runnable body) {
        for (int i = 0; i < warmup; i++) {
            body.run();
            Backends.synchronize(d);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            body.run();
            Backends.synchronize(d);
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] a) { return Arrays.stream(a).min().orElse(Double.NaN); }

    static double mean(double[] a) { return Arrays.stream(a).average().orElse(Double.NaN); }

    /** A flat JSON object writer for the result map (strings, numbers, nested maps). */
    static String toJson(Object v) {
        if (v instanceof Map<?, ?> m) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<?, ?> e : m.entrySet()) parts.add(toJson(String.valueOf(e.getKey())) + ": " + toJson(e.getValue()));
            return "{" + String.join(", ", parts) + "}";
        }
        if (v instanceof String s) return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        if (v instanceof Double x) return String.format(Locale.ROOT, "%.4f", x);
        return String.valueOf(v);
    }
}
