package org.wpunet.tracking.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.cli.Main;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.io.FloatImage;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;
import org.wpunet.nn.io.Json;
import org.wpunet.tracking.SliceAlignment;
import org.wpunet.tracking.export.VolumeExports;

class TrackCommandTest {
    private static final SerialStack STACK = StackSynthesizer.generate(StackSynthesizer.Config.of(80, 64, 6, 20, 9).withFlaws(Flaws.LIGHT));

    @TempDir
    Path dir;

    private record Run(int rc, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int rc = cl.execute(args);
        return new Run(rc, out.toString(), err.toString());
    }

    private Path h5() throws Exception {
        Path f = dir.resolve("stack.h5");
        if (!Files.exists(f)) Hdf5Stack.write(STACK, f, false);
        return f;
    }

    /** A segment-like output directory: boundary/NNN.png and probability/NNN.tiff. */
    private Path segmentDir(byte[][] boundaries) throws Exception {
        Path d = Files.createDirectories(dir.resolve("seg")), b = Files.createDirectories(d.resolve("boundary")),
                p = Files.createDirectories(d.resolve("probability"));
        for (int k = 0; k < boundaries.length; k++) {
            String name = String.format("%03d", k + 1);
            PngIO.writeGray8(b.resolve(name + ".png"), boundaries[k], STACK.width(), STACK.height());
            float[] prob = new float[boundaries[k].length];
            for (int i = 0; i < prob.length; i++) prob[i] = boundaries[k][i] != 0 ? 0.9f : 0.05f;
            TiffIO.writeFloat(p.resolve(name + ".tiff"), new FloatImage(STACK.width(), STACK.height(), prob));
        }
        return d;
    }

    @Test
    void tracksAnHdf5StackWritesExportsAndScores() throws Exception {
        Path out = dir.resolve("out");
        Run r = run("track", "--boundaries", h5().toString(), "--truth", h5().toString(), "--method", "overlap", "--out", out.toString(),
                "--pixel-um", "0.5", "--spacing-um", "2");
        assertEquals(0, r.rc, r.err);
        assertTrue(r.out.contains("3D scores: ARI"), r.out);
        assertTrue(r.err.contains("6/6 slices"), r.err);
        @SuppressWarnings("unchecked")
        Map<String, Object> scores = (Map<String, Object>) Json.parse(Files.readString(out.resolve("scores.json")));
        assertEquals(java.util.List.of("ri", "ari", "vi", "vi_merge", "vi_split", "grains", "true_grains", "link_accuracy"),
                java.util.List.copyOf(scores.keySet()));
        assertTrue(((Number) scores.get("ari")).doubleValue() >= 0.9, scores.toString());
        for (String name : VolumeExports.OUTPUT_NAMES) assertTrue(Files.exists(out.resolve(name)), name);
        assertTrue(Files.readString(out.resolve("grains.csv")).lines().count() > 2);
        assertTrue(Files.exists(out.resolve("grain-sizes.png")));
        assertEquals(STACK.slices(), VolumeExports.readHdf5(out.resolve("label.h5")).depth());
    }

    @Test
    void aSliceRangeIsScoredAgainstTheMatchingSlicesOfTheTruth() throws Exception {
        // segment --slices 3-6 writes 003.png ... 006.png: the truth's slices 3-6 are compared, found from the names
        Path b = Files.createDirectories(dir.resolve("part/boundary"));
        for (int k = 2; k < STACK.slices(); k++)
            PngIO.writeGray8(b.resolve(String.format("%03d.png", k + 1)), STACK.boundaries()[k], STACK.width(), STACK.height());
        Run byName = run("track", "--boundaries", dir.resolve("part").toString(), "--truth", h5().toString(), "--out", dir.resolve("p1").toString());
        assertEquals(0, byName.rc, byName.err);
        Run byOption = run("track", "--boundaries", dir.resolve("part").toString(), "--truth", h5().toString(), "--truth-slices", "3-6",
                "--out", dir.resolve("p2").toString());
        assertEquals(0, byOption.rc, byOption.err);
        String s1 = Files.readString(dir.resolve("p1/scores.json")), s2 = Files.readString(dir.resolve("p2/scores.json"));
        assertEquals(s1, s2);
        assertTrue(((Number) ((Map<?, ?>) Json.parse(s1)).get("ari")).doubleValue() >= 0.9, s1);
        // the wrong part of the truth scores worse; a range of another length is one clear error
        Run wrong = run("track", "--boundaries", dir.resolve("part").toString(), "--truth", h5().toString(), "--truth-slices", "1-4",
                "--out", dir.resolve("p3").toString());
        assertEquals(0, wrong.rc, wrong.err);
        double good = ((Number) ((Map<?, ?>) Json.parse(s1)).get("ari")).doubleValue();
        double bad = ((Number) ((Map<?, ?>) Json.parse(Files.readString(dir.resolve("p3/scores.json")))).get("ari")).doubleValue();
        assertTrue(bad < good, bad + " vs " + good);
        assertError(run("track", "--boundaries", dir.resolve("part").toString(), "--truth", h5().toString(), "--truth-slices", "1-6",
                "--out", dir.resolve("p4").toString()), "with 4");
    }

    @Test
    void watershedFindsTheProbabilityBesideSegmentsBoundaries() throws Exception {
        Path seg = segmentDir(STACK.boundaries()), out = dir.resolve("ws");
        Run r = run("track", "--boundaries", seg.toString(), "--method", "watershed", "--truth", h5().toString(), "--out", out.toString(), "--quiet");
        assertEquals(0, r.rc, r.err);
        assertTrue(Files.exists(out.resolve("scores.json")));
    }

    @Test
    void alignRecoversShiftedSections() throws Exception {
        int w = STACK.width(), h = STACK.height();
        byte[][] moved = new byte[STACK.slices()][];
        for (int k = 0; k < moved.length; k++)   // each slice 2 px further right and 1 px further up
            moved[k] = SliceAlignment.shift(STACK.boundaries()[k], w, h, new SliceAlignment.Shift(-2 * k, k));
        Path seg = segmentDir(moved), out = dir.resolve("aligned");
        Run r = run("track", "--boundaries", seg.resolve("boundary").toString(), "--align", "--out", out.toString(), "--quiet");
        assertEquals(0, r.rc, r.err);
        var lines = Files.readAllLines(out.resolve("alignment.csv"));
        assertEquals("slice,dx,dy,total_dx,total_dy", lines.get(0));
        assertEquals("3,2,-1,4,-2", lines.get(3));
    }

    @Test
    void badInputIsOneClearError() throws Exception {
        // slices of different sizes
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        PngIO.writeGray8(mixed.resolve("001.png"), new byte[16 * 16], 16, 16);
        PngIO.writeGray8(mixed.resolve("002.png"), new byte[16 * 12], 16, 12);
        assertError(run("track", "--boundaries", mixed.toString(), "--out", dir.resolve("o1").toString()), "002.png is 16x12");
        // an empty stack
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertError(run("track", "--boundaries", empty.toString(), "--out", dir.resolve("o2").toString()), "empty");
        // a truth of another shape
        Path seg = segmentDir(STACK.boundaries());
        Path other = dir.resolve("other.h5");
        Hdf5Stack.write(STACK.range(0, 4), other, false);
        assertError(run("track", "--boundaries", seg.toString(), "--truth", other.toString(), "--out", dir.resolve("o3").toString()),
                "4 slices");
        // watershed without probability
        assertError(run("track", "--boundaries", seg.resolve("boundary").toString(), "--method", "watershed", "--out",
                dir.resolve("o4").toString()), "needs the boundary probability");
        // a cnn model that is not one, an unknown method
        assertError(run("track", "--boundaries", seg.toString(), "--method", "cnn", "--model", other.toString(), "--out",
                dir.resolve("o5").toString()), "other.h5");
        assertError(run("track", "--boundaries", seg.toString(), "--method", "nearest", "--out", dir.resolve("o6").toString()),
                "--method must be one of centroid, overlap, cnn, watershed");
        // a non-empty output directory needs --force, and then only track's outputs are replaced
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        assertError(run("track", "--boundaries", seg.toString(), "--out", busy.toString()), "not empty");
        assertEquals(0, run("track", "--boundaries", seg.toString(), "--out", busy.toString(), "--force", "--quiet").rc);
        assertEquals("mine", Files.readString(busy.resolve("notes.txt")));
        // the marker lists what track wrote; --force replaces those, never a file of the user's under an output's name
        String marker = Files.readString(busy.resolve(org.wpunet.cli.OutputPolicy.MARKER));
        assertTrue(marker.contains("label.h5") && marker.contains("grains.csv") && !marker.contains("notes.txt"), marker);
        assertEquals(0, run("track", "--boundaries", seg.toString(), "--out", busy.toString(), "--force", "--quiet").rc);
        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("grains.csv"), "my own table");
        assertError(run("track", "--boundaries", seg.toString(), "--out", foreign.toString(), "--force"), "which wpunet did not write");
        assertEquals("my own table", Files.readString(foreign.resolve("grains.csv")));
    }

    private static void assertError(Run r, String message) {
        assertEquals(2, r.rc, r.err);
        String[] lines = r.err.strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.startsWith("error: ") && last.contains(message), r.err);
        assertTrue(r.err.lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err);
    }
}
