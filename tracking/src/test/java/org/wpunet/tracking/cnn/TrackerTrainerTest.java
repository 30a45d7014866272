package org.wpunet.tracking.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.synth.VoronoiMicrostructure;

class TrackerTrainerTest {
    /** A small Voronoi volume; sections 1.5 px apart, so a grain's next section nearly equals it: easy to tell same from different. */
    static LabelVolume easyVolume() {
        VoronoiMicrostructure m = new VoronoiMicrostructure(48, 48, 9, 1.5, 12, 0.35, 5);
        int[][] s = new int[m.sections()][];
        for (int k = 0; k < s.length; k++) s[k] = m.section(k);
        return LabelVolume.ofSlices(48, 48, s);
    }

    @Test
    void learnsAnEasyCaseAndResumes(@TempDir Path dir) throws Exception {
        LabelVolume v = easyVolume();
        TrackerTrainConfig c = new TrackerTrainConfig("mem", new TrackerNet("small", 16), 3, 16, 3e-3, 0.9, 1e-8, 7, 0.25, "cpu", 0, false, 0);
        TrackerRunState s;
        try (TrackerTrainer t = new TrackerTrainer(c, List.of(v), dir, null, null)) {
            assertTrue(t.trainingPairs().size() > 100, "pairs: " + t.trainingPairs().size());
            s = t.run();
        }
        assertEquals(3, s.history.size());
        double first = s.history.get(0).trainLoss(), last = s.history.get(2).trainLoss();
        assertTrue(last < 0.8 * first, "the training loss falls: " + first + " -> " + last);
        assertTrue(s.bestAccuracy > 0.8, "validation accuracy " + s.bestAccuracy);
        assertTrue(Files.isRegularFile(TrackerTrainer.checkpointDir(dir, TrackerTrainer.BEST).resolve(TrackerTrainer.MODEL_FILE)));

        // one more epoch from the last checkpoint: the history carries on and log.csv has a row per epoch
        TrackerTrainer.Loaded loaded = TrackerTrainer.load(dir, TrackerTrainer.LAST);
        assertEquals(4, loaded.state().epoch);
        try (TrackerTrainer t = new TrackerTrainer(loaded.config().withRuntime("mem", 4, "cpu"), List.of(v), dir, loaded, null)) {
            s = t.run();
        }
        assertEquals(4, s.history.size());
        assertEquals(s.history.get(2).step() + s.history.get(0).step(), s.history.get(3).step(), "epoch 4 continues the step count");
        List<String> log = Files.readAllLines(dir.resolve(TrackerTrainer.LOG));
        assertEquals(5, log.size());
        assertTrue(log.get(0).startsWith("epoch,step,lr,train_loss"));
        java.awt.image.BufferedImage curves = javax.imageio.ImageIO.read(dir.resolve(TrackerCurves.FILE).toFile());
        assertEquals(1120, curves.getWidth());

        // the trained run opens as a linker and links the grains of two sections
        try (CnnLinker l = CnnLinker.open(dir.toString(), "cpu", false)) {
            assertEquals(16, l.cropSize());
        }
    }
}
