package org.wpunet.train;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.Device;
import org.wpunet.model.AbstractUNet;
import org.wpunet.model.ConvInit;
import org.wpunet.model.UNet;
import org.wpunet.model.WpuNet;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.nn.io.StateDicts;
import org.wpunet.train.data.MixedPrevMask;
import org.wpunet.train.data.PrevMaskMode;
import org.wpunet.train.loss.LossKind;

/**
 * {@link ModelFiles#load}: original-style PyTorch checkpoints converted by
 * benchmarks/pytorch/convert_pth.py (fixtures and their PyTorch eval-mode logits from
 * src/test/resources/golden/convert/make_convert_golden.py, which uses the original module
 * definitions with small widths), files saved by {@link Checkpoints} with the run config, state dicts
 * without metadata, and every error.
 */
class ModelFilesTest {
    static final double TOL = 1e-4;
    @TempDir Path tmp;
    static Safetensors.Contents io;

    @BeforeAll
    static void fixtures() throws Exception { io = Safetensors.readContents(golden("io.safetensors")); }

    @AfterAll
    static void close() { io.close(); }

    static Path golden(String name) throws Exception {
        return Path.of(ModelFilesTest.class.getResource("/golden/convert/" + name).toURI());
    }

    /** max |a - b| / max |b| */
    static double relErr(Tensor ours, Tensor ref) {
        assertArrayEquals(ref.shape(), ours.shape());
        double[] a = ours.toDoubleArray(), b = ref.toDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    static double[] logits(AbstractUNet net, Tensor x) {
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            return net.forward(Variable.constant(x)).value().toDoubleArray();
        }
    }

    static double logitsErr(AbstractUNet net, String prefix) {
        Tensor ref = io.tensors().get(prefix + ".logits");
        long distinct = java.util.Arrays.stream(ref.toDoubleArray()).distinct().count();
        assertTrue(distinct > ref.numel() / 4, "the reference logits must vary with the input: " + distinct + " distinct values");
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            return relErr(net.forward(Variable.constant(io.tensors().get(prefix + ".x"))).value(), io.tensors().get(prefix + ".logits"));
        }
    }

    @Test
    void convertedDataParallelWpuNetIsRecognisedAndReproducesPyTorch() throws Exception {
        Path f = golden("wpunet_dp.safetensors");
        try (Safetensors.Contents raw = Safetensors.readContents(f)) {
            assertTrue(raw.tensors().keySet().stream().noneMatch(k -> k.startsWith("module.")), "the converter strips DataParallel's prefix");
            assertEquals("I64", raw.storedDTypes().get("down1.conv1.1.num_batches_tracked"));
            assertEquals("best_model_state.pth", raw.metadata().get("wpunet.source"));
        }
        try (ModelFiles.LoadedModel m = ModelFiles.load(f, Device.CPU)) {
            assertEquals("wpunet", m.architecture());
            assertTrue(m.isWpuNet() && m.fusion() && m.model() instanceof WpuNet);
            assertArrayEquals(new int[]{2, 4, 8, 16, 32}, m.widths());
            assertEquals(2, m.inChannels());
            assertEquals(2, m.classes());
            assertEquals(ModelFiles.DEFAULT_MEAN, m.mean());
            assertEquals(ModelFiles.DEFAULT_STD, m.std());
            assertNull(m.config());
            assertNull(m.checkpoint());
            assertEquals(f, m.file());
            assertFalse(m.model().isTraining());
            assertEquals(1234, m.model().stateDict().get("bottom.1.conv2.1.num_batches_tracked").toDoubleArray()[0]);
            double e = logitsErr(m.model(), "wpunet");
            System.out.printf("converted WPU-Net vs PyTorch eval logits: %.2e%n", e);
            assertTrue(e < TOL, "relative error " + e);
            assertTrue(m.describe().startsWith("WPU-Net (fusion on), widths [2, 4, 8, 16, 32], 2 input channels, 2 classes, 31,172 parameters"),
                    m.describe());
        }
    }

    @Test
    void convertedUNetIsRecognisedAndReproducesPyTorch() throws Exception {
        try (ModelFiles.LoadedModel m = ModelFiles.load(golden("unet.safetensors"), Device.CPU)) {
            assertEquals("unet", m.architecture());
            assertTrue(m.model() instanceof UNet);
            assertFalse(m.fusion());
            assertArrayEquals(new int[]{1, 2, 4, 8, 16}, m.widths());
            assertEquals(1, m.inChannels());
            assertEquals(2, m.classes());
            double e = logitsErr(m.model(), "unet");
            System.out.printf("converted U-Net vs PyTorch eval logits: %.2e%n", e);
            assertTrue(e < TOL, "relative error " + e);
        }
    }

    static TrainConfig config(String model, boolean fusion, LossKind loss) {
        TrainConfig d = TrainConfig.defaults("synthetic");
        return new TrainConfig("synthetic", model, fusion, loss, "custom", new int[]{3, 5, 6, 8, 9}, 4, 2, 32, "cpu", "fp32", 11, 1e-3,
                d.alpha(), d.eps(), d.clip(), 10, 0.8, 1e-6, PrevMaskMode.GT, MixedPrevMask.defaults(), 0.5, 0.25, null, null, 1, 1, 0,
                0, 0);
    }

    @Test
    void dataParallelPrefixIsStripped() throws Exception {
        Path f = tmp.resolve("dp.safetensors");
        try (Safetensors.Contents c = Safetensors.readContents(golden("wpunet_dp.safetensors"))) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> t.put("module." + k, v));
            Safetensors.write(f, t, Map.of(), Set.of());
        }
        try (ModelFiles.LoadedModel m = ModelFiles.load(f, Device.CPU)) {
            assertTrue(m.fusion());
            assertArrayEquals(new int[]{2, 4, 8, 16, 32}, m.widths());
            assertTrue(logitsErr(m.model(), "wpunet") < TOL);
        }
    }

    @Test
    void runDirectoryPrefersBestViThenBestLossThenLastAndUsesTheRunConfig() throws Exception {
        TrainConfig c = config("wpunet", false, LossKind.MSE7);
        Path run = tmp.resolve("run");
        Tensor x = new Rng(5).standardNormal(Device.CPU, org.wpunet.core.DType.F32, 1, 2, 32, 32);
        try (AbstractUNet last = TrainingModel.build(c, Device.CPU); AbstractUNet best = TrainingModel.build(config("wpunet", false, LossKind.MSE7)
                .withRuntime("elsewhere", 9, "cpu", 1, 1, 0, 0), Device.CPU)) {
            // make the two checkpoints differ: one more training-mode forward updates best's running stats
            try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
                best.forward(Variable.constant(x));
            }
            last.eval();
            best.eval();
            double[] lastOut = logits(last, x), bestOut = logits(best, x);
            assertFalse(java.util.Arrays.equals(lastOut, bestOut));
            Checkpoints.save(run, Checkpoints.LAST, last, null, c, new RunState());
            try (ModelFiles.LoadedModel m = ModelFiles.load(run, Device.CPU)) {
                assertEquals(Checkpoints.LAST, m.checkpoint());
                assertEquals(Checkpoints.directory(run, Checkpoints.LAST).resolve(Checkpoints.MODEL_FILE), m.file());
                assertEquals(c, m.config());
                assertEquals(0.5, m.mean());
                assertEquals(0.25, m.std());
                assertEquals(1, m.classes(), "mse7 has one output channel");
                assertFalse(m.fusion());
                assertArrayEquals(lastOut, logits(m.model(), x));
            }
            Checkpoints.save(run, Checkpoints.BEST_LOSS, best, null, c, new RunState());
            try (ModelFiles.LoadedModel m = ModelFiles.load(run, Device.CPU)) {
                assertEquals(Checkpoints.BEST_LOSS, m.checkpoint());
                assertArrayEquals(bestOut, logits(m.model(), x));
            }
            Checkpoints.save(run, Checkpoints.BEST_VI, last, null, c, new RunState());
            try (ModelFiles.LoadedModel m = ModelFiles.load(run, Device.CPU)) {
                assertEquals(Checkpoints.BEST_VI, m.checkpoint());
                assertArrayEquals(lastOut, logits(m.model(), x));
            }
            try (ModelFiles.LoadedModel m = ModelFiles.load(Checkpoints.directory(run, Checkpoints.BEST_LOSS), Device.CPU)) {
                assertNull(m.checkpoint(), "a checkpoint directory is taken as given");
                assertArrayEquals(bestOut, logits(m.model(), x));
            }
        }
    }

    @Test
    void architectureIsInferredFromTensorsWithoutMetadata() throws Exception {
        int[] w = {3, 5, 6, 8, 9};
        Tensor x = new Rng(6).standardNormal(Device.CPU, org.wpunet.core.DType.F32, 1, 3, 32, 32);
        for (boolean fusion : new boolean[]{false, true}) {
            Path f = tmp.resolve("w" + fusion + ".safetensors");
            try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withInChannels(3).withClasses(1).withWidths(w).withMultiLevelFusion(fusion),
                    new Rng(4))) {
                net.eval();
                StateDicts.save(net, f);
                try (ModelFiles.LoadedModel m = ModelFiles.load(f, Device.CPU)) {
                    assertEquals(fusion, m.fusion());
                    assertArrayEquals(w, m.widths());
                    assertEquals(3, m.inChannels());
                    assertEquals(1, m.classes());
                    assertArrayEquals(logits(net, x), logits(m.model(), x));
                }
            }
        }
        Path f = tmp.resolve("unet.safetensors");
        try (UNet net = new UNet(UNet.Config.defaults().withWidths(w), new Rng(4))) {
            StateDicts.save(net, f);
        }
        try (ModelFiles.LoadedModel m = ModelFiles.load(f, Device.CPU)) {
            assertEquals("unet", m.architecture());
            assertArrayEquals(w, m.widths());
        }
    }

    // ------------------------------------------------------------------ errors

    static String error(Path p) {
        Exception e = assertThrows(Exception.class, () -> ModelFiles.load(p, Device.CPU).close());
        assertTrue(e instanceof IllegalArgumentException || e instanceof IOException, e.toString());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    /** The converted WPU-Net's tensors (prefix stripped), edited, written without metadata. */
    Path edited(String name, java.util.function.Consumer<Map<String, Tensor>> edit) throws Exception {
        Path f = tmp.resolve(name);
        try (Safetensors.Contents c = Safetensors.readContents(golden("wpunet_dp.safetensors"))) {
            Map<String, Tensor> t = new LinkedHashMap<>(ModelFiles.stripPrefix(c.tensors()));
            edit.accept(t);
            Safetensors.write(f, t, Map.of(), Set.of());
        }
        return f;
    }

    @Test
    void errorsSayWhatIsWrong() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.safetensors"), "hello, this is not a model");
        assertTrue(error(text).contains("not a safetensors file"), error(text));
        Path pth = Files.write(tmp.resolve("best_model_state.pth"), new byte[]{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        assertTrue(error(pth).contains("convert it with benchmarks/pytorch/convert_pth.py"), error(pth));

        Path other = tmp.resolve("resnet.safetensors");
        Safetensors.write(other, Map.of("conv1.weight", Tensor.zeros(4, 3, 3, 3), "fc.weight", Tensor.zeros(2, 4)), Map.of(), Set.of());
        String m = error(other);
        assertTrue(m.contains("not a WPU-Net or U-Net state dict") && m.contains("down1.conv1.0.weight") && m.contains("down1.0.conv1.0.weight")
                && m.contains("conv1.weight"), m);

        m = error(edited("extra.safetensors", t -> {
            t.put("aux.0.weight", Tensor.zeros(2));
            t.remove("up2.deconv.bias");
        }));
        assertTrue(m.contains("not a WPU-Net state dict") && m.contains("unexpected keys: aux.0.weight")
                && m.contains("missing keys: up2.deconv.bias"), m);

        m = error(edited("down3.safetensors", t -> t.put("down3.conv1.0.weight", Tensor.zeros(8, 7, 3, 3))));
        assertTrue(m.contains("fit no WPU-Net") && m.contains("down3.conv1.0.weight has 7 input channels, expected 5"), m);
        m = error(edited("up.safetensors", t -> t.put("upconv1.conv1.0.weight", Tensor.zeros(16, 30, 3, 3))));
        assertTrue(m.contains("shapes fit no WPU-Net") && m.contains("upconv1.conv1.0.weight"), m);
        m = error(edited("k1.safetensors", t -> t.put("down1.conv1.0.weight", Tensor.zeros(2, 2, 1, 1))));
        assertTrue(m.contains("expected a 3x3 convolution"), m);

        Path run = tmp.resolve("run");
        Files.createDirectories(run.resolve("checkpoints/last"));
        m = error(run);
        assertTrue(m.contains("a run directory without checkpoints"), m);
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(error(empty).contains("expected a run directory"), error(empty));
        assertThrows(NoSuchFileException.class, () -> ModelFiles.load(tmp.resolve("missing"), Device.CPU));

        Path badConfig = tmp.resolve("badconfig.safetensors");
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(2, 2, 2, 2, 2))) {
            Safetensors.write(badConfig, net.stateDict(), Map.of(Checkpoints.CONFIG_METADATA, "{\"model\": \"wpunet\"}"), net.int64Keys());
        }
        assertTrue(error(badConfig).contains("not a valid run config"), error(badConfig));
    }
}
