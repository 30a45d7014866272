package org.wpunet.tracking.cnn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.cli.Main;

class TrainTrackerCommandTest {
    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new String[]{String.valueOf(cl.execute(args)), err.toString()};
    }

    private static void assertError(String[] r, String message) {
        assertEquals("2", r[0], r[1]);
        String last = r[1].strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("error: ") && last.contains(message), r[1]);
        assertTrue(r[1].lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r[1]);
    }

    @Test
    void badInputIsOneClearError() throws Exception {
        assertError(run("train-tracker", "--data", dir.resolve("missing.h5").toString(), "--out", dir.resolve("r1").toString()), "missing.h5");
        assertError(run("train-tracker", "--out", dir.resolve("r2").toString()), "--data is required");
        assertError(run("train-tracker", "--out", dir.resolve("r3").toString(), "--resume"), "no train-tracker checkpoint");
        assertError(run("train-tracker", "--data", "x.h5", "--out", dir.resolve("r4").toString(), "--net", "vgg13bn", "--size", "64"), "224");
        assertError(run("train-tracker", "--data", "x.h5", "--out", dir.resolve("r5").toString(), "--net", "resnet"), "small or vgg13bn");
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("notes.txt"), "mine");
        assertError(run("train-tracker", "--data", "x.h5", "--out", busy.toString()), "not empty");
        assertEquals("mine", Files.readString(busy.resolve("notes.txt")));
    }
}
