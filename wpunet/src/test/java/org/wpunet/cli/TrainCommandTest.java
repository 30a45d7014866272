package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.synth.StackSynthesizer;

class TrainCommandTest {
    @TempDir Path tmp;

    private Path stack() throws IOException {
        Path data = tmp.resolve("stack");
        DirectoryStack.write(StackSynthesizer.run(StackSynthesizer.Config.of(48, 48, 6, 12, 3), null).stack(), data, false);
        return data;
    }

    private static SynthCommandTest.Run train(String... args) {
        List<String> a = new ArrayList<>(List.of("train", "--quiet"));
        a.addAll(List.of(args));
        return SynthCommandTest.run(null, a.toArray(String[]::new));
    }

    private static final String[] TINY = {"--widths", "4,4,8,8,8", "--crop", "32", "--batch", "2", "--device", "cpu",
            "--train-slices", "1-3", "--val-slices", "4-6", "--loader-threads", "1"};

    private static String[] with(String... more) {
        List<String> a = new ArrayList<>(List.of(TINY));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void trainsWritesItsRunDirectoryAndResumes() throws IOException {
        Path data = stack(), run = tmp.resolve("run");
        var r = train(with("--data", data.toString(), "--out", run.toString(), "--epochs", "1"));
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("epoch 1: train loss"), r.err());
        for (String f : List.of("log.csv", "curves.png", "samples/epoch-001.png", "checkpoints/last/state.json", "checkpoints/best-loss/model.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f);
        }
        // the same run directory again without --resume: refused, nothing touched
        var again = train(with("--data", data.toString(), "--out", run.toString(), "--epochs", "1"));
        assertEquals(2, again.rc());
        assertTrue(again.err().startsWith("error: ") && again.err().contains("--resume"), again.err());
        // --resume may raise the epochs but not change the recipe
        var changed = train("--out", run.toString(), "--resume", "--lr", "0.1");
        assertEquals(2, changed.rc());
        assertTrue(changed.err().contains("--lr"), changed.err());
        var resumed = train("--out", run.toString(), "--resume", "--epochs", "2");
        assertEquals(0, resumed.rc(), resumed.err());
        assertTrue(resumed.err().contains("resuming") && resumed.err().contains("epoch 2: train loss"), resumed.err());
        assertEquals(3, Files.readAllLines(run.resolve("log.csv")).size());
    }

    @Test
    void badInputIsOneErrorLine() throws IOException {
        Path data = stack();
        Path user = tmp.resolve("user");
        Files.createDirectories(user);
        Files.writeString(user.resolve("notes.txt"), "mine");
        var r = train(with("--data", data.toString(), "--out", user.toString()));
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("not empty"), r.err());
        assertEquals("mine", Files.readString(user.resolve("notes.txt")));

        var missing = train(with("--data", tmp.resolve("nope.h5").toString(), "--out", tmp.resolve("r1").toString()));
        assertEquals(2, missing.rc());
        assertTrue(missing.err().contains("nope.h5") && missing.err().contains("no such file"), missing.err());
        assertFalse(Files.exists(tmp.resolve("r1")), "no run directory for a run that could not start");

        var loss = train(with("--data", data.toString(), "--out", tmp.resolve("r2").toString(), "--loss", "wce6"));
        assertEquals(2, loss.rc());
        assertTrue(loss.err().contains("NaN"), loss.err());

        var crop = train("--data", data.toString(), "--out", tmp.resolve("r3").toString(), "--crop", "64", "--widths", "4,4,8,8,8",
                "--device", "cpu", "--train-slices", "1-3", "--val-slices", "4-6");
        assertEquals(2, crop.rc());
        assertTrue(crop.err().contains("64") && crop.err().contains("48"), crop.err());

        var noResume = train("--out", tmp.resolve("r4").toString(), "--resume");
        assertEquals(2, noResume.rc());
        assertTrue(noResume.err().contains("no checkpoint"), noResume.err());
        // a step that cannot fit in the heap is refused up front, with the figure and the fix
        var huge = train("--data", data.toString(), "--out", tmp.resolve("r5").toString(), "--batch", "1000000", "--crop", "32",
                "--widths", "4,4,8,8,8", "--device", "cpu", "--train-slices", "1-3", "--val-slices", "4-6");
        assertEquals(2, huge.rc());
        assertTrue(huge.err().contains("needs about") && huge.err().contains("--batch 1000000") && huge.err().contains("WPUNET_JAVA_OPTS"),
                huge.err());
        for (var x : List.of(r, missing, loss, crop, noResume, huge)) assertEquals(1, x.err().strip().lines().count(), x.err());
    }
}
