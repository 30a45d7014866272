package org.wpunet.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wpunet.core.DType;
import org.wpunet.model.AbstractUNet;
import org.wpunet.model.ConvInit;
import org.wpunet.model.UNet;
import org.wpunet.model.WpuNet;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;
import org.wpunet.nn.io.Json;
import org.wpunet.nn.io.Safetensors;

/**
 * Reads a trained WPU-Net or U-Net from disk, whatever wrote it: a run directory of {@code wpunet
 * train}, one of its checkpoint directories, or a {@code .safetensors} file (ours, one exported by
 * {@code wpunet export}, or an original PyTorch checkpoint converted by
 * {@code benchmarks/pytorch/convert_pth.py}).
 *
 * <p>A file whose metadata holds the run config ({@link Checkpoints#CONFIG_METADATA}) is built from
 * that config; any other file is recognised from its tensors: a {@code module.} prefix (checkpoints
 * saved through {@code nn.DataParallel}) is stripped, WPU-Net and U-Net are told apart by the key of
 * their first convolution ({@code down1.conv1.0.weight} vs {@code down1.0.conv1.0.weight}), the five
 * widths are read from the convolution shapes, multi-level fusion from {@code down2}'s input channels
 * (w0 + 1 or w0) and the classes from the 1x1 head.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** The paper's normalisation of the pure-iron images, used when a file carries no run config. */
    public static final double DEFAULT_MEAN = 0.9336267, DEFAULT_STD = 0.1365774;
    /** The checkpoints of a run directory, in the order {@link #load} prefers them. */
    public static final List<String> PREFERENCE = List.of(Checkpoints.BEST_VI, Checkpoints.BEST_LOSS, Checkpoints.LAST);

    static final String WPUNET_FIRST = "down1.conv1.0.weight", UNET_FIRST = "down1.0.conv1.0.weight";
    private static final String DP_PREFIX = "module.";

    /**
     * A loaded network and what it is.
     *
     * @param model        the network, in eval mode, F32, on the requested device (the caller closes it)
     * @param architecture "wpunet" or "unet"
     * @param inChannels   input channels (2 for WPU-Net: image and previous mask; 1 for U-Net)
     * @param widths       the five widths
     * @param fusion       multi-level fusion of the previous mask (always false for U-Net)
     * @param classes      output channels (2, or 1 for networks trained with an MSE loss)
     * @param mean         normalisation mean of the input image (run config, else {@link #DEFAULT_MEAN})
     * @param std          normalisation std (run config, else {@link #DEFAULT_STD})
     * @param file         the safetensors file read
     * @param checkpoint   the checkpoint chosen in a run directory (best-vi, best-loss, last), else null
     * @param config       the run config from the file's metadata, or null when it had none
     */
    public record LoadedModel(AbstractUNet model, String architecture, int inChannels, int[] widths, boolean fusion, int classes,
                              double mean, double std, Path file, String checkpoint, TrainConfig config) implements AutoCloseable {
        public LoadedModel {
            widths = widths.clone();
        }

        @Override
        public int[] widths() { return widths.clone(); }

        public boolean isWpuNet() { return architecture.equals("wpunet"); }

        /** E.g. "WPU-Net (fusion on), widths [64, 128, 256, 512, 1024], 2 classes, 31,051,074 parameters". */
        public String describe() {
            String what = isWpuNet() ? "WPU-Net (fusion " + (fusion ? "on" : "off") + ")" : "U-Net";
            return String.format(Locale.ROOT, "%s, widths %s, %d input channel%s, %d class%s, %,d parameters", what, Arrays.toString(widths),
                    inChannels, inChannels == 1 ? "" : "s", classes, classes == 1 ? "" : "es", model.parameterCount());
        }

        @Override
        public void close() { model.close(); }
    }

    /** The safetensors file a path stands for, and the checkpoint chosen when it is a run directory. */
    public record Source(Path file, String checkpoint) {}

    /** What {@code --model} names the bundled model by; also the default. */
    public static final String PRETRAINED = "pretrained";
    /** The bundled model: a WPU-Net (widths 16..256, mixed previous masks) trained on synthetic stacks (docs/inference.md). */
    static final String PRETRAINED_RESOURCE = "/org/wpunet/pretrained/wpunet-tiny.safetensors";

    /** {@link #load(Path, Device)}, or the bundled model when {@code spec} is {@value #PRETRAINED}. */
    public static LoadedModel load(String spec, Device device) throws IOException {
        return spec.equals(PRETRAINED) ? loadPretrained(device) : load(Path.of(spec), device);
    }

    /** The model that ships in this jar, copied to a temporary file and loaded as any model file. */
    public static LoadedModel loadPretrained(Device device) throws IOException {
        try (InputStream in = ModelFiles.class.getResourceAsStream(PRETRAINED_RESOURCE)) {
            if (in == null) throw new IllegalStateException("the bundled model " + PRETRAINED_RESOURCE + " is missing from the class path");
            Path tmp = Files.createTempFile("wpunet-pretrained-", ".safetensors");
            try {
                Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                LoadedModel m = load(tmp, device);
                return new LoadedModel(m.model(), m.architecture(), m.inChannels(), m.widths(), m.fusion(), m.classes(), m.mean(), m.std(),
                        Path.of(PRETRAINED), m.checkpoint(), m.config());
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * Loads the network at {@code path}: a RUN_DIR (its {@code checkpoints/best-vi}, else
     * {@code best-loss}, else {@code last}), a checkpoint directory holding {@code model.safetensors},
     * or a {@code .safetensors} file. Errors are {@link IllegalArgumentException}s (or
     * {@link IOException}s for unreadable files) with one message saying what is wrong.
     */
    public static LoadedModel load(Path path, Device device) throws IOException {
        Source src = resolve(path);
        try (Safetensors.Contents c = read(src.file())) {
            Map<String, Tensor> tensors = stripPrefix(c.tensors());
            String configJson = c.metadata().get(Checkpoints.CONFIG_METADATA);
            TrainConfig config = configJson == null ? null : parseConfig(src.file(), configJson);
            AbstractUNet model = config != null ? TrainingModel.build(config, device) : infer(src.file(), tensors, device);
            try {
                checkKeys(src.file(), model, tensors);
                try {
                    model.loadStateDict(tensors, true);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(src.file() + ": tensor shapes fit no " + name(model) + " with "
                            + (config != null ? "the run config's " : "") + "widths " + Arrays.toString(model.widths()) + ": "
                            + e.getMessage(), e);
                }
                model.eval();
                boolean fusion = model instanceof WpuNet w && w.config().multiLevelFusion();
                return new LoadedModel(model, model instanceof WpuNet ? "wpunet" : "unet", model.inChannels(), model.widths(), fusion,
                        model.classes(), config != null ? config.mean() : DEFAULT_MEAN, config != null ? config.std() : DEFAULT_STD,
                        src.file(), src.checkpoint(), config);
            } catch (RuntimeException e) {
                model.close();
                throw e;
            }
        }
    }

    /** Which file {@link #load} reads for {@code path}; errors name the path and what was expected. */
    public static Source resolve(Path path) throws IOException {
        if (Files.isRegularFile(path)) return new Source(path, null);
        if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such file or directory");
        if (!Files.isDirectory(path)) throw new IllegalArgumentException(path + ": not a file or directory");
        Path model = path.resolve(Checkpoints.MODEL_FILE);
        if (Files.isRegularFile(model)) return new Source(model, null);
        Path checkpoints = path.resolve("checkpoints");
        if (Files.isDirectory(checkpoints)) {
            for (String name : PREFERENCE) {
                Path f = Checkpoints.directory(path, name).resolve(Checkpoints.MODEL_FILE);
                if (Files.isRegularFile(f)) return new Source(f, name);
            }
            throw new IllegalArgumentException(path + ": a run directory without checkpoints (none of checkpoints/"
                    + String.join(", checkpoints/", PREFERENCE) + " holds " + Checkpoints.MODEL_FILE + "; has the run saved one yet?)");
        }
        throw new IllegalArgumentException(path + ": expected a run directory (with checkpoints/), a checkpoint directory (with "
                + Checkpoints.MODEL_FILE + ") or a .safetensors file");
    }

    private static Safetensors.Contents read(Path file) throws IOException {
        try {
            return Safetensors.readContents(file);
        } catch (IOException e) {
            if (e instanceof NoSuchFileException || e instanceof java.nio.file.AccessDeniedException) throw e;
            String hint = looksLikePickle(file) ? " (it looks like a PyTorch .pth file: convert it with benchmarks/pytorch/convert_pth.py)" : "";
            throw new IllegalArgumentException(file + ": not a safetensors file: " + e.getMessage() + hint, e);
        }
    }

    /** torch.save writes a zip archive (PK) since PyTorch 1.6, a bare pickle (0x80 protocol byte) before. */
    private static boolean looksLikePickle(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            int a = in.read(), b = in.read();
            return (a == 'P' && b == 'K') || a == 0x80;
        } catch (IOException e) {
            return false;
        }
    }

    private static TrainConfig parseConfig(Path file, String json) {
        try {
            return TrainConfig.fromMap((Map<?, ?>) Json.parse(json));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": metadata '" + Checkpoints.CONFIG_METADATA + "' is not a valid run config: "
                    + e.getMessage(), e);
        }
    }

    /** The tensors with a leading {@code module.} (nn.DataParallel) removed from every key that has it. */
    static Map<String, Tensor> stripPrefix(Map<String, Tensor> tensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        tensors.forEach((k, v) -> out.put(k.startsWith(DP_PREFIX) ? k.substring(DP_PREFIX.length()) : k, v));
        return out;
    }

    /** Builds the network the tensors describe (not yet loaded), on {@code device} in F32. */
    static AbstractUNet infer(Path file, Map<String, Tensor> t, Device device) {
        boolean wpu = t.containsKey(WPUNET_FIRST), unet = t.containsKey(UNET_FIRST);
        if (wpu == unet) {
            throw new IllegalArgumentException(file + ": not a WPU-Net or U-Net state dict: expected the key " + WPUNET_FIRST
                    + " (WPU-Net) or " + UNET_FIRST + " (U-Net)" + (wpu ? ", found both" : ", found " + firstKeys(t.keySet(), 5)));
        }
        String p = wpu ? "down%d.conv1.0.weight" : "down%d.%d.conv1.0.weight";
        int[][] down = new int[4][];
        for (int k = 1; k <= 4; k++) {
            String key = wpu ? String.format(Locale.ROOT, p, k) : String.format(Locale.ROOT, p, k, k == 1 ? 0 : 1);
            down[k - 1] = convShape(file, t, key);
        }
        int[] bottom = convShape(file, t, "bottom.1.conv1.0.weight");
        Tensor head = t.get("final.0.weight");
        if (head == null || head.shape().length != 4) {
            throw new IllegalArgumentException(file + ": " + (head == null ? "missing key final.0.weight (the 1x1 head)"
                    : "final.0.weight has shape " + Arrays.toString(head.shape()) + ", expected [classes, w0, 1, 1]"));
        }
        int[] w = {down[0][0], down[1][0], down[2][0], down[3][0], bottom[0]};
        int in = down[0][1], classes = head.shape()[0];
        AbstractUNet m;
        if (wpu) {
            boolean fusion = down[1][1] == w[0] + 1;
            int extra = fusion ? 1 : 0;
            for (int k = 1; k < 4; k++) {
                if (down[k][1] != w[k - 1] + extra) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "%s: tensor shapes fit no WPU-Net: down%d.conv1.0.weight has %d input channels, expected %d (w%d = %d%s)", file,
                            k + 1, down[k][1], w[k - 1] + extra, k - 1, w[k - 1], fusion ? " + 1 mask channel, as down2 has" : ", as down2 has"));
                }
            }
            if (in < 2 && fusion) {
                throw new IllegalArgumentException(file + ": tensor shapes fit no WPU-Net: down1 takes " + in
                        + " input channel but multi-level fusion needs the image and the mask (>= 2)");
            }
            m = new WpuNet(WpuNet.Config.defaults().withInChannels(in).withClasses(classes).withWidths(w).withMultiLevelFusion(fusion), new Rng(0));
        } else {
            m = new UNet(UNet.Config.defaults().withInChannels(in).withClasses(classes).withWidths(w), new Rng(0));
        }
        m.to(device, DType.F32);
        return m;
    }

    private static int[] convShape(Path file, Map<String, Tensor> t, String key) {
        Tensor v = t.get(key);
        if (v == null) throw new IllegalArgumentException(file + ": missing key " + key + " (found " + firstKeys(t.keySet(), 5) + ")");
        int[] s = v.shape();
        if (s.length != 4 || s[2] != 3 || s[3] != 3) {
            throw new IllegalArgumentException(file + ": tensor shapes fit no WPU-Net/U-Net: " + key + " has shape " + Arrays.toString(s)
                    + ", expected a 3x3 convolution [out, in, 3, 3]");
        }
        return s;
    }

    /** Missing or unexpected keys: an error naming the first few of each and what was expected. */
    private static void checkKeys(Path file, AbstractUNet model, Map<String, Tensor> tensors) {
        Map<String, Tensor> own = model.stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        for (String k : own.keySet()) if (!tensors.containsKey(k)) missing.add(k);
        for (String k : tensors.keySet()) if (!own.containsKey(k)) unexpected.add(k);
        if (missing.isEmpty() && unexpected.isEmpty()) return;
        StringBuilder b = new StringBuilder(file + ": not a " + name(model) + " state dict of the original's layout (" + own.size()
                + " keys from down1 to final.0.bias expected, " + tensors.size() + " found)");
        if (!unexpected.isEmpty()) b.append("; unexpected keys: ").append(firstKeys(unexpected, 5));
        if (!missing.isEmpty()) b.append("; missing keys: ").append(firstKeys(missing, 5));
        throw new IllegalArgumentException(b.toString());
    }

    private static String name(AbstractUNet m) { return m instanceof WpuNet ? "WPU-Net" : "U-Net"; }

    private static String firstKeys(java.util.Collection<String> keys, int n) {
        List<String> l = new ArrayList<>(keys);
        if (l.isEmpty()) return "no tensors";
        String head = String.join(", ", l.subList(0, Math.min(n, l.size())));
        return l.size() > n ? head + ", ... (" + l.size() + " in all)" : head;
    }
}
