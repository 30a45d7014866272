package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wpunet.core.Device;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;
import org.wpunet.infer.Propagation;
import org.wpunet.train.ModelFiles;
import org.wpunet.train.TrainingModel;

/**
 * The paper's ablation on one stack (issue 13): every variant of {@link ExperimentPlan} trained from
 * scratch with the same budget and seed on the training slices, selected by validation VI, then each
 * test slice segmented with the true previous boundary ({@code gt}, the paper's setting) and with the
 * previous slice's own prediction ({@code own}, a user's), scored with the paper's metrics (mean and
 * spread over slices), and the {@code own} segmentation tracked into 3D grains and scored against the
 * true volume. Writes {@code runs/<variant>/}, {@code results.csv}, the figures, report.md and report.html.
 */
public final class Experiment {
    /** One segmentation of the test slices by one trained variant. */
    public record Row(ModelRuns.Trained trained, Propagation propagation, ModelRuns.Segmented segmented, TrackingOutcome.Row tracked) {}

    public record Result(Path report, List<Row> rows, Map<String, Double> stageSeconds) {}

    private final ExperimentPlan plan;
    private final SerialStack stack;
    private final String dataName, budget;
    private final StackSplits splits;
    private final Path dir;
    private final StageProgress progress;

    /**
     * @param dataName what the report calls the stack (its file, or "synthetic, seed N")
     * @param splits   training, validation and test slices (each part at least 2 slices)
     * @param budget   the budget as the report states it
     */
    public Experiment(ExperimentPlan plan, SerialStack stack, String dataName, StackSplits splits, String budget, Path dir,
                      StageProgress progress) {
        if (StackSplits.isEmpty(splits.test()) || splits.test()[1] - splits.test()[0] < 2)
            throw new IllegalArgumentException("the stack's split " + splits + " leaves fewer than 2 test slices");
        this.plan = plan;
        this.stack = stack;
        this.dataName = dataName;
        this.splits = splits;
        this.budget = budget;
        this.dir = dir;
        this.progress = progress;
    }

    public Result run() throws IOException {
        ZonedDateTime started = ZonedDateTime.now(java.time.ZoneOffset.UTC);
        long t0 = System.nanoTime();
        Device device = TrainingModel.resolveDevice(plan.base().device());
        SerialStack test = stack.range(splits.test()[0], splits.test()[1]);
        String train = range(splits.train()), val = range(splits.validation());
        List<TrainingRecipe> variants = plan.variants();
        List<Row> rows = new ArrayList<>();
        List<ModelRuns.Trained> trained = new ArrayList<>();
        for (int v = 0; v < variants.size(); v++) {
            TrainingRecipe r = variants.get(v);
            String tag = (v + 1) + "/" + variants.size() + " ";
            progress.start(tag + "train " + r.label(), r.epochs() >= ExperimentPlan.EPOCH_CAP ? 0 : r.epochs(), "epochs");
            ModelRuns.Trained t = ModelRuns.train(r, stack, dataName, train, val, dir.resolve("runs").resolve(runName(r)), progress);
            trained.add(t);
            progress.end(t.epochs() + " epochs");
            List<Propagation> modes = r.model().equals("wpunet") ? List.of(Propagation.GT, Propagation.OWN) : List.of(Propagation.OWN);
            try (ModelFiles.LoadedModel m = ModelFiles.load(t.runDir(), device)) {
                for (Propagation p : modes) {
                    progress.start(tag + "segment, " + name(p) + " propagation", test.slices(), "slices");
                    ModelRuns.Segmented s = ModelRuns.segment(r.label(), m, test, p, progress);
                    TrackingOutcome.Row tracked = p == Propagation.OWN ? TrackingStage.score3D(r.label(), s.boundaries(), test) : null;
                    rows.add(new Row(t, p, s, tracked));
                    progress.end(String.format(Locale.ROOT, "ARI %.3f, VI %.3f", s.summary().ari(), s.summary().vi()));
                }
            }
        }
        progress.start("write the report", 1, "reports");
        writeCsv(rows);
        ExperimentReport report = new ExperimentReport(plan, dataName, budget, splits, stack, started, MachineInfo.describe(device), rows, trained);
        Path md = report.write(dir, test, progress.seconds(), (System.nanoTime() - t0) / 1e9);
        progress.end();
        return new Result(md, rows, progress.seconds());
    }

    static String name(Propagation p) { return p.name().toLowerCase(Locale.ROOT); }

    /** runs/ directory name of a variant, e.g. "wpunet-nofusion-abw". */
    static String runName(TrainingRecipe r) {
        return r.model() + (r.model().equals("wpunet") && !r.fusion() ? "-nofusion" : "") + "-" + r.loss().cliName();
    }

    private static String range(int[] r) { return (r[0] + 1) + "-" + r[1]; }

    /** results.csv: one row per variant and propagation, the means and spreads of the 2D scores and the 3D scores. */
    private void writeCsv(List<Row> rows) throws IOException {
        StringBuilder b = new StringBuilder("model,fusion,loss,propagation,epochs,train_seconds");
        for (String n : ScoreSummary.NAMES) {
            String k = n.toLowerCase(Locale.ROOT).replace(' ', '_');
            b.append(',').append(k).append(',').append(k).append("_sd");
        }
        b.append(",grains_3d,true_grains_3d,ari_3d,vi_3d\n");
        for (Row r : rows) {
            TrainingRecipe rc = r.trained().recipe();
            b.append(String.format(Locale.ROOT, "%s,%b,%s,%s,%d,%.1f", rc.model(), rc.fusion(), rc.loss().cliName(), name(r.propagation()),
                    r.trained().epochs(), r.trained().seconds()));
            double[] mean = r.segmented().summary().mean(), sd = r.segmented().summary().sd();
            for (int j = 0; j < mean.length; j++) b.append(String.format(Locale.ROOT, ",%.6f,%.6f", mean[j], sd[j]));
            TrackingOutcome.Row t = r.tracked();
            b.append(t == null ? ",,,," : String.format(Locale.ROOT, ",%d,%d,%.6f,%.6f", t.grains(), t.trueGrains(), t.ari(), t.vi())).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("results.csv"), b);
    }
}
