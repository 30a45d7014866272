package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.image.Boundaries;
import org.wpunet.io.PngIO;

class EvalCommandTest {
    @TempDir
    Path dir;

    private static byte[] grid(int w, int h, int step) {
        int[] lab = new int[w * h];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) lab[x + w * y] = x / step + 100 * (y / step);
        return Boundaries.fromLabels(lab, w, h);
    }

    @Test
    void scoresPairsAndWritesJson() throws Exception {
        Path pred = Files.createDirectories(dir.resolve("pred")), gt = Files.createDirectories(dir.resolve("gt"));
        PngIO.writeGray8(gt.resolve("a.png"), grid(64, 64, 16), 64, 64);
        PngIO.writeGray8(pred.resolve("a.png"), grid(64, 64, 16), 64, 64);
        PngIO.writeGray8(gt.resolve("b.png"), grid(64, 64, 16), 64, 64);
        PngIO.writeGray8(pred.resolve("b.png"), grid(64, 64, 32), 64, 64);
        Path json = Files.createDirectories(dir.resolve("out")).resolve("scores.json");
        var out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            rc = Main.commandLine().execute("eval", "--pred", pred.toString(), "--gt", gt.toString(), "--json", json.toString());
        } finally {
            System.setOut(old);
        }
        assertEquals(0, rc);
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("a.png") && table.contains("b.png") && table.contains("mean"), table);
        String js = Files.readString(json);
        assertTrue(js.contains("\"images\"") && js.contains("\"mean\""), js);
        if (Files.getFileAttributeView(json, java.nio.file.attribute.PosixFileAttributeView.class) != null)
            assertEquals(Files.getPosixFilePermissions(Files.createFile(dir.resolve("ordinary"))), Files.getPosixFilePermissions(json),
                    "the JSON file gets ordinary permissions, not 0600");
        assertTrue(js.contains("\"a.png\": {\"ri\": 1.0, \"ari\": 1.0, \"vi\": 0.0, \"vi_merge\": 0.0, \"vi_split\": 0.0, \"f\": 1.0, \"map\": 1.0}"), js);
        var rows = EvalCommand.evaluate(pred, gt, 10);
        assertTrue(rows.get(1).scores().viMerge() > 0, "b merges grains");
        assertEquals((1.0 + rows.get(1).scores().ari()) / 2, EvalCommand.means(rows)[1], 1e-12);
    }

    @Test
    void missingGroundTruthAndSizeMismatchAreClearErrors() throws Exception {
        Path pred = Files.createDirectories(dir.resolve("p")), gt = Files.createDirectories(dir.resolve("g"));
        PngIO.writeGray8(pred.resolve("x.png"), grid(64, 64, 16), 64, 64);
        var err = new StringWriter();
        var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("eval", "--pred", pred.toString(), "--gt", gt.toString()));
        assertTrue(err.toString().contains("x.png"), err.toString());
        PngIO.writeGray8(gt.resolve("x.png"), grid(48, 64, 16), 48, 64);
        var e = assertThrows(IllegalArgumentException.class, () -> EvalCommand.evaluate(pred, gt, 10));
        assertTrue(e.getMessage().contains("x.png") && e.getMessage().contains("48x64"), e.getMessage());
    }

    private static SynthCommandTest.Run eval(Path pred, Path gt, String... more) {
        String[] args = new String[4 + more.length + 1];
        args[0] = "eval"; args[1] = "--pred"; args[2] = pred.toString(); args[3] = "--gt"; args[4] = gt.toString();
        args = java.util.Arrays.copyOf(args, 5 + more.length);
        System.arraycopy(more, 0, args, 5, more.length);
        return SynthCommandTest.run(null, args);
    }

    @Test
    void badJsonPathsFailBeforeAnyScoring() throws Exception {
        Path pred = Files.createDirectories(dir.resolve("p")), gt = Files.createDirectories(dir.resolve("g"));
        PngIO.writeGray8(pred.resolve("a.png"), grid(64, 64, 16), 64, 64);
        PngIO.writeGray8(gt.resolve("a.png"), grid(64, 64, 16), 64, 64);
        Path missing = dir.resolve("nonexist/sub/x.json");
        var r = eval(pred, gt, "--json", missing.toString());
        assertEquals(2, r.rc());
        assertEquals("error: cannot write " + missing + ": no such directory " + dir.resolve("nonexist/sub"), r.err().strip());
        assertEquals("", r.out(), "no table before the error");
        assertFalse(Files.exists(dir.resolve("nonexist")), "a missing directory is not created");
        Path d1 = Files.createDirectories(dir.resolve("d1"));
        r = eval(pred, gt, "--json", d1.toString());
        assertEquals(2, r.rc());
        assertEquals("error: cannot write " + d1 + ": is a directory", r.err().strip());
        assertEquals("", r.out());
        Path fileParent = Files.writeString(dir.resolve("f"), "x").resolve("x.json");
        r = eval(pred, gt, "--json", fileParent.toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("error: cannot write " + fileParent + ": ") && r.err().contains("not a directory"), r.err());
        assertEquals(List.of("d1", "f", "g", "p"), names(dir));
        assertEquals(List.of(), names(d1));
    }

    private static List<String> names(Path d) throws java.io.IOException {
        try (var s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void nonBinaryImagesAreRejectedByName() throws Exception {
        Path pred = Files.createDirectories(dir.resolve("pred")), gt = Files.createDirectories(dir.resolve("d1/images"));
        byte[] grey = new byte[64 * 64];
        for (int i = 0; i < grey.length; i++) grey[i] = (byte) (i % 214);
        PngIO.writeGray8(gt.resolve("001.png"), grey, 64, 64);
        PngIO.writeGray8(pred.resolve("001.png"), grid(64, 64, 16), 64, 64);
        var r = eval(pred, gt);
        assertEquals(2, r.rc());
        assertEquals("error: " + gt.resolve("001.png") + " is not a binary boundary map (214 grey levels); "
                + "expected 0 = grain, 255 (or any non-zero) = boundary", r.err().strip());
        assertEquals("", r.out());
        // two levels, neither 0: a flat grey image with a pattern, not a boundary map
        byte[] two = grid(64, 64, 16);
        for (int i = 0; i < two.length; i++) two[i] = (byte) (two[i] != 0 ? 200 : 10);
        PngIO.writeGray8(gt.resolve("001.png"), two, 64, 64);
        var e = assertThrows(IllegalArgumentException.class, () -> EvalCommand.evaluate(pred, gt, 10));
        assertTrue(e.getMessage().startsWith(gt.resolve("001.png") + " is not a binary boundary map (grey levels 10 and 200"), e.getMessage());
        // 0/1 maps and all-grain maps are binary
        byte[] ones = grid(64, 64, 16);
        for (int i = 0; i < ones.length; i++) ones[i] = (byte) (ones[i] != 0 ? 1 : 0);
        PngIO.writeGray8(gt.resolve("001.png"), ones, 64, 64);
        assertEquals(1.0, EvalCommand.evaluate(pred, gt, 10).get(0).scores().ri(), 1e-12);
        PngIO.writeGray8(gt.resolve("001.png"), new byte[64 * 64], 64, 64);
        assertEquals(1, EvalCommand.evaluate(pred, gt, 10).size());
    }

    @Test
    void anInvertedOrAllBoundaryPredictionIsWarnedAbout() throws Exception {
        byte[] b = grid(64, 64, 16), inverted = b.clone(), all = new byte[64 * 64];
        for (int i = 0; i < inverted.length; i++) inverted[i] = (byte) (b[i] == 0 ? 255 : 0);
        java.util.Arrays.fill(all, (byte) 255);
        var err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            assertFalse(EvalCommand.warnIfInverted(new org.wpunet.io.Gray8Image(64, 64, b), Path.of("ok.png")));
            assertTrue(EvalCommand.warnIfInverted(new org.wpunet.io.Gray8Image(64, 64, inverted), Path.of("inv.png")));
            assertTrue(EvalCommand.warnIfInverted(new org.wpunet.io.Gray8Image(64, 64, all), Path.of("all.png")));
            Path pred = Files.createDirectories(dir.resolve("p")), gt = Files.createDirectories(dir.resolve("g"));
            PngIO.writeGray8(pred.resolve("a.png"), all, 64, 64);
            PngIO.writeGray8(gt.resolve("a.png"), b, 64, 64);
            EvalCommand.evaluate(pred, gt, 10);
        } finally {
            System.setErr(old);
        }
        String w = err.toString(StandardCharsets.UTF_8);
        assertFalse(w.contains("ok.png"), w);
        assertTrue(w.contains("inv.png") && w.contains("inverted") && w.contains("0 = boundary"), w);
        assertTrue(w.contains("all.png is 100% boundary"), w);
        assertTrue(w.contains(dir.resolve("p").resolve("a.png").toString()), "the CLI path warns too: " + w);
    }
}
