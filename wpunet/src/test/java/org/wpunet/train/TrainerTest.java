package org.wpunet.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.Tensor;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.train.data.MixedPrevMask;
import org.wpunet.train.data.PrevMaskMode;
import org.wpunet.train.loss.LossKind;

/** The training loop on CPU: it learns, it resumes exactly after a kill, it stops on NaN, it rejects bad input. */
class TrainerTest {
    static SerialStack stack;

    @BeforeAll
    static void stack() {
        // 10 slices of 64x64 with grains of ~12 px: slices 1-6 train, 7-10 validate (4 tiles of 32^2 per slice)
        stack = StackSynthesizer.run(StackSynthesizer.Config.of(64, 64, 10, 12, 5), null).stack();
    }

    /** Tiny WPU-Net, 32^2 crops, batch 2; MIXED previous masks including own predictions from epoch 2. */
    static TrainConfig tiny(int epochs, double lr) {
        TrainConfig d = TrainConfig.defaults("synthetic");
        return new TrainConfig("synthetic", "wpunet", true, LossKind.ABW, "custom", new int[]{4, 8, 8, 16, 16}, epochs, 2, 32, "cpu", "fp32",
                7, lr, d.alpha(), d.eps(), d.clip(), 10, 0.8, 1e-6, PrevMaskMode.MIXED, new MixedPrevMask(0.4, 0.2, 0.2, 0.2, 2),
                d.mean(), d.std(), "1-6", "7-10", 2, 2, 2, 0, 2);
    }

    @Test
    void shortTrainingLowersTheValidationLossAndWritesItsReport(@TempDir Path dir) throws IOException {
        RunState s;
        try (Trainer t = Trainer.start(tiny(6, 3e-3), stack, dir, null)) {
            s = t.run();
        }
        assertEquals(6, s.history.size());
        double first = s.history.get(0).validationLoss(), last = s.history.get(5).validationLoss();
        assertTrue(last < 0.9 * first, "validation loss should fall: " + first + " -> " + last);
        for (String f : List.of("log.csv", "curves.png", "samples/epoch-001.png", "samples/epoch-006.png",
                "checkpoints/last/model.safetensors", "checkpoints/last/optimizer.safetensors", "checkpoints/last/state.json",
                "checkpoints/best-loss/model.safetensors", "checkpoints/best-vi/state.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        List<String> log = Files.readAllLines(dir.resolve("log.csv"));
        assertEquals(EpochMetrics.CSV_HEADER, log.get(0));
        assertEquals(7, log.size());
        Checkpoints.Loaded c = Checkpoints.load(dir, Checkpoints.LAST);
        assertEquals(7, c.state().epoch);
        assertEquals(tiny(6, 3e-3), c.config().withRuntime("synthetic", 6, "cpu", 2, 2, 2, 0));
    }

    /** A "kill" (an exception out of the listener, nothing else runs) in the middle of epoch 2, then --resume. */
    @Test
    void aRunKilledMidEpochAndResumedEndsWithTheSameWeights(@TempDir Path dir) throws IOException {
        TrainConfig cfg = tiny(3, 1e-3);
        Path straight = dir.resolve("straight"), killed = dir.resolve("killed");
        try (Trainer t = Trainer.start(cfg, stack, straight, null)) {
            t.run();
        }
        class Kill extends RuntimeException {}
        Trainer.Listener killer = new Trainer.Listener() {
            @Override
            public void stepDone(int epoch, int batch, int batches, long step, double loss, double ips) {
                if (epoch == 2 && batch == 2) throw new Kill();   // after the step-4 checkpoint (every 2 steps), before step 6's
            }
        };
        try (Trainer t = Trainer.start(cfg, stack, killed, killer)) {
            assertThrows(Kill.class, t::run);
        }
        Checkpoints.Loaded last = Checkpoints.load(killed, Checkpoints.LAST);
        assertEquals(2, last.state().epoch);
        assertTrue(last.state().batch > 0 && last.state().batch < 3, "mid-epoch checkpoint, batch " + last.state().batch);
        try (Trainer t = Trainer.resume(last, cfg, stack, killed, null)) {
            t.run();
        }
        assertSameTensors(straight.resolve("checkpoints/last/model.safetensors"), killed.resolve("checkpoints/last/model.safetensors"));
        assertSameTensors(straight.resolve("checkpoints/last/optimizer.safetensors"), killed.resolve("checkpoints/last/optimizer.safetensors"));
        assertEquals(deterministicColumns(straight), deterministicColumns(killed));
    }

    @Test
    void aNonFiniteLossStopsTheRunNamingTheStepAndKeepsTheLastCheckpoint(@TempDir Path dir) {
        TrainConfig c = tiny(2, 1e-3);
        // a standard deviation of 1e-45 turns every normalised pixel into +-infinity: the loss is NaN at once
        TrainConfig bad = new TrainConfig(c.data(), c.model(), c.fusion(), c.loss(), c.preset(), c.widths(), c.epochs(), c.batch(), c.crop(),
                c.device(), c.precision(), c.seed(), c.lr(), c.alpha(), c.eps(), c.clip(), c.lrStep(), c.lrGamma(), c.minLr(), c.prevMask(),
                c.mixed(), c.mean(), 1e-45, c.trainSlices(), c.validationSlices(), 1, 1, 0, 0, 0);
        var e = assertThrows(TrainingDivergedException.class, () -> {
            try (Trainer t = Trainer.start(bad, stack, dir, null)) {
                t.run();
            }
        });
        assertTrue(e.getMessage().contains("at step 1 (epoch 1, batch 1)"), e.getMessage());
        assertTrue(!Files.exists(dir.resolve("checkpoints/last")), "nothing to keep, nothing written");
    }

    /** U-Net with cbw, and WPU-Net with a one-channel MSE output: both train, validate and checkpoint. */
    @Test
    void otherNetworksAndLossesTrain(@TempDir Path dir) throws IOException {
        TrainConfig c = tiny(1, 1e-3);
        for (String[] v : new String[][]{{"unet", "cbw"}, {"wpunet", "mse7"}, {"wpunet", "wce2"}}) {
            TrainConfig k = new TrainConfig(c.data(), v[0], true, LossKind.parse(v[1]), c.preset(), c.widths(), 1, 2, 32, "cpu", "fp32", 3,
                    1e-3, 0.9, 1e-5, 5, 10, 0.8, 1e-6, PrevMaskMode.MIXED, c.mixed(), c.mean(), c.std(), "1-6", "7-10", 1, 1, 0, 0, 1);
            Path run = dir.resolve(v[0] + "-" + v[1]);
            RunState s;
            try (Trainer t = Trainer.start(k, stack, run, null)) {
                assertEquals(v[1].startsWith("mse") ? 1 : 2, t.model().classes());
                s = t.run();
            }
            EpochMetrics m = s.history.get(0);
            assertTrue(Double.isFinite(m.trainLoss()) && Double.isFinite(m.validationLoss()) && Double.isFinite(m.vi()), m.toString());
            assertEquals(v[0].equals("unet"), Double.isNaN(m.viNoPrior()), "no-prior scores are WPU-Net's");
            assertTrue(Files.isRegularFile(run.resolve("checkpoints/last/model.safetensors")));
        }
    }

    @Test
    void theLearningRateFollowsTheOriginalRuleInTheLog(@TempDir Path dir) throws IOException {
        TrainConfig c = tiny(3, 1e-3);
        TrainConfig fast = new TrainConfig(c.data(), c.model(), c.fusion(), c.loss(), c.preset(), c.widths(), 3, 2, 32, "cpu", "fp32", 1, 1e-3,
                0.9, 1e-5, 5, 2, 0.5, 3e-4, PrevMaskMode.GT, c.mixed(), c.mean(), c.std(), "1-4", "7-10", 1, 1, 0, 0, 0);
        RunState s;
        try (Trainer t = Trainer.start(fast, stack, dir, null)) {
            s = t.run();
        }
        // lr(e) = 1e-3 * 0.5^(e // 2), skipped below 3e-4: epochs 1, 2, 3 -> 1e-3, 5e-4, 5e-4
        assertEquals(1e-3, s.history.get(0).lr(), 1e-15);
        assertEquals(5e-4, s.history.get(1).lr(), 1e-15);
        assertEquals(5e-4, s.history.get(2).lr(), 1e-15);
    }

    @Test
    void severalStacksPoolTheirSamples(@TempDir Path dir) throws IOException {
        SerialStack other = StackSynthesizer.run(StackSynthesizer.Config.of(64, 64, 10, 16, 9), null).stack();
        List<Integer> batches = new ArrayList<>();
        Trainer.Listener count = new Trainer.Listener() {
            @Override
            public void epochStarted(int epoch, int epochs, int firstBatch, int n, double lr) { batches.add(n); }
        };
        try (Trainer t = Trainer.start(tiny(1, 1e-3), List.of(stack, other), dir, count)) {
            t.run();
        }
        assertEquals(List.of(5), batches, "5 + 5 training samples of slices 2-6 of each stack, batch 2");
        var a = org.wpunet.train.data.Samples.concat(List.of(
                org.wpunet.train.data.SliceDataset.training(stack, 0, 6, org.wpunet.train.data.DatasetOptions.defaults().withCrop(32)),
                org.wpunet.train.data.SliceDataset.training(stack, 0, 6, org.wpunet.train.data.DatasetOptions.defaults().withCrop(32))));
        // the same stack twice: equal local indices must still differ
        assertEquals(10, a.size());
        var x = sample(a, 0);
        var y = sample(a, 5);
        assertTrue(!java.util.Arrays.equals(x, y), "parts draw their own augmentation");
    }

    private static float[] sample(org.wpunet.train.data.Samples s, int index) {
        org.wpunet.train.data.Batch b = new org.wpunet.train.data.Batch(1, 32, 32, new float[1024], new float[1024], new float[1024],
                new float[2048], new byte[1024], new float[1024], new byte[1024], new org.wpunet.train.data.PrevSource[1], new int[1]);
        s.fill(b, 0, index, 1, 7);
        return b.images();
    }

    @Test
    void badInputGivesOneClearError(@TempDir Path dir) {
        TrainConfig c = tiny(1, 1e-3);
        var one = assertThrows(IllegalArgumentException.class, () -> Trainer.start(c, stack.range(0, 1), dir, null));
        assertTrue(one.getMessage().contains("1-6") || one.getMessage().contains("slice"), one.getMessage());
        TrainConfig big = new TrainConfig(c.data(), c.model(), c.fusion(), c.loss(), c.preset(), c.widths(), 1, 2, 128, "cpu", "fp32", 1, 1e-3,
                0.9, 1e-5, 5, 10, 0.8, 1e-6, PrevMaskMode.GT, c.mixed(), c.mean(), c.std(), "1-6", "7-10", 1, 1, 0, 0, 0);
        var crop = assertThrows(IllegalArgumentException.class, () -> Trainer.start(big, stack, dir, null));
        assertTrue(crop.getMessage().contains("128") && crop.getMessage().contains("64"), crop.getMessage());
        var overlap = assertThrows(IllegalArgumentException.class, () -> Trainer.splits(new TrainConfig(c.data(), c.model(), c.fusion(),
                c.loss(), c.preset(), c.widths(), 1, 2, 32, "cpu", "fp32", 1, 1e-3, 0.9, 1e-5, 5, 10, 0.8, 1e-6, PrevMaskMode.GT, c.mixed(),
                c.mean(), c.std(), "1-6", "6-10", 1, 1, 0, 0, 0), 10));
        assertTrue(overlap.getMessage().contains("overlap"), overlap.getMessage());
        var half = assertThrows(IllegalArgumentException.class, () -> Trainer.splits(new TrainConfig(c.data(), c.model(), c.fusion(),
                c.loss(), c.preset(), c.widths(), 1, 2, 32, "cpu", "fp32", 1, 1e-3, 0.9, 1e-5, 5, 10, 0.8, 1e-6, PrevMaskMode.GT, c.mixed(),
                c.mean(), c.std(), "1-6", null, 1, 1, 0, 0, 0), 10));
        assertTrue(half.getMessage().contains("both"), half.getMessage());
        var crop15 = assertThrows(IllegalArgumentException.class, () -> new TrainConfig(c.data(), c.model(), c.fusion(), c.loss(), c.preset(),
                c.widths(), 1, 2, 40, "cpu", "fp32", 1, 1e-3, 0.9, 1e-5, 5, 10, 0.8, 1e-6, PrevMaskMode.GT, c.mixed(), c.mean(), c.std(),
                null, null, 1, 1, 0, 0, 0));
        assertTrue(crop15.getMessage().contains("multiple of 16"), crop15.getMessage());
    }

    private static List<String> deterministicColumns(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("log.csv"))) {
            String[] f = line.split(",");
            out.add(String.join(",", java.util.Arrays.copyOf(f, 11)));   // all but images_per_s and epoch_seconds
        }
        return out;
    }

    private static void assertSameTensors(Path a, Path b) throws IOException {
        try (Safetensors.Contents x = Safetensors.readContents(a); Safetensors.Contents y = Safetensors.readContents(b)) {
            assertEquals(x.tensors().keySet(), y.tensors().keySet());
            for (Map.Entry<String, Tensor> e : x.tensors().entrySet()) {
                assertArrayEquals(e.getValue().toDoubleArray(), y.tensors().get(e.getKey()).toDoubleArray(), 0, e.getKey());
            }
        }
    }
}
