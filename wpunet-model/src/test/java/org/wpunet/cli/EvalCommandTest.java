package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path json = dir.resolve("out/scores.json");
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
}
