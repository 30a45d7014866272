package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.wpunet.cli.SynthCommandTest.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.cli.SynthCommandTest.Run;
import org.wpunet.core.Device;
import org.wpunet.core.Tensor;
import org.wpunet.model.AbstractUNet;
import org.wpunet.train.ModelFiles;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.RunState;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.TrainingModel;
import org.wpunet.train.data.MixedPrevMask;
import org.wpunet.train.data.PrevMaskMode;
import org.wpunet.train.loss.LossKind;

class ExportCommandTest {
    @TempDir Path tmp;

    static TrainConfig config() {
        TrainConfig d = TrainConfig.defaults("synthetic");
        return new TrainConfig("synthetic", "wpunet", true, LossKind.ABW, "custom", new int[]{2, 4, 8, 16, 32}, 3, 2, 32, "cpu", "fp32", 5, 1e-3,
                d.alpha(), d.eps(), d.clip(), 10, 0.8, 1e-6, PrevMaskMode.MIXED, MixedPrevMask.defaults(), 0.75, 0.125, null, null, 1, 1, 0, 0,
                0);
    }

    /** A run directory with a best-loss and a last checkpoint (different weights: other seeds). */
    Path runDir() throws Exception {
        Path run = tmp.resolve("run");
        TrainConfig c = config();
        try (AbstractUNet a = TrainingModel.build(c, Device.CPU)) {
            Checkpoints.save(run, Checkpoints.BEST_LOSS, a, null, c, new RunState());
        }
        TrainConfig other = new TrainConfig(c.data(), c.model(), c.fusion(), c.loss(), c.preset(), c.widths(), c.epochs(), c.batch(), c.crop(),
                c.device(), c.precision(), 99, c.lr(), c.alpha(), c.eps(), c.clip(), c.lrStep(), c.lrGamma(), c.minLr(), c.prevMask(), c.mixed(),
                c.mean(), c.std(), null, null, 1, 1, 0, 0, 0);
        try (AbstractUNet b = TrainingModel.build(other, Device.CPU)) {
            Checkpoints.save(run, Checkpoints.LAST, b, null, c, new RunState());
        }
        return run;
    }

    static void assertSameTensors(Path expected, Path actual) throws Exception {
        try (Safetensors.Contents a = Safetensors.readContents(expected); Safetensors.Contents b = Safetensors.readContents(actual)) {
            assertEquals(new ArrayList<>(a.tensors().keySet()), new ArrayList<>(b.tensors().keySet()));
            assertEquals(a.storedDTypes(), b.storedDTypes());
            for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
                assertArrayEquals(e.getValue().shape(), b.tensors().get(e.getKey()).shape(), e.getKey());
                assertArrayEquals(e.getValue().toDoubleArray(), b.tensors().get(e.getKey()).toDoubleArray(), e.getKey());
            }
        }
    }

    static void assertOneError(Run r, String fragment) {
        assertEquals(2, r.rc(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(fragment), r.err());
    }

    @Test
    void exportsTheBestCheckpointWithPyTorchKeysAndTheRunConfig() throws Exception {
        Path run = runDir(), out = tmp.resolve("model.safetensors");
        Run r = run(null, "export", "--model", run.toString(), "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("WPU-Net (fusion on), widths [2, 4, 8, 16, 32]") && r.out().contains("31,172 parameters")
                && r.out().contains("checkpoint best-loss") && r.out().contains(out.toAbsolutePath().normalize().toString()), r.out());
        Path best = Checkpoints.directory(run, Checkpoints.BEST_LOSS).resolve(Checkpoints.MODEL_FILE);
        assertSameTensors(best, out);
        try (Safetensors.Contents c = Safetensors.readContents(out)) {
            assertEquals("I64", c.storedDTypes().get("down1.conv1.1.num_batches_tracked"));
            assertEquals("F32", c.storedDTypes().get("final.0.weight"));
            assertTrue(c.tensors().keySet().stream().noneMatch(k -> k.startsWith("module.")));
            assertEquals("pt", c.metadata().get("format"));
        }
        // the same keys and shapes as the original code's WPU_Net (converted fixture of the same widths)
        try (Safetensors.Contents c = Safetensors.readContents(out);
             Safetensors.Contents orig = Safetensors.readContents(Path.of(getClass().getResource("/golden/convert/wpunet_dp.safetensors").toURI()))) {
            assertEquals(new ArrayList<>(orig.tensors().keySet()), new ArrayList<>(c.tensors().keySet()));
            for (Map.Entry<String, Tensor> e : orig.tensors().entrySet())
                assertArrayEquals(e.getValue().shape(), c.tensors().get(e.getKey()).shape(), e.getKey());
            assertEquals(orig.storedDTypes(), c.storedDTypes());
        }
        try (ModelFiles.LoadedModel m = ModelFiles.load(out, Device.CPU)) {
            assertEquals(config(), m.config());
            assertEquals(0.75, m.mean());
            assertEquals(0.125, m.std());
            assertNull(m.checkpoint());
        }
        // a checkpoint directory exports that checkpoint
        Path last = tmp.resolve("last.safetensors");
        assertEquals(0, run(null, "export", "--model", Checkpoints.directory(run, Checkpoints.LAST).toString(), "--out", last.toString()).rc());
        assertSameTensors(Checkpoints.directory(run, Checkpoints.LAST).resolve(Checkpoints.MODEL_FILE), last);
    }

    @Test
    void neverOverwritesWithoutForce() throws Exception {
        Path run = runDir(), out = tmp.resolve("model.safetensors");
        Files.writeString(out, "keep me");
        assertOneError(run(null, "export", "--model", run.toString(), "--out", out.toString()), "exists (use --force to overwrite)");
        assertEquals("keep me", Files.readString(out));
        assertOneError(run(null, "export", "--model", run.toString(), "--out", out.toString(), "--force"), "not a safetensors file");
        assertEquals("keep me", Files.readString(out), "--force replaces only a file wpunet could have written");
        Files.delete(out);
        assertEquals(0, run(null, "export", "--model", Checkpoints.directory(run, Checkpoints.LAST).toString(), "--out", out.toString()).rc());
        Run r = run(null, "export", "--model", run.toString(), "--out", out.toString(), "--force");
        assertEquals(0, r.rc(), r.err());
        assertSameTensors(Checkpoints.directory(run, Checkpoints.BEST_LOSS).resolve(Checkpoints.MODEL_FILE), out);
        try (var s = Files.list(tmp)) {
            assertEquals(List.of("model.safetensors", "run"), s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporaries left");
        }
    }

    @Test
    void exportsAConvertedFileWithoutRunConfig() throws Exception {
        Path in = Path.of(getClass().getResource("/golden/convert/unet.safetensors").toURI()), out = tmp.resolve("unet.safetensors");
        Run r = run(null, "export", "--model", in.toString(), "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("U-Net, widths [1, 2, 4, 8, 16]") && r.out().contains("no run config"), r.out());
        try (Safetensors.Contents c = Safetensors.readContents(out)) {
            assertFalse(c.metadata().containsKey(Checkpoints.CONFIG_METADATA));
        }
        assertSameTensors(in, out);
    }

    @Test
    void badPathsAreOneErrorLine() throws Exception {
        Path run = runDir();
        assertOneError(run(null, "export", "--model", tmp.resolve("nope").toString(), "--out", tmp.resolve("a.safetensors").toString()),
                "no such file or directory");
        assertOneError(run(null, "export", "--model", run.toString(), "--out", tmp.resolve("no/dir/a.safetensors").toString()),
                "no such directory");
        assertOneError(run(null, "export", "--model", run.toString(), "--out", tmp.resolve("a.pth").toString()), "must end in .safetensors");
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty.resolve("checkpoints"));
        assertOneError(run(null, "export", "--model", empty.toString(), "--out", tmp.resolve("a.safetensors").toString()),
                "a run directory without checkpoints");
        Path self = Checkpoints.directory(run, Checkpoints.LAST).resolve(Checkpoints.MODEL_FILE);
        assertOneError(run(null, "export", "--model", self.toString(), "--out", self.toString(), "--force"), "would overwrite the input");
        assertFalse(Files.exists(tmp.resolve("a.safetensors")));
    }
}
