package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wpunet.core.Device;
import org.wpunet.data.SerialStack;
import org.wpunet.infer.Propagation;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.SliceResult;
import org.wpunet.infer.StackResult;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.metrics.SegmentationMetrics.Scores;
import org.wpunet.train.EpochMetrics;
import org.wpunet.train.ModelFiles;
import org.wpunet.train.RunState;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.Trainer;

/** The two steps the demo and the experiment repeat per model: train from scratch, and segment and score test slices. */
public final class ModelRuns {
    private ModelRuns() {}

    /**
     * A finished training run.
     *
     * @param runDir     the run directory (checkpoints, log.csv, curves.png), loadable with {@link ModelFiles#load}
     * @param history    one entry per epoch run
     * @param parameters trainable parameters
     * @param seconds    wall-clock time of the training
     */
    public record Trained(TrainingRecipe recipe, Path runDir, List<EpochMetrics> history, long parameters, double seconds, Device device) {
        public Trained {
            history = List.copyOf(history);
        }

        public int epochs() { return history.size(); }
    }

    /**
     * Segmented and scored test slices.
     *
     * @param slices  the results, in order
     * @param scores  the paper's metrics of each slice against the truth (crop 10 px)
     * @param guarded 0-based indices the guard segmented again without their prior
     */
    public record Segmented(String label, List<SliceResult> slices, List<Scores> scores, ScoreSummary summary, double seconds,
                            List<Integer> guarded) {
        public Segmented {
            slices = List.copyOf(slices);
            scores = List.copyOf(scores);
            guarded = List.copyOf(guarded);
        }

        public byte[][] boundaries() {
            byte[][] b = new byte[slices.size()][];
            for (int k = 0; k < b.length; k++) b[k] = slices.get(k).boundary();
            return b;
        }
    }

    /** Trains {@code r} on {@code stack} into {@code runDir} (new or empty), showing one bar over the epochs. */
    public static Trained train(TrainingRecipe r, SerialStack stack, String dataName, String trainSlices, String validationSlices,
                                Path runDir, StageProgress progress) throws IOException {
        TrainConfig config = r.config(dataName, trainSlices, validationSlices);
        long t0 = System.nanoTime();
        Trainer.Listener listener = new Trainer.Listener() {
            @Override
            public void stepDone(int epoch, int batch, int batches, long step, double loss, double imagesPerSecond) {
                progress.progress(epoch - 1, String.format(Locale.ROOT, "epoch %d, loss %.4f, %.1f img/s", epoch, loss, imagesPerSecond));
            }

            @Override
            public void epochDone(EpochMetrics m, boolean bestLoss, boolean bestVi) {
                progress.progress(m.epoch(), String.format(Locale.ROOT, "epoch %d: val loss %.4f, VI %.3f, ARI %.3f", m.epoch(),
                        m.validationLoss(), m.vi(), m.ari()));
            }
        };
        try (Trainer trainer = Trainer.start(config, stack, runDir, listener)) {
            RunState end = trainer.run(r.time());
            return new Trained(r, runDir, end.history, trainer.model().parameterCount(), (System.nanoTime() - t0) / 1e9, trainer.device());
        }
    }

    /** Segments every slice of {@code test} with {@code mode} propagation (the first slice without a prior) and scores it. */
    public static Segmented segment(String label, ModelFiles.LoadedModel model, SerialStack test, Propagation mode, StageProgress progress) {
        Segmenter segmenter = new Segmenter(model.model(), model.mean(), model.std(), SegmentOptions.defaults());
        StackResult r = segmenter.segmentStack(test, mode, null, new Segmenter.Listener() {
            @Override
            public void slice(int index, int count, SliceResult result) { progress.progress(index + 1, label); }

            @Override
            public void warning(int index, String message) { progress.message(label + ": " + message); }
        });
        List<Scores> scores = new ArrayList<>();
        for (int k = 0; k < test.slices(); k++)
            scores.add(SegmentationMetrics.evaluate(r.slices().get(k).boundary(), test.boundaries()[k], test.width(), test.height()));
        return new Segmented(label, r.slices(), scores, ScoreSummary.of(scores), r.seconds(), r.guarded());
    }
}
