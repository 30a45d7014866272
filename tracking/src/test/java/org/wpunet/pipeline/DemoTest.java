package org.wpunet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.cli.Main;

/** The demo end to end in a seconds-long configuration (64x64 slices, widths 4..64, 2 epochs). */
class DemoTest {
    @Test
    void runsEveryStageAndReportsTheNumbersOfItsRun(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Demo.Result r;
        try (StageProgress p = new StageProgress(new PrintStream(log, true, StandardCharsets.UTF_8), true)) {
            r = new Demo(DemoPlan.tiny(11), 11, dir, p).run();
        }
        String md = Files.readString(r.report()), html = Files.readString(r.html()), out = log.toString(StandardCharsets.UTF_8);
        // three segmentations of the 4 test slices, two trainings of 2 epochs each
        assertEquals(3, r.segmented().size());
        for (ModelRuns.Segmented s : r.segmented()) assertEquals(4, s.scores().size());
        for (ModelRuns.Trained t : r.trained()) assertEquals(2, t.epochs());
        // the table holds this run's numbers: each model's mean ARI and VI with their spread
        for (ModelRuns.Segmented s : r.segmented()) {
            String row = md.lines().filter(l -> l.startsWith("| " + s.label() + " |")).findFirst().orElseThrow(() -> new AssertionError(s.label() + " row in\n" + md));
            assertTrue(row.contains(String.format(Locale.ROOT, "%.3f ± %.3f", s.summary().ari(), s.summary().sd()[3])), row);
            assertTrue(row.contains(String.format(Locale.ROOT, "%.3f ± %.3f", s.summary().vi(), s.summary().sd()[0])), row);
        }
        // pretrained on an unseen stack: a real segmentation, not noise
        assertTrue(r.segmented().get(0).summary().ari() > 0.5, "pretrained ARI " + r.segmented().get(0).summary().ari());
        // figures beside report.md are real PNGs; report.html embeds them and links nothing
        for (String f : new String[] {Demo.OVERLAYS, Demo.CURVES}) {
            assertTrue(md.contains("](" + f + ")"), f);
            assertTrue(ImageIO.read(dir.resolve(f).toFile()).getWidth() > 100, f);
        }
        assertTrue(html.contains("src=\"data:image/png;base64,"));
        assertFalse(html.matches("(?s).*src=\"(?!data:).*"), "report.html refers to an outside file");
        // 3D: the overlap tracker's row carries the run's scores; its figures and exports exist
        assertEquals(TrackingStage.cnnAvailable() ? List.of("overlap", "CNN (bundled)") : List.of("overlap"),
                r.tracking().rows().stream().map(TrackingOutcome.Row::tracker).toList());
        TrackingOutcome.Row t = r.tracking().rows().getFirst();
        assertEquals("overlap", t.tracker());
        assertTrue(t.trueGrains() > 0 && t.grains() > 0 && t.ari() > 0.3, t.toString());
        assertTrue(md.contains(String.format(Locale.ROOT, "| overlap | %d | %d | %.3f | %.3f | %.3f |", t.grains(), t.trueGrains(), t.ari(), t.ri(),
                t.vi())), md);
        for (TrackingOutcome.Figure f : r.tracking().figures()) {
            assertTrue(md.contains("](" + f.file() + ")"), f.file());
            assertTrue(Files.isRegularFile(dir.resolve(f.file())), f.file());
        }
        assertTrue(Files.isRegularFile(dir.resolve(TrackingStage.DIR).resolve("grains.csv")));
        assertTrue(Files.isRegularFile(dir.resolve(TrackingStage.DIR).resolve("label.h5")));
        // progress per stage, stage times in the report, and the reusable outputs
        for (int k = 1; k <= Demo.STAGES; k++) assertTrue(out.contains(k + "/" + Demo.STAGES + " "), "stage " + k + " in\n" + out);
        assertTrue(md.contains("| 1/5 synthesise stack | "), md);
        assertTrue(Files.isRegularFile(dir.resolve("stack.h5")));
        assertTrue(Files.isDirectory(dir.resolve("runs/wpunet/checkpoints/best-vi")));
    }

    @Test
    void refusesANonEmptyDirectoryWithOneErrorLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mine.txt"), "not the demo's");
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("demo", "--out", dir.toString(), "--quick", "--device", "cpu");
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("not empty"), err.toString());
        assertEquals("not the demo's", Files.readString(dir.resolve("mine.txt")));
        assertEquals(1, Files.list(dir).count());
    }
}
