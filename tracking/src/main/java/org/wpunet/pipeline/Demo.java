package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.infer.Propagation;
import org.wpunet.train.ModelFiles;
import org.wpunet.tracking.VoxelSize;
import org.wpunet.train.TrainingModel;

/**
 * The whole job on one synthetic stack, end to end (issue 13): (1) generate a stack with ground truth,
 * (2) segment its test slices with the bundled pretrained model, own-prediction propagation, and score
 * them, (3) train a small WPU-Net (abw, fusion) and a U-Net (cbw) from scratch with the same budget and
 * score them alike, (4) track the pretrained model's segmentation into 3D grains and score and measure
 * them, (5) write report.md and report.html. Every number in the report comes from the run.
 *
 * <p>Writes into {@code dir} (new or empty): {@code stack.h5}, {@code runs/wpunet/} and
 * {@code runs/unet/} (training runs, loadable with {@code segment --model}), {@code grains3d/} (the
 * tracked volume's exports and statistics), the figures and the two reports.
 */
public final class Demo {
    /** What a run produced: the report and the numbers in it (for callers and tests). */
    public record Result(Path report, Path html, long seed, List<ModelRuns.Segmented> segmented, List<ModelRuns.Trained> trained,
                         TrackingOutcome tracking, java.util.Map<String, Double> stageSeconds) {}

    static final int STAGES = 5;
    static final String OVERLAYS = "segmentation.png", CURVES = "training-curves.png";

    private final DemoPlan plan;
    private final long seed;
    private final Path dir;
    private final StageProgress progress;

    public Demo(DemoPlan plan, long seed, Path dir, StageProgress progress) {
        this.plan = plan;
        this.seed = seed;
        this.dir = dir;
        this.progress = progress;
    }

    public Result run() throws IOException {
        ZonedDateTime started = ZonedDateTime.now(java.time.ZoneOffset.UTC);
        long t0 = System.nanoTime();
        Device device = TrainingModel.resolveDevice(plan.wpunet().device());

        // 1. the stack
        StackSynthesizer.Config sc = plan.stack(seed);
        progress.start(stage(1, "synthesise stack"), 3L * sc.slices(), "steps");
        StackSynthesizer.Result synth = StackSynthesizer.run(sc, new StackSynthesizer.Listener() {
            private long done;

            @Override
            public synchronized void progress(String step, long d, long total) { progress.progress(++done, step); }
        });
        SerialStack stack = synth.stack();
        Hdf5Stack.write(stack, dir.resolve("stack.h5"), false);
        SerialStack test = stack.range(plan.testFrom(), stack.slices());
        progress.end(String.format(Locale.ROOT, "%d slices of %dx%d, %d grains", stack.slices(), stack.width(), stack.height(), synth.grains()));

        // 2. the bundled model
        List<ModelRuns.Segmented> segmented = new ArrayList<>();
        String pretrainedInfo;
        progress.start(stage(2, "segment with the pretrained model"), test.slices(), "slices");
        try (ModelFiles.LoadedModel m = ModelFiles.loadPretrained(device)) {
            pretrainedInfo = m.describe();
            segmented.add(ModelRuns.segment("pretrained WPU-Net", m, test, Propagation.OWN, progress));
        }
        progress.end(summary(segmented.get(0)));

        // 3. two models from scratch, the same budget
        List<ModelRuns.Trained> trained = new ArrayList<>();
        for (TrainingRecipe planned : List.of(plan.wpunetRecipe(), plan.unetRecipe())) {
            // the same budget in epochs: WPU-Net runs first under the plan's time cap, the U-Net then gets exactly the epochs it completed
            TrainingRecipe r = trained.isEmpty() ? planned : planned.withEpochs(trained.getFirst().epochs());
            progress.start(stage(3, "train " + r.label()), r.epochs(), "epochs");
            String runName = r.model();
            ModelRuns.Trained t = ModelRuns.train(r, stack, "synthetic stack, seed " + seed, plan.trainSlices(), plan.validationSlices(),
                    dir.resolve("runs").resolve(runName), progress);
            trained.add(t);
            progress.end(String.format(Locale.ROOT, "%d epochs, best validation VI %.3f", t.epochs(),
                    t.history().stream().mapToDouble(e -> e.vi()).min().orElse(Double.NaN)));
            progress.start(stage(3, "segment with " + r.label()), test.slices(), "slices");
            try (ModelFiles.LoadedModel m = ModelFiles.load(t.runDir(), device)) {
                segmented.add(ModelRuns.segment(r.label(), m, test, Propagation.OWN, progress));
            }
            progress.end(summary(segmented.getLast()));
        }

        // 4. 3D grains from the pretrained model's segmentation
        progress.start(stage(4, "track grains in 3D"), TrackingStage.steps(test.slices()), "steps");
        VoxelSize voxel = new VoxelSize(1, sc.spacing());   // nominal: 1 pixel = 1 um
        TrackingOutcome tracking = TrackingStage.run(segmented.get(0), test, voxel, device.toString(), dir, progress);
        progress.end(tracking.summary());

        // 5. the report
        progress.start(stage(5, "write the report"), 1, "reports");
        DemoReport report = new DemoReport(plan, seed, started, MachineInfo.describe(device), synth, pretrainedInfo, segmented, trained, tracking);
        Path md = report.write(dir, test, progress.seconds(), (System.nanoTime() - t0) / 1e9);
        progress.end();
        return new Result(md, dir.resolve("report.html"), seed, segmented, trained, tracking, progress.seconds());
    }

    private static String stage(int k, String what) { return k + "/" + STAGES + " " + what; }

    private static String summary(ModelRuns.Segmented s) {
        return String.format(Locale.ROOT, "%s: ARI %.3f, VI %.3f on %d slices", s.label(), s.summary().ari(), s.summary().vi(), s.slices().size());
    }
}
