package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.wpunet.cli.SynthCommandTest.run;
import static org.wpunet.cli.SynthCommandTest.synth;
import static org.wpunet.cli.SynthCommandTest.tree;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.image.Boundaries;
import org.wpunet.io.PngIO;
import picocli.CommandLine;

/** Issue 16, items 1, 2, 7 and 8: nothing of the user's is lost, and each bad output path is one clear line. */
class OutputPolicyTest {
    @TempDir Path tmp;

    private static void assertRefused(SynthCommandTest.Run r, String... parts) {
        assertEquals(2, r.rc(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "'" + p + "' missing in: " + r.err());
    }

    @Test
    void synthForceNeverDeletesHiddenFilesOrFilesInsideItsOwnFolders() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("project"));
        Files.createDirectories(out.resolve(".git"));
        Files.writeString(out.resolve(".git/HEAD"), "ref: refs/heads/main");
        Files.writeString(out.resolve(".env"), "SECRET=1");
        Files.createDirectories(out.resolve("images"));
        Files.writeString(out.resolve("images/notes.txt"), "precious");
        List<String> before = tree(out);
        assertRefused(synth("--out", out.toString(), "--slices", "2", "--force"), ".git/HEAD", ".env", "images/notes.txt", "would be lost");
        assertEquals(before, tree(out));
        assertEquals(List.of("project"), tree(tmp).stream().filter(n -> !n.contains("/")).toList(), "no staging left");
    }

    @Test
    void synthForceRefusesARealDatasetButReplacesItsOwnOutput() throws IOException {
        Path data = tmp.resolve("dataset");
        assertEquals(0, synth("--out", data.toString(), "--slices", "2", "--previews", "0").rc());
        Files.delete(data.resolve(OutputPolicy.MARKER));   // now it looks like a dataset made by someone else
        assertRefused(synth("--out", data.toString(), "--slices", "3", "--force"), "images/001.png", "no " + OutputPolicy.MARKER);
        assertTrue(Files.exists(data.resolve("labels/002.png")) && !Files.exists(data.resolve("labels/003.png")));

        Path own = tmp.resolve("own");
        assertEquals(0, synth("--out", own.toString(), "--slices", "2").rc());
        assertTrue(Files.readString(own.resolve(OutputPolicy.MARKER)).contains("images/001.png"));
        assertEquals(0, synth("--out", own.toString(), "--slices", "3", "--force").rc());
        Files.writeString(own.resolve("images/mine.txt"), "x");   // the user adds a file to wpunet's output
        assertRefused(synth("--out", own.toString(), "--slices", "3", "--force"), "images/mine.txt");
        assertEquals("x", Files.readString(own.resolve("images/mine.txt")));
    }

    private Path[] pngPair() throws IOException {
        Path pred = Files.createDirectories(tmp.resolve("pred")), gt = Files.createDirectories(tmp.resolve("gt"));
        int[] lab = new int[32 * 32];
        for (int i = 0; i < lab.length; i++) lab[i] = (i % 32) / 8 + 10 * (i / 32 / 8);
        byte[] b = Boundaries.fromLabels(lab, 32, 32);
        PngIO.writeGray8(pred.resolve("001.png"), b, 32, 32);
        PngIO.writeGray8(gt.resolve("001.png"), b, 32, 32);
        return new Path[] {pred, gt};
    }

    @Test
    void evalJsonNeverOverwritesAnInputAndOtherFilesOnlyWithForce() throws IOException {
        Path[] p = pngPair();
        Path gtImage = p[1].resolve("001.png");
        byte[] before = Files.readAllBytes(gtImage);
        for (String[] extra : new String[][] {{}, {"--force"}}) {
            var args = new java.util.ArrayList<>(List.of("eval", "--pred", p[0].toString(), "--gt", p[1].toString(), "--crop", "0",
                    "--json", gtImage.toString()));
            args.addAll(List.of(extra));
            assertRefused(run(null, args.toArray(String[]::new)), "would overwrite the input", "--json");
            assertArrayEquals(before, Files.readAllBytes(gtImage));
        }
        Path other = Files.writeString(tmp.resolve("notes.json"), "{\"mine\": 1}");
        String[] base = {"eval", "--pred", p[0].toString(), "--gt", p[1].toString(), "--crop", "0", "--json", other.toString()};
        assertRefused(run(null, base), "exists (use --force");
        String[] forced = java.util.Arrays.copyOf(base, base.length + 1);
        forced[base.length] = "--force";
        assertEquals(0, run(null, forced).rc());
        assertTrue(Files.readString(other).contains("\"mean\""));
        Path text = Files.writeString(tmp.resolve("diary.txt"), "dear diary");
        forced[8] = text.toString();
        assertRefused(run(null, forced), "not a JSON file");
        assertEquals("dear diary", Files.readString(text));
    }

    @Test
    void badOutputPathsAreOneClearLine() throws IOException {
        Path[] p = pngPair();
        assertRefused(synth("--out", "", "--slices", "2"), "--out: empty path");
        assertRefused(run(null, "weights", "--boundary", p[1].resolve("001.png").toString(), "--out", ""), "--out: empty path");
        assertRefused(run(null, "weights", "--boundary", p[1].resolve("001.png").toString(), "--out", tmp.resolve("w.png").toString()),
                "looks like a file name");
        assertRefused(run(null, "segment", "--data", p[1].toString(), "--out", tmp.resolve("seg.hdf").toString()), "looks like a file name");
        assertFalse(Files.exists(tmp.resolve("w.png")) || Files.exists(tmp.resolve("seg.hdf")));
        // a file where a directory is expected
        Path file = p[0].resolve("001.png");
        assertRefused(run(null, "eval", "--pred", file.toString(), "--gt", p[1].toString()), "is a file", "expected a directory");
        // segment never writes over its input (here the stack's grains/ folder)
        Path stack = tmp.resolve("stack");
        assertEquals(0, synth("--out", stack.toString(), "--slices", "2", "--previews", "0").rc());
        assertRefused(run(null, "segment", "--data", stack.toString(), "--out", stack.toString(), "--force"), "would overwrite the input");
    }

    @Test
    void synthWritesHdf5ForDotHdfAndSaysWhichFormat() throws IOException {
        Path hdf = tmp.resolve("s.hdf");
        var r = synth("--out", hdf.toString(), "--slices", "2", "--previews", "0");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("(HDF5"), r.out());
        assertEquals(2, Hdf5Stack.read(hdf).slices());
        r = synth("--out", tmp.resolve("d").toString(), "--slices", "2", "--previews", "0");
        assertTrue(r.out().contains("(directory"), r.out());
    }

    @Test
    void tooLargeARunIsRefusedUpFrontWithTheFix() {
        var r = run(null, "synth", "--quiet", "--out", tmp.resolve("big.h5").toString(), "--size", "16384", "--slices", "40");
        assertRefused(r, "needs about", "GiB", "WPUNET_JAVA_OPTS=-Xmx");
        assertEquals(List.of(), assertDoesNotThrow(() -> tree(tmp)));
    }

    /** A command that runs out of memory inside a worker (the error wrapped, as executors do). */
    @CommandLine.Command(name = "oom")
    static final class Oom implements Callable<Integer> {
        @Override
        public Integer call() { throw new RuntimeException(new OutOfMemoryError("Java heap space")); }
    }

    @Test
    void outOfMemoryIsOneLineWithTheFix() {
        var r = run(new Oom());
        assertRefused(r, "out of memory", "WPUNET_JAVA_OPTS=-Xmx");
    }

    @Test
    void aFullDiskOrReadOnlyFileSystemIsSaidAsSuch() {
        // what ImageIO throws on ENOSPC: its own words around the system's
        var png = new javax.imageio.IIOException("I/O error writing PNG file!", new IOException("No space left on device"));
        Path t = Path.of("/data/out/001.png");
        assertEquals("cannot write " + t + ": no space left on the device", AtomicFiles.reason(png, t, null).isEmpty() ? ""
                : "cannot write " + t + ": " + AtomicFiles.reason(png, t, null));
        assertTrue(Main.describe(new IOException("Exception writing at position 2097152", new IOException("No space left on device")))
                .contains("no space left on the device"));
        var rofs = new java.nio.file.FileSystemException("/mnt/ro/x.h5", null, "Read-only file system");
        assertEquals("/mnt/ro/x.h5: read-only file system", Main.describe(rofs));
    }

    @Test
    void fileKindsRecogniseTheirOwnFormatsOnly() throws IOException {
        Path csv = Files.writeString(tmp.resolve("a.csv"), "grain,volume\n1,20\n"), txt = Files.writeString(tmp.resolve("b.csv"), "dear diary\n");
        Path vtk = Files.writeString(tmp.resolve("c.vtk"), "# vtk DataFile Version 3.0\n");
        assertEquals(csv, OutputPolicy.file("--csv", csv, true, OutputPolicy.FileKind.CSV, List.of()));
        assertThrows(IOException.class, () -> OutputPolicy.file("--csv", txt, true, OutputPolicy.FileKind.CSV, List.of()));
        assertThrows(IOException.class, () -> OutputPolicy.file("--csv", csv, false, OutputPolicy.FileKind.CSV, List.of()), "no --force");
        assertEquals(vtk, OutputPolicy.file("--vtk", vtk, true, OutputPolicy.FileKind.VTK, List.of()));
        assertThrows(IOException.class, () -> OutputPolicy.file("--vtk", vtk, true, OutputPolicy.FileKind.PLY, List.of()));
        assertThrows(IllegalArgumentException.class, () -> OutputPolicy.file("--csv", csv, true, OutputPolicy.FileKind.CSV, List.of(csv)),
                "never an input");
    }

    /** A PNG whose header claims {@code w x h} 8-bit grey pixels (no image data: only the header is read). */
    private static void hugePngHeader(Path file, int w, int h) throws IOException {
        var ihdr = java.nio.ByteBuffer.allocate(17).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(w).putInt(h)
                .put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0).array();
        var crc = new java.util.zip.CRC32();
        crc.update(ihdr);
        var out = java.nio.ByteBuffer.allocate(8 + 4 + 17 + 4).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put(ihdr).putInt((int) crc.getValue());
        Files.write(file, out.array());
    }

    @Test
    void evalRefusesAPairTooLargeForTheHeapBeforeDecodingIt() throws IOException {
        Path pred = Files.createDirectories(tmp.resolve("bigp")), gt = Files.createDirectories(tmp.resolve("bigg"));
        hugePngHeader(pred.resolve("001.png"), 30000, 30000);
        hugePngHeader(gt.resolve("001.png"), 30000, 30000);
        assertRefused(run(null, "eval", "--pred", pred.toString(), "--gt", gt.toString()), "30000x30000", "needs about", "WPUNET_JAVA_OPTS=-Xmx");
    }
}
