package org.wpunet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.infer.Propagation;
import org.wpunet.train.loss.LossKind;

class ExperimentTest {
    @Test
    void sixVariantsWithTheSameBudgetEachScoredWithGtAndOwnPropagation(@TempDir Path dir) throws Exception {
        SerialStack stack = StackSynthesizer.generate(StackSynthesizer.Config.of(64, 64, 20, 16, 3));
        TrainingRecipe base = new TrainingRecipe("", "wpunet", true, LossKind.ABW, new int[] {4, 8, 16, 32, 64}, 32, 4, 1e-3, 1, null, "cpu", 7);
        Experiment.Result r;
        try (StageProgress p = new StageProgress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), true)) {
            r = new Experiment(new ExperimentPlan(base), stack, "test stack", StackSplits.forSlices(20), "1 epoch", dir, p).run();
        }
        // U-Net (no prior): own only; the four WPU-Nets: gt and own
        assertEquals(2 + 4 * 2, r.rows().size());
        assertEquals(List.of("U-Net, cbw", "U-Net, abw", "WPU-Net w/o fusion, cbw", "WPU-Net w/o fusion, abw", "WPU-Net, cbw", "WPU-Net, abw"),
                r.rows().stream().map(x -> x.trained().recipe().label()).distinct().toList());
        String md = Files.readString(r.report());
        for (Experiment.Row row : r.rows()) {
            assertEquals(1, row.trained().epochs());
            assertEquals(20 - 10, row.segmented().scores().size());       // test slices 11-20 of the paper's split of 20
            String cells = String.format(Locale.ROOT, "| %s | %s | 1 |", row.trained().recipe().label(), Experiment.name(row.propagation()));
            String line = md.lines().filter(l -> l.startsWith(cells)).findFirst().orElseThrow(() -> new AssertionError(cells + " in\n" + md));
            assertTrue(line.contains(String.format(Locale.ROOT, "%.3f ± %.3f", row.segmented().summary().ari(), row.segmented().summary().sd()[3])), line);
            if (row.propagation() == Propagation.GT) {
                assertNull(row.tracked());
            } else {   // own: tracked into 3D, its scores in the 3D table
                TrackingOutcome.Row t = row.tracked();
                assertTrue(md.contains(String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f |", t.tracker(), t.grains(), t.trueGrains(), t.ari(),
                        t.vi())), t + " in\n" + md);
            }
        }
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertEquals(11, csv.size());
        assertTrue(csv.get(1).startsWith("unet,false,cbw,own,1,"), csv.get(1));
        assertTrue(Files.isDirectory(dir.resolve("runs/wpunet-nofusion-abw/checkpoints/best-vi")));
        assertTrue(Files.readString(dir.resolve("report.html")).contains("data:image/png;base64,"));
    }

    @Test
    void budgets() {
        assertEquals(new ExperimentPlan.Budget(20, null), ExperimentPlan.Budget.parse("20"));
        assertEquals(new ExperimentPlan.Budget(20, null), ExperimentPlan.Budget.parse("20 epochs"));
        assertEquals(new ExperimentPlan.Budget(ExperimentPlan.EPOCH_CAP, Duration.ofSeconds(90)), ExperimentPlan.Budget.parse("1.5m"));
        assertEquals(Duration.ofMinutes(5), ExperimentPlan.Budget.parse("5min").time());
        for (String bad : new String[] {"0", "-3", "five", "5h", "0m", ""}) {
            var e = assertThrows(IllegalArgumentException.class, () -> ExperimentPlan.Budget.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--budget"), e.getMessage());
        }
    }
}
