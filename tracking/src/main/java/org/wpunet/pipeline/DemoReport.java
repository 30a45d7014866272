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
import org.wpunet.data.synth.StackSynthesizer;

/** The demo's report: the setup, time per stage, the 2D and 3D tables and the figures, all from one run. */
final class DemoReport {
    /** Test slices drawn in the overlay figure. */
    static final int OVERLAY_ROWS = 3;

    private final DemoPlan plan;
    private final long seed;
    private final ZonedDateTime started;
    private final String machine, pretrainedInfo;
    private final StackSynthesizer.Result synth;
    private final List<ModelRuns.Segmented> segmented;
    private final List<ModelRuns.Trained> trained;
    private final TrackingOutcome tracking;

    DemoReport(DemoPlan plan, long seed, ZonedDateTime started, String machine, StackSynthesizer.Result synth, String pretrainedInfo,
               List<ModelRuns.Segmented> segmented, List<ModelRuns.Trained> trained, TrackingOutcome tracking) {
        this.plan = plan;
        this.seed = seed;
        this.started = started;
        this.machine = machine;
        this.synth = synth;
        this.pretrainedInfo = pretrainedInfo;
        this.segmented = segmented;
        this.trained = trained;
        this.tracking = tracking;
    }

    /** Writes the figures, report.md and report.html into {@code dir}; returns report.md. */
    Path write(Path dir, SerialStack test, Map<String, Double> stageSeconds, double totalSeconds) throws IOException {
        writeOverlays(dir, test);
        List<Figures.Curve> curves = new ArrayList<>();
        for (ModelRuns.Trained t : trained) curves.add(new Figures.Curve(t.recipe().label(), t.history()));
        Figures.writePng(dir.resolve(Demo.CURVES), Figures.trainingCurves(curves));
        return document(test, stageSeconds, totalSeconds).write(dir);
    }

    private void writeOverlays(Path dir, SerialStack test) throws IOException {
        int n = test.slices(), rows = Math.min(OVERLAY_ROWS, n);
        List<byte[]> images = new ArrayList<>(), truth = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        List<List<byte[]>> predicted = new ArrayList<>();
        for (int m = 0; m < segmented.size(); m++) predicted.add(new ArrayList<>());
        for (int r = 0; r < rows; r++) {
            int k = rows == 1 ? 0 : (int) Math.round(r * (n - 1) / (double) (rows - 1));   // first, middle, last test slice
            images.add(test.images()[k]);
            truth.add(test.boundaries()[k]);
            titles.add("slice " + (plan.testFrom() + k + 1));
            for (int m = 0; m < segmented.size(); m++) predicted.get(m).add(segmented.get(m).slices().get(k).boundary());
        }
        List<Figures.Column> cols = new ArrayList<>();
        cols.add(new Figures.Column("input", null, false));
        cols.add(new Figures.Column("truth", truth, true));
        for (int m = 0; m < segmented.size(); m++) cols.add(new Figures.Column(segmented.get(m).label(), predicted.get(m), false));
        Figures.writePng(dir.resolve(Demo.OVERLAYS), Figures.overlays(images, titles, test.width(), test.height(), cols));
    }

    private ReportDocument document(SerialStack test, Map<String, Double> stageSeconds, double totalSeconds) {
        StackSynthesizer.Config sc = plan.stack(seed);
        ReportDocument doc = new ReportDocument("WPU-Net demo");
        doc.paragraph(String.format(Locale.ROOT, "Run %s on %s; configuration **%s**, seed %d; %s in all. "
                        + "Every number and figure below comes from this run (`bin/wpunet demo%s --seed %d` repeats its stack and training).",
                started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")), machine, plan.name(), seed,
                StageProgress.duration(totalSeconds), plan.name().contains("--quick") ? " --quick" : "", seed));

        doc.heading("Setup");
        TrainingRecipe w = plan.wpunetRecipe();
        doc.bullets(List.of(
                String.format(Locale.ROOT, "**Stack**: synthetic, %d slices of %dx%d px, Voronoi grains of mean diameter %.0f px, section spacing %.0f px, "
                        + "%s imaging flaws, %d true 3D grains (`stack.h5`).", sc.slices(), sc.width(), sc.height(), sc.grainSize(), sc.spacing(),
                        sc.flaws().name(), synth.grains()),
                String.format(Locale.ROOT, "**Split**: slices %s train, %s validate (model selection by validation VI), %d-%d are the %d test slices scored below.",
                        plan.trainSlices(), plan.validationSlices(), plan.testFrom() + 1, sc.slices(), test.slices()),
                "**Pretrained model**: the WPU-Net bundled with the library, " + pretrainedInfo + "; never saw this stack.",
                String.format(Locale.ROOT, "**Trained here from scratch**: %s and %s, widths %s, %,d and %,d parameters, %dx%d crops, batch %d, "
                                + "RMSprop lr %.0e, the same seed and the same budget in epochs: WPU-Net %s, the U-Net then as many epochs as "
                                + "WPU-Net completed; they ran %d and %d epochs (`runs/`).",
                        trained.get(0).recipe().label(), trained.get(1).recipe().label(), Arrays.toString(w.widths()), trained.get(0).parameters(),
                        trained.get(1).parameters(), w.crop(), w.crop(), w.batch(), w.lr(), w.budget(), trained.get(0).epochs(), trained.get(1).epochs()),
                "**Segmentation**: whole slices (tiles of 256 with 32 px margins, blended), gap closing; WPU-Nets get the previous slice's own "
                        + "prediction as prior (the first test slice gets none); the U-Net takes no prior. Scores: the paper's metrics per slice against "
                        + "the truth, 10 px border crop, mean ± standard deviation over the test slices.",
                "**Device**: " + trained.get(0).device() + "."));

        doc.heading("Time per stage");
        List<List<String>> times = new ArrayList<>();
        stageSeconds.forEach((stage, s) -> times.add(List.of(stage, String.format(Locale.ROOT, "%.1f", s))));
        times.add(List.of("total (before writing the report)", String.format(Locale.ROOT, "%.1f", totalSeconds)));
        doc.table(List.of("stage", "seconds"), times);

        doc.heading("Segmentation of the test slices");
        List<String> header = new ArrayList<>(List.of("model", "trained here"));
        header.addAll(ScoreSummary.NAMES);
        List<List<String>> rows = new ArrayList<>();
        for (int m = 0; m < segmented.size(); m++) {
            ModelRuns.Segmented s = segmented.get(m);
            List<String> row = new ArrayList<>();
            row.add(s.label());
            row.add(m == 0 ? "no (bundled)" : String.format(Locale.ROOT, "%d epochs, %.0f s", trained.get(m - 1).epochs(), trained.get(m - 1).seconds()));
            row.addAll(s.summary().cells(true));
            rows.add(row);
        }
        doc.table(header, rows);
        doc.paragraph("VI (bits; merge + split parts) is lower-better, ARI, RI, Pratt's F and mAP higher-better. The paper reports, on its real "
                + "pure-iron stack with full-width models trained for hours, VI 0.168, ARI 0.853, F 0.902, mAP 0.724 for WPU-Net: this is the same "
                + "comparison in miniature, on synthetic data and a budget of minutes.");
        for (ModelRuns.Segmented s : segmented)
            if (!s.guarded().isEmpty())
                doc.paragraph(s.label() + ": the guard segmented " + s.guarded().size() + " slice(s) again without their prior.");
        doc.figure(Demo.OVERLAYS, "Test slices (first, middle, last): input, true boundaries (green) and each model's boundaries (red)");
        doc.figure(Demo.CURVES, "Training of the two models from scratch: loss per epoch (left), validation VI (right)");

        doc.heading("3D grains");
        if (!tracking.rows().isEmpty()) {
            List<List<String>> t = new ArrayList<>();
            for (TrackingOutcome.Row r : tracking.rows())
                t.add(List.of(r.tracker(), Integer.toString(r.grains()), Integer.toString(r.trueGrains()), f3(r.ari()), f3(r.ri()), f3(r.vi()),
                        f3(r.viMerge()), f3(r.viSplit()), f3(r.linkAccuracy()), String.format(Locale.ROOT, "%.1f", r.seconds())));
            doc.paragraph("The pretrained model's segmentation of the test slices, tracked across slices into 3D grains and scored against the "
                    + "true volume (3D ARI/VI over all voxels; link accuracy: the fraction of true slice-to-slice links recovered). The paper: 3D "
                    + "ARI 0.758, VI 1.479 on its real stack.");
            doc.table(List.of("tracker", "grains", "true grains", "ARI", "RI", "VI", "VI merge", "VI split", "link accuracy", "seconds"), t);
        }
        if (!tracking.statistics().isEmpty()) doc.bullets(tracking.statistics());
        for (TrackingOutcome.Figure f : tracking.figures()) doc.figure(f.file(), f.caption());
        for (String note : tracking.notes()) doc.paragraph(note);

        doc.heading("Files");
        doc.bullets(List.of("`stack.h5`: the synthetic stack (image, label, boundary); e.g. `bin/wpunet segment --data stack.h5 --out seg`.",
                "`runs/wpunet/`, `runs/unet/`: the training runs (checkpoints, `log.csv`, `curves.png`); `--model runs/wpunet` loads one.",
                "`" + TrackingStage.DIR + "/`: the tracked 3D grains (HDF5, TIFF, VTK, PNG slices) and their statistics.",
                "`report.md` with the PNG figures beside it, and `report.html`, the same in one file."));
        return doc;
    }

    private static String f3(double v) { return String.format(Locale.ROOT, "%.3f", v); }
}
