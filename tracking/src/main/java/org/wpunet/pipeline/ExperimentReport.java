package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;
import org.wpunet.infer.Propagation;

/** The experiment's report: setup, the 2D table (mean ± spread over test slices), the 3D table, figures. */
final class ExperimentReport {
    static final String OVERLAYS = "segmentation.png", CURVES = "training-curves.png";

    private final ExperimentPlan plan;
    private final String dataName, budget, machine;
    private final StackSplits splits;
    private final SerialStack stack;
    private final ZonedDateTime started;
    private final List<Experiment.Row> rows;
    private final List<ModelRuns.Trained> trained;

    ExperimentReport(ExperimentPlan plan, String dataName, String budget, StackSplits splits, SerialStack stack, ZonedDateTime started,
                     String machine, List<Experiment.Row> rows, List<ModelRuns.Trained> trained) {
        this.plan = plan;
        this.dataName = dataName;
        this.budget = budget;
        this.splits = splits;
        this.stack = stack;
        this.started = started;
        this.machine = machine;
        this.rows = rows;
        this.trained = trained;
    }

    Path write(Path dir, SerialStack test, Map<String, Double> stageSeconds, double totalSeconds) throws IOException {
        List<Figures.Curve> curves = new ArrayList<>();
        for (ModelRuns.Trained t : trained) curves.add(new Figures.Curve(t.recipe().label(), t.history()));
        Figures.writePng(dir.resolve(CURVES), Figures.trainingCurves(curves));
        writeOverlays(dir, test);
        return document(stageSeconds, totalSeconds).write(dir);
    }

    /** The first and last test slice under every variant's own-propagation segmentation. */
    private void writeOverlays(Path dir, SerialStack test) throws IOException {
        int[] ks = test.slices() > 1 ? new int[] {0, test.slices() - 1} : new int[] {0};
        List<byte[]> images = new ArrayList<>(), truth = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (int k : ks) {
            images.add(test.images()[k]);
            truth.add(test.boundaries()[k]);
            titles.add("slice " + (splits.test()[0] + k + 1));
        }
        List<Figures.Column> cols = new ArrayList<>(List.of(new Figures.Column("input", null, false), new Figures.Column("truth", truth, true)));
        for (Experiment.Row r : rows) {
            if (r.propagation() != Propagation.OWN) continue;
            List<byte[]> b = new ArrayList<>();
            for (int k : ks) b.add(r.segmented().slices().get(k).boundary());
            cols.add(new Figures.Column(r.trained().recipe().label(), b, false));
        }
        Figures.writePng(dir.resolve(OVERLAYS), Figures.overlays(images, titles, test.width(), test.height(), cols));
    }

    private ReportDocument document(Map<String, Double> stageSeconds, double totalSeconds) {
        TrainingRecipe b = plan.base();
        ReportDocument doc = new ReportDocument("WPU-Net ablation");
        doc.paragraph(String.format(Locale.ROOT, "Run %s on %s; %s in all. Every number below comes from this run.",
                started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), machine, StageProgress.duration(totalSeconds)));
        doc.heading("Setup");
        doc.bullets(List.of(
                String.format(Locale.ROOT, "**Stack**: %s, %d slices of %dx%d px; slices %d-%d train, %d-%d validate (model selection by validation VI), "
                                + "%d-%d are the test slices scored below.", dataName, stack.slices(), stack.width(), stack.height(), 1, splits.train()[1],
                        splits.validation()[0] + 1, splits.validation()[1], splits.test()[0] + 1, splits.test()[1]),
                String.format(Locale.ROOT, "**Training**: every variant from scratch with the same budget (%s), seed %d, widths %s, %dx%d crops, "
                        + "batch %d, RMSprop lr %.0e (x0.8 every 10 epochs), gradient clip 5, mixed previous masks for WPU-Net.", budget, b.seed(),
                        Arrays.toString(b.widths()), b.crop(), b.crop(), b.batch(), b.lr()),
                "**Losses**: cbw = cross-entropy with class weights [1, 20]; abw = the paper's adaptive boundary weights.",
                "**Propagation**: `gt` gives each test slice the true boundary of the slice before it (the paper's setting), `own` the "
                        + "model's own prediction of it (the first test slice gets none); U-Net takes no prior. Scores per slice, 10 px border crop, "
                        + "mean ± standard deviation over the test slices.",
                "**3D**: the `own` segmentation tracked into 3D grains (maximum overlap), scored against the true volume over all voxels."));
        List<String> header = new ArrayList<>(List.of("model", "propagation", "epochs", "train s"));
        header.addAll(ScoreSummary.NAMES);
        List<List<String>> t = new ArrayList<>();
        for (Experiment.Row r : rows) {
            List<String> row = new ArrayList<>(List.of(r.trained().recipe().label(), Experiment.name(r.propagation()),
                    Integer.toString(r.trained().epochs()), String.format(Locale.ROOT, "%.0f", r.trained().seconds())));
            row.addAll(r.segmented().summary().cells(true));
            t.add(row);
        }
        doc.heading("2D segmentation of the test slices");
        doc.table(header, t);
        doc.paragraph("For orientation, the paper's WPU-Net on its real pure-iron stack (full widths, trained for hours): VI 0.168, ARI 0.853, "
                + "F 0.902, mAP 0.724 in 2D.");
        List<List<String>> t3 = new ArrayList<>();
        for (Experiment.Row r : rows) {
            TrackingOutcome.Row x = r.tracked();
            if (x == null) continue;
            t3.add(List.of(x.tracker(), Integer.toString(x.grains()), Integer.toString(x.trueGrains()), f3(x.ari()), f3(x.vi()),
                    f3(x.viMerge()), f3(x.viSplit()), f3(x.linkAccuracy())));
        }
        doc.heading("3D grains after tracking");
        if (t3.isEmpty()) doc.paragraph("No 3D scores: tracking is not in this build.");
        else doc.table(List.of("model (own)", "grains", "true grains", "ARI", "VI", "VI merge", "VI split", "link accuracy"), t3);
        doc.paragraph("The paper, for orientation: 3D ARI 0.758, VI 1.479 on its real stack.");
        doc.figure(OVERLAYS, "First and last test slice: input, truth (green) and each variant's own-propagation boundaries (red)");
        doc.figure(CURVES, "Training: loss per epoch (left; cbw and abw losses are on different scales) and validation VI (right)");
        doc.heading("Time per stage");
        List<List<String>> times = new ArrayList<>();
        stageSeconds.forEach((stage, s) -> times.add(List.of(stage, String.format(Locale.ROOT, "%.1f", s))));
        doc.table(List.of("stage", "seconds"), times);
        doc.paragraph("Files: `runs/<variant>/` (training runs; `bin/wpunet segment --model runs/...`), `results.csv` (this table, machine-readable).");
        return doc;
    }

    private static String f3(double v) { return String.format(Locale.ROOT, "%.3f", v); }
}
