package org.wpunet.data;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.cli.Main;
import org.wpunet.data.synth.StackSynthesizer;

class StackIoTest {
    @TempDir Path tmp;

    private static SerialStack stack(long seed) {
        return StackSynthesizer.generate(StackSynthesizer.Config.of(50, 40, 5, 12, seed));
    }

    private static void assertSameStack(SerialStack a, SerialStack b) {
        assertEquals(a.width(), b.width());
        assertEquals(a.height(), b.height());
        assertEquals(a.slices(), b.slices());
        for (int k = 0; k < a.slices(); k++) {
            assertArrayEquals(a.images()[k], b.images()[k], "image " + k);
            assertArrayEquals(a.labels()[k], b.labels()[k], "label " + k);
            assertArrayEquals(a.boundaries()[k], b.boundaries()[k], "boundary " + k);
        }
    }

    private static Path resource(String name) throws Exception {
        return Path.of(StackIoTest.class.getResource("/data/" + name).toURI());
    }

    @Test
    void hdf5RoundTripIsExactAndByteIdenticalForASeed() throws IOException {
        SerialStack s = stack(1);
        Path a = tmp.resolve("a.h5"), b = tmp.resolve("b.h5");
        Hdf5Stack.write(s, a, false);
        Hdf5Stack.write(stack(1), b, false);
        assertSameStack(s, Hdf5Stack.read(a));
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same seed, same file bytes");
        var e = assertThrows(IOException.class, () -> Hdf5Stack.write(s, a, false));
        assertTrue(e.getMessage().contains("--force"), e.getMessage());
        Hdf5Stack.write(stack(2), a, true);
        assertSameStack(stack(2), Hdf5Stack.read(a));
        try (var files = Files.list(tmp)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void readsTheH5pyFixtureInTheRealDatasetsLayout() throws Exception {
        SerialStack s = Hdf5Stack.read(resource("pure_iron_layout.h5"));
        assertEquals(5, s.width());
        assertEquals(6, s.height());
        assertEquals(3, s.slices());
        for (int k = 0; k < 3; k++)
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 5; x++) {
                    int i = y * 5 + x;
                    assertEquals(10 * y + x + 100 * k, s.images()[k][i] & 255);
                    int label = 1 + (x >= 2 ? 1 : 0) + 2 * (y >= 3 ? 1 : 0) + 4 * k;
                    assertEquals(label, s.labels()[k][i]);
                    boolean b = (x == 1) || (y == 2);
                    assertEquals(b ? (byte) 255 : 0, s.boundaries()[k][i], "boundary at " + x + "," + y);
                }
    }

    @Test
    void damagedOrWrongFilesGiveClearErrors() throws Exception {
        var e = assertThrows(IOException.class, () -> Hdf5Stack.read(resource("truncated.h5")));
        assertTrue(e.getMessage().contains("truncated.h5"), e.getMessage());
        Path text = tmp.resolve("notes.h5");
        Files.writeString(text, "this is not HDF5\n");
        e = assertThrows(IOException.class, () -> Hdf5Stack.read(text));
        assertTrue(e.getMessage().contains("notes.h5") && e.getMessage().contains("HDF5"), e.getMessage());
        e = assertThrows(IOException.class, () -> Hdf5Stack.read(tmp.resolve("missing.h5")));
        assertTrue(e.getMessage().contains("missing.h5"), e.getMessage());
    }

    @Test
    void directoryRoundTripAndOriginalLayoutWithoutGrains() throws IOException {
        SerialStack s = stack(3);
        Path dir = tmp.resolve("stack");
        DirectoryStack.write(s, dir, false);
        assertTrue(Files.isRegularFile(dir.resolve("images/001.png")));
        assertTrue(Files.isRegularFile(dir.resolve("labels/005.png")));
        assertSameStack(s, DirectoryStack.read(dir));
        assertThrows(IOException.class, () -> DirectoryStack.write(s, dir, false));

        // the original code's layout has only images/ and labels/ (boundary maps)
        try (var g = Files.list(dir.resolve("grains"))) {
            for (Path p : g.toList()) Files.delete(p);
        }
        Files.delete(dir.resolve("grains"));
        SerialStack o = DirectoryStack.read(dir);
        for (int k = 0; k < s.slices(); k++) {
            assertArrayEquals(s.images()[k], o.images()[k]);
            assertArrayEquals(s.boundaries()[k], o.boundaries()[k]);
            // derived grains (image border counts as boundary there): horizontally adjacent interior
            // pixels share a derived id exactly when they share a true grain
            int[] t = s.labels()[k], d = o.labels()[k];
            int w = s.width(), h = s.height(), checked = 0;
            for (int y = 1; y < h - 1; y++)
                for (int x = 1; x + 2 < w; x++) {
                    int i = y * w + x;
                    if (s.boundaries()[k][i] != 0 || s.boundaries()[k][i + 1] != 0) continue;
                    assertEquals(t[i] == t[i + 1], d[i] == d[i + 1], "pixel " + x + "," + y + " of slice " + k);
                    checked++;
                }
            assertTrue(checked > w * h / 2);
        }
        Files.delete(dir.resolve("labels/003.png"));
        var e = assertThrows(IOException.class, () -> DirectoryStack.read(dir));
        assertTrue(e.getMessage().contains("slice 3 is missing"), e.getMessage());
    }

    @Test
    void splitsFollowThePaper() {
        var p = StackSplits.forSlices(296);
        assertArrayEquals(new int[] {0, 116}, p.train());
        assertArrayEquals(new int[] {116, 148}, p.validation());
        assertArrayEquals(new int[] {148, 296}, p.test());
        var s = StackSplits.forSlices(40);
        assertArrayEquals(new int[] {0, 16}, s.train());
        assertArrayEquals(new int[] {16, 20}, s.validation());
        assertArrayEquals(new int[] {20, 40}, s.test());
        SerialStack st = stack(4);
        var five = StackSplits.forSlices(5);
        assertEquals(5, five.train(st).slices() + five.validation(st).slices() + five.test(st).slices());
        assertThrows(IllegalArgumentException.class, () -> StackSplits.forSlices(6).train(st));
    }

    @Test
    void splitsPrintEmptyPartsAsNone() {
        assertEquals("train 1-116, validation 117-148, test 149-296", StackSplits.forSlices(296).toString());
        assertEquals("train 1-16, validation 17-20, test 21-40", StackSplits.forSlices(40).toString());
        assertEquals("train 1-2, validation none, test 3-4", StackSplits.forSlices(4).toString());
        assertEquals("train 1, validation 2, test 3", StackSplits.forSlices(3).toString());
        assertEquals("train none, validation 1, test none", StackSplits.forSlices(1).toString());
        assertEquals("train none, validation none, test 1-2", new StackSplits(2, 0, 0).toString());
        assertEquals("none", StackSplits.describe(new int[] {3, 3}));
        assertEquals("4", StackSplits.describe(new int[] {3, 4}));
        assertEquals("4-9", StackSplits.describe(new int[] {3, 9}));
        var four = StackSplits.forSlices(4);
        assertTrue(StackSplits.isEmpty(four.validation()));
        assertFalse(StackSplits.isEmpty(four.test()));
        SerialStack st = stack(4).range(0, 4);
        assertEquals(2, four.train(st).slices());
        var e = assertThrows(IllegalArgumentException.class, () -> four.validation(st));
        assertEquals("the validation part of train 1-2, validation none, test 3-4 is empty", e.getMessage());
    }

    @Test
    void directoryWriteReplacesInsteadOfMerging() throws IOException {
        Path dir = tmp.resolve("stack");
        DirectoryStack.write(stack(1), dir, false); // 5 slices
        Files.writeString(tmp.resolve("neighbour.txt"), "kept");
        SerialStack three = stack(2).range(0, 3);
        assertThrows(IOException.class, () -> DirectoryStack.write(three, dir, false));
        DirectoryStack.write(three, dir, true);
        assertSameStack(three, DirectoryStack.read(dir));
        assertFalse(Files.exists(dir.resolve("images/004.png")), "old slices are gone");
        try (var s = Files.list(tmp)) {
            assertEquals(java.util.List.of("neighbour.txt", "stack"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        DirectoryStack.write(three, empty, false); // an empty directory needs no overwrite
        assertEquals(3, DirectoryStack.read(empty).slices());
    }

    @Test
    void synthCommandWritesDeterministicallyAndRejectsBadInput() throws IOException {
        Path out = tmp.resolve("s.h5");
        String[] args = {"synth", "--out", out.toString(), "--size", "48", "--slices", "4", "--grain-size", "12",
                "--seed", "7", "--flaws", "heavy", "--quiet", "--previews", "2"};
        assertEquals(0, Main.commandLine().execute(args));
        assertTrue(Files.isRegularFile(tmp.resolve("s-preview/001.png")));
        assertTrue(Files.isRegularFile(tmp.resolve("s-preview/004.png")));
        byte[] first = Files.readAllBytes(out);
        assertEquals(2, Main.commandLine().execute(args), "an existing output needs --force");
        String[] forced = java.util.Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        assertEquals(0, Main.commandLine().execute(forced));
        assertArrayEquals(first, Files.readAllBytes(out), "same seed, same bytes");
        assertEquals(2, Main.commandLine().execute("synth", "--out", tmp.resolve("x.h5").toString(), "--method", "cellular", "--quiet"));
        assertEquals(2, Main.commandLine().execute("synth", "--out", tmp.resolve("y.h5").toString(), "--flaws", "extreme", "--quiet"));
        assertEquals(0, Main.commandLine().execute("synth", "--out", tmp.resolve("dir").toString(), "--size", "40",
                "--slices", "3", "--grain-size", "10", "--method", "potts", "--quiet", "--previews", "1"));
        assertEquals(3, DirectoryStack.read(tmp.resolve("dir")).slices());
    }
}
