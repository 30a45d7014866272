package org.wpunet.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.cli.Main;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.io.PngIO;

/** Every example program runs on a tiny stack (20 slices of 64x64) and prints what its javadoc promises. */
class ExamplesTest {
    @TempDir
    static Path dir;
    static Path h5;
    static SerialStack stack;

    @BeforeAll
    static void stack() throws Exception {
        stack = StackSynthesizer.generate(StackSynthesizer.Config.of(64, 64, 20, 16, 5));
        h5 = dir.resolve("stack.h5");
        Hdf5Stack.write(stack, h5, false);
    }

    /** Runs {@code main} with standard output captured. */
    private static String run(ThrowingRunnable main) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void segment() throws Exception {
        String out = run(() -> SegmentStackExample.main(new String[] {h5.toString(), "pretrained"}));
        assertEquals(20, out.lines().filter(l -> l.matches("slice \\d+: \\d+ grains, \\d+ boundary pixels of 4096")).count(), out);
    }

    @Test
    void train() throws Exception {
        Path runDir = dir.resolve("run");
        String out = run(() -> TrainStackExample.main(new String[] {h5.toString(), runDir.toString(), "2", "32"}));
        assertTrue(out.contains("epoch 1: ") && out.contains("epoch 2: "), out);
        assertTrue(Files.isRegularFile(runDir.resolve("checkpoints/best-vi/model.safetensors")), out);
    }

    @Test
    void evaluateGivesPerfectScoresForTheTruthAndWorseForAnEmptyMap() throws Exception {
        Path seg = dir.resolve("seg");
        for (int k = 0; k < 3; k++) PngIO.writeGray8(seg.resolve("boundary").resolve(String.format("%03d.png", k + 1)), stack.boundaries()[k], 64, 64);
        String out = run(() -> EvaluateExample.main(new String[] {seg.toString(), h5.toString()}));
        assertTrue(out.contains("3 slices, mean ± sd: VI 0.000 ± 0.000, VI merge 0.000 ± 0.000, VI split 0.000 ± 0.000, ARI 1.000 ± 0.000"), out);
        PngIO.writeGray8(seg.resolve("boundary/002.png"), new byte[64 * 64], 64, 64);   // no boundary: everything merged
        String worse = run(() -> EvaluateExample.main(new String[] {seg.toString(), h5.toString()}));
        assertTrue(worse.lines().anyMatch(l -> l.startsWith("slice 2: VI ") && !l.contains("VI 0.000")), worse);
    }

    @Test
    void track() throws Exception {
        Path out = dir.resolve("grains3d");
        String o = run(() -> TrackStackExample.main(new String[] {h5.toString(), out.toString(), "0.5", "2"}));
        var m = java.util.regex.Pattern.compile("(\\d+) grains found, (\\d+) true; 3D ARI ([0-9.]+)").matcher(o);
        assertTrue(m.find(), o);
        assertEquals(stack.labelVolume().maxLabel(), Integer.parseInt(m.group(2)), o);
        assertTrue(Double.parseDouble(m.group(3)) > 0.5, o);                    // real 3D grains, not noise
        assertTrue(Files.isRegularFile(out.resolve("label.h5")) && Files.isRegularFile(out.resolve("orthogonal.png")), o);
        assertTrue(o.contains("voxels of 0.5 x 0.5 x 2 um"), o);
    }

    @Test
    void pytorchWeights() throws Exception {
        // converted by benchmarks/pytorch/convert_pth.py from an original-code DataParallel checkpoint (wpunet module's fixtures)
        Path weights = Path.of("../wpunet/src/test/resources/golden/convert/wpunet_dp.safetensors");
        String out = run(() -> PyTorchWeightsExample.main(new String[] {weights.toString(), h5.toString()}));
        assertTrue(out.startsWith("loaded WPU-Net (fusion on), widths [2, 4, 8, 16, 32]"), out);
        assertTrue(out.contains("slice 1: ") && out.contains("prior none") && out.contains("prior used"), out);
    }

    @Test
    void theCommandListsAndRunsThemAndRefusesUnknownNames() throws Exception {
        String list = run(() -> assertEquals(0, Main.commandLine().execute("example")));
        for (String n : new String[] {"segment", "train", "evaluate", "track", "pytorch"}) assertTrue(list.contains("  " + n + " "), list);
        String seg = run(() -> assertEquals(0, Main.commandLine().execute("example", "segment", h5.toString())));
        assertTrue(seg.contains("slice 20: "), seg);
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("example", "nosuch"));
        assertTrue(err.toString().startsWith("error: no example 'nosuch'"), err.toString());
    }
}
