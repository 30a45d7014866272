package org.wpunet.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wpunet.nn.io.Json;
import org.wpunet.train.data.MixedPrevMask;
import org.wpunet.train.data.PrevMaskMode;
import org.wpunet.train.loss.LossKind;

/**
 * Everything that defines a training run; saved in every checkpoint's {@code state.json} so that a
 * run can be resumed and its result reproduced. The defaults are the original trainer's recipe
 * (ORIGINAL.md section 5): RMSprop(lr 1e-4, alpha 0.9, eps 1e-5), Xavier-uniform convolutions,
 * gradient-norm clip 5, lr x0.8 every 10 epochs (first decay at 1-based epoch 10, floor 1e-6),
 * batch 24 of 256x256 crops, the abw loss, seed 2019.
 *
 * @param data              the stack (HDF5 file or images/+labels/ directory); several stacks as their
 *                          paths joined by the platform's path separator (':' on Linux), see {@link #dataPaths()}
 * @param model             "wpunet" (two inputs: image and previous boundary) or "unet" (image only)
 * @param fusion            WPU-Net's multi-level fusion of the previous mask (the released model's setting)
 * @param trainSlices       1-based inclusive slice range "A-B" for training, or null for the paper's split scaled
 * @param validationSlices  likewise for validation
 * @param checkpointSteps   also save {@code last} every this many steps inside an epoch (0 = only at epoch ends)
 * @param checkpointMinutes also save {@code last} when this many minutes passed since the last save (0 = never)
 * @param samples           validation tiles drawn in each epoch's sample picture
 */
public record TrainConfig(String data, String model, boolean fusion, LossKind loss, String preset, int[] widths, int epochs,
                          int batch, int crop, String device, String precision, long seed, double lr, double alpha, double eps,
                          double clip, int lrStep, double lrGamma, double minLr, PrevMaskMode prevMask, MixedPrevMask mixed,
                          double mean, double std, String trainSlices, String validationSlices, int loaderThreads, int prefetch,
                          int checkpointSteps, double checkpointMinutes, int samples) {

    /** Width presets; the short-run presets also choose their own learning rate and batch (see docs/training.md). */
    public enum Preset {
        FULL(new int[]{64, 128, 256, 512, 1024}, 1e-4, 24),
        SMALL(new int[]{32, 64, 128, 256, 512}, 1e-3, 8),
        TINY(new int[]{16, 32, 64, 128, 256}, 1e-3, 8);

        public final int[] widths;
        public final double lr;
        public final int batch;

        Preset(int[] widths, double lr, int batch) {
            this.widths = widths;
            this.lr = lr;
            this.batch = batch;
        }

        public String cliName() { return name().toLowerCase(Locale.ROOT); }

        public static Preset parse(String s) {
            for (Preset p : values()) if (p.cliName().equalsIgnoreCase(s.trim())) return p;
            throw new IllegalArgumentException("--preset must be full, small or tiny, got '" + s + "'");
        }
    }

    public TrainConfig {
        widths = widths.clone();
        if (!model.equals("wpunet") && !model.equals("unet")) throw new IllegalArgumentException("--model must be wpunet or unet, got '" + model + "'");
        if (widths.length != 5) throw new IllegalArgumentException("--widths needs 5 values (4 levels + bottom), got " + Arrays.toString(widths));
        for (int w : widths) if (w < 1) throw new IllegalArgumentException("--widths must be positive, got " + Arrays.toString(widths));
        positive("--epochs", epochs);
        positive("--batch", batch);
        positive("--crop", crop);
        if (crop % 16 != 0) throw new IllegalArgumentException("--crop must be a multiple of 16 (four 2x2 poolings), got " + crop);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("--lr must be a positive number, got " + lr);
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("RMSprop alpha must be in (0, 1), got " + alpha);
        if (!(eps > 0)) throw new IllegalArgumentException("RMSprop eps must be > 0, got " + eps);
        if (!(clip > 0)) throw new IllegalArgumentException("--clip must be > 0, got " + clip);
        positive("--lr-step", lrStep);
        if (!(lrGamma > 0 && lrGamma <= 1)) throw new IllegalArgumentException("--lr-gamma must be in (0, 1], got " + lrGamma);
        if (!(minLr >= 0)) throw new IllegalArgumentException("--min-lr must be >= 0, got " + minLr);
        if (!(std > 0)) throw new IllegalArgumentException("--std must be > 0, got " + std);
        if (!precision.equals("fp32") && !precision.equals("tf32") && !precision.equals("bf16"))
            throw new IllegalArgumentException("--precision must be fp32, tf32 or bf16, got '" + precision + "'");
        positive("--loader-threads", loaderThreads);
        positive("--prefetch", prefetch);
        if (checkpointSteps < 0) throw new IllegalArgumentException("--checkpoint-steps must be >= 0, got " + checkpointSteps);
        if (!(checkpointMinutes >= 0)) throw new IllegalArgumentException("--checkpoint-minutes must be >= 0, got " + checkpointMinutes);
        if (samples < 0) throw new IllegalArgumentException("--samples must be >= 0, got " + samples);
        if (model.equals("unet") && prevMask != PrevMaskMode.GT) prevMask = PrevMaskMode.GT; // U-Net has no previous-slice input
    }

    private static void positive(String option, int v) {
        if (v < 1) throw new IllegalArgumentException(option + " must be >= 1, got " + v);
    }

    /** The original recipe on the given data, full widths. */
    public static TrainConfig defaults(String data) {
        Preset p = Preset.FULL;
        return new TrainConfig(data, "wpunet", true, LossKind.ABW, p.cliName(), p.widths, 500, p.batch, 256, "auto", "fp32", 2019,
                p.lr, 0.9, 1e-5, 5.0, 10, 0.8, 1e-6, PrevMaskMode.MIXED, MixedPrevMask.defaults(), 0.9336267, 0.1365774, null, null,
                2, 4, 0, 10, 3);
    }

    @Override
    public int[] widths() { return widths.clone(); }

    public boolean isWpuNet() { return model.equals("wpunet"); }

    /** The stacks of {@link #data()}, in order. */
    public java.util.List<String> dataPaths() { return java.util.List.of(data.split(java.io.File.pathSeparator)); }

    /** Equal settings (the widths by content: a record compares arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && toMap().equals(c.toMap());
    }

    @Override
    public int hashCode() { return toMap().hashCode(); }

    /**
     * A copy with other run-time settings: what a resumed run may change without changing its result
     * (the data's location, the epoch count, the device, loader threads and checkpoint frequency).
     */
    public TrainConfig withRuntime(String data, int epochs, String device, int loaderThreads, int prefetch, int checkpointSteps,
                                   double checkpointMinutes) {
        return new TrainConfig(data, model, fusion, loss, preset, widths, epochs, batch, crop, device, precision, seed, lr, alpha, eps, clip,
                lrStep, lrGamma, minLr, prevMask, mixed, mean, std, trainSlices, validationSlices, loaderThreads, prefetch,
                checkpointSteps, checkpointMinutes, samples);
    }

    /** The config as an ordered map (written into state.json). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("model", model);
        m.put("fusion", fusion);
        m.put("loss", loss.cliName());
        m.put("preset", preset);
        List<Object> w = new ArrayList<>();
        for (int x : widths) w.add((long) x);
        m.put("widths", w);
        m.put("epochs", (long) epochs);
        m.put("batch", (long) batch);
        m.put("crop", (long) crop);
        m.put("device", device);
        m.put("precision", precision);
        m.put("seed", seed);
        m.put("lr", lr);
        m.put("alpha", alpha);
        m.put("eps", eps);
        m.put("clip", clip);
        m.put("lr_step", (long) lrStep);
        m.put("lr_gamma", lrGamma);
        m.put("min_lr", minLr);
        m.put("prev_mask", prevMask.name().toLowerCase(Locale.ROOT));
        Map<String, Object> mx = new LinkedHashMap<>();
        mx.put("p_true", mixed.pTrue());
        mx.put("p_empty", mixed.pEmpty());
        mx.put("p_degraded", mixed.pDegraded());
        mx.put("p_own", mixed.pOwn());
        mx.put("own_from_epoch", (long) mixed.ownFromEpoch());
        m.put("mixed", mx);
        m.put("mean", mean);
        m.put("std", std);
        m.put("train_slices", trainSlices);
        m.put("validation_slices", validationSlices);
        m.put("loader_threads", (long) loaderThreads);
        m.put("prefetch", (long) prefetch);
        m.put("checkpoint_steps", (long) checkpointSteps);
        m.put("checkpoint_minutes", checkpointMinutes);
        m.put("samples", (long) samples);
        return m;
    }

    /** Reads {@link #toMap()} back (from a parsed state.json); a missing or mistyped key is an error naming it. */
    public static TrainConfig fromMap(Map<?, ?> m) {
        Map<?, ?> mx = (Map<?, ?>) need(m, "mixed", Map.class);
        List<?> wl = (List<?>) need(m, "widths", List.class);
        int[] w = new int[wl.size()];
        for (int i = 0; i < w.length; i++) w[i] = ((Number) wl.get(i)).intValue();
        return new TrainConfig(str(m, "data"), str(m, "model"), (Boolean) need(m, "fusion", Boolean.class), LossKind.parse(str(m, "loss")),
                str(m, "preset"), w, num(m, "epochs").intValue(), num(m, "batch").intValue(), num(m, "crop").intValue(), str(m, "device"),
                str(m, "precision"), num(m, "seed").longValue(), dbl(m, "lr"), dbl(m, "alpha"), dbl(m, "eps"), dbl(m, "clip"),
                num(m, "lr_step").intValue(), dbl(m, "lr_gamma"), dbl(m, "min_lr"), PrevMaskMode.parse(str(m, "prev_mask")),
                new MixedPrevMask(dbl(mx, "p_true"), dbl(mx, "p_empty"), dbl(mx, "p_degraded"), dbl(mx, "p_own"),
                        num(mx, "own_from_epoch").intValue()),
                dbl(m, "mean"), dbl(m, "std"), (String) m.get("train_slices"), (String) m.get("validation_slices"),
                num(m, "loader_threads").intValue(), num(m, "prefetch").intValue(), num(m, "checkpoint_steps").intValue(),
                dbl(m, "checkpoint_minutes"), num(m, "samples").intValue());
    }

    private static Object need(Map<?, ?> m, String k, Class<?> type) {
        Object v = m.get(k);
        if (!type.isInstance(v)) throw new IllegalArgumentException("run config: '" + k + "' is missing or not a " + type.getSimpleName());
        return v;
    }

    private static String str(Map<?, ?> m, String k) { return (String) need(m, k, String.class); }

    private static Number num(Map<?, ?> m, String k) { return (Number) need(m, k, Number.class); }

    private static double dbl(Map<?, ?> m, String k) { return num(m, k).doubleValue(); }

    /** Writes maps, lists, strings, numbers, booleans and null as indented JSON (non-finite numbers as null). */
    public static String toJson(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, "");
        return b.append('\n').toString();
    }

    private static void write(StringBuilder b, Object v, String indent) {
        if (v == null) b.append("null");
        else if (v instanceof String s) b.append(Json.quote(s));
        else if (v instanceof Boolean x) b.append(x);
        else if (v instanceof Long || v instanceof Integer) b.append(v);
        else if (v instanceof Number n) {
            double d = n.doubleValue();
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof Map<?, ?> m) {
            b.append("{");
            String in = indent + "  ";
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.append(first ? "\n" : ",\n").append(in).append(Json.quote(String.valueOf(e.getKey()))).append(": ");
                write(b, e.getValue(), in);
                first = false;
            }
            b.append(first ? "}" : "\n" + indent + "}");
        } else if (v instanceof List<?> l) {
            b.append("[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(", ");
                write(b, l.get(i), indent);
            }
            b.append("]");
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass() + " as JSON");
        }
    }
}
