package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.Hdf5Stack;
import picocli.CommandLine;

class SynthCommandTest {
    @TempDir Path tmp;

    /** Exit code, stdout and stderr of one run. */
    record Run(int rc, String out, String err) {}

    static Run run(Object command, String... args) {
        var err = new StringWriter();
        var outBytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        int rc;
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            CommandLine cl = command == null ? Main.commandLine() : withHandler(new CommandLine(command));
            cl.setErr(new PrintWriter(err, true));
            cl.setOut(new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
            rc = cl.execute(args);
        } finally {
            System.setOut(old);
        }
        return new Run(rc, outBytes.toString(StandardCharsets.UTF_8), err.toString());
    }

    /** A bare command with Main's error handling. */
    private static CommandLine withHandler(CommandLine cl) {
        cl.setExecutionExceptionHandler(Main.commandLine().getExecutionExceptionHandler());
        return cl;
    }

    static Run synth(String... args) {
        List<String> a = new ArrayList<>(List.of("synth", "--quiet", "--size", "40", "--grain-size", "10"));
        a.addAll(List.of(args));
        return run(null, a.toArray(String[]::new));
    }

    static List<String> tree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
        }
    }

    @Test
    void forceReplacesADirectoryOutputAsAWhole() throws IOException {
        Path out = tmp.resolve("d1");
        Files.writeString(tmp.resolve("user.txt"), "mine");
        assertEquals(0, synth("--out", out.toString(), "--slices", "6", "--previews", "3").rc());
        assertTrue(Files.exists(out.resolve("images/006.png")) && Files.exists(out.resolve("preview/006.png")));
        Run r = synth("--out", out.toString(), "--slices", "3", "--previews", "2", "--force");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of(OutputPolicy.MARKER, "grains", "grains/001.png", "grains/002.png", "grains/003.png",
                "images", "images/001.png", "images/002.png", "images/003.png",
                "labels", "labels/001.png", "labels/002.png", "labels/003.png",
                "preview", "preview/001.png", "preview/003.png"), tree(out));
        assertEquals(3, DirectoryStack.read(out).slices());
        assertEquals(List.of("d1", "user.txt"), tree(tmp).stream().filter(n -> !n.contains("/")).toList(),
                "no staging or backup directory left beside the output");
        assertEquals("mine", Files.readString(tmp.resolve("user.txt")));
    }

    @Test
    void forceNeverDeletesFilesSynthDidNotWrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("results"));
        Files.writeString(out.resolve("notes.txt"), "precious");
        Run r = synth("--out", out.toString(), "--slices", "2", "--force");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("notes.txt"), r.err());
        assertEquals(List.of("notes.txt"), tree(out));
        assertEquals(List.of("results", "results/notes.txt"), tree(tmp));
        r = synth("--out", out.toString(), "--slices", "2");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("use --force"), r.err());
    }

    @Test
    void hdf5ForceReplacesTheFileAndItsPreviews() throws IOException {
        Path h5 = tmp.resolve("s.h5"), previews = tmp.resolve("s-preview");
        assertEquals(0, synth("--out", h5.toString(), "--slices", "6", "--previews", "3").rc());
        assertEquals(List.of(OutputPolicy.MARKER, "001.png", "003.png", "006.png"), tree(previews));
        Run r = synth("--out", h5.toString(), "--slices", "3", "--previews", "2", "--force");
        assertEquals(0, r.rc(), r.err());
        assertEquals(3, Hdf5Stack.read(h5).slices());
        assertEquals(List.of(OutputPolicy.MARKER, "001.png", "003.png"), tree(previews), "stale previews are gone");
        assertEquals(0, synth("--out", h5.toString(), "--slices", "3", "--previews", "0", "--force").rc());
        assertEquals(List.of("s.h5"), tree(tmp), "--previews 0 --force removes the old previews");
    }

    @Test
    void aNewHdf5OutputDoesNotMixWithAnExistingPreviewFolder() throws IOException {
        Path previews = Files.createDirectories(tmp.resolve("k-preview"));
        Files.writeString(previews.resolve("009.png"), "old");
        Run r = synth("--out", tmp.resolve("k.h5").toString(), "--slices", "2");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("k-preview") && r.err().contains("--force"), r.err());
        assertEquals(List.of("k-preview", "k-preview/009.png"), tree(tmp));
        r = synth("--out", tmp.resolve("k.h5").toString(), "--slices", "2", "--previews", "1", "--force");
        assertEquals(2, r.rc(), "--force never replaces a preview folder wpunet did not write");
        assertTrue(r.err().contains("009.png") && r.err().contains("would be lost"), r.err());
        assertEquals(List.of("k-preview", "k-preview/009.png"), tree(tmp));
    }

    @Test
    void aFailedPreviewWriteLeavesNothing() throws IOException {
        for (String name : new String[] {"p.h5", "pdir"}) {
            var cmd = new SynthCommand();
            cmd.beforePreview = f -> { throw new IOException("simulated: disk full writing " + f.getFileName()); };
            Run r = run(cmd, "--quiet", "--size", "40", "--grain-size", "10", "--slices", "3", "--out", tmp.resolve(name).toString());
            assertEquals(2, r.rc(), name);
            assertTrue(r.err().contains("disk full"), r.err());
            assertEquals(List.of(), tree(tmp), name + ": neither the main output nor temporaries remain");
        }
        // and an existing output is kept as it was
        Path h5 = tmp.resolve("q.h5");
        assertEquals(0, synth("--out", h5.toString(), "--slices", "2", "--previews", "1").rc());
        byte[] before = Files.readAllBytes(h5);
        var cmd = new SynthCommand();
        cmd.beforePreview = f -> { throw new IOException("simulated failure"); };
        assertEquals(2, run(cmd, "--quiet", "--size", "40", "--grain-size", "10", "--slices", "5", "--force", "--out", h5.toString()).rc());
        assertArrayEquals(before, Files.readAllBytes(h5));
        assertEquals(List.of("q-preview", "q-preview/" + OutputPolicy.MARKER, "q-preview/001.png", "q.h5"), tree(tmp));
    }

    @Test
    void interruptedSynthLeavesNoPartialOutputOrTemporaries() throws Exception {
        Path out = tmp.resolve("big");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "synth", "--quiet", "--out", out.toString(), "--size", "256", "--slices", "400", "--grain-size", "20",
                "--previews", "0");
        pb.redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile());
        Files.createDirectories(tmp);
        Process p = pb.start();
        try {
            // wait until the stack is being written: a staging directory with some slices in it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            Path images = null;
            while (images == null && p.isAlive() && System.nanoTime() < deadline) {
                try (Stream<Path> s = Files.list(tmp)) {
                    images = s.filter(q -> q.getFileName().toString().startsWith(".big.")).map(q -> q.resolve("images"))
                            .filter(q -> count(q) >= 3).findFirst().orElse(null);
                }
                Thread.sleep(5);
            }
            assertTrue(p.isAlive(), "synth ended before it could be interrupted: " + Files.readString(tmp.resolve("log.txt")));
            assertNotNull(images, "no staging directory seen");
            p.destroy(); // SIGTERM on POSIX: shutdown hooks run
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of("log.txt"), tree(tmp), "no output and no temporaries after SIGTERM");
    }

    private static long count(Path dir) {
        if (!Files.isDirectory(dir)) return 0;
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void ioErrorsNameTheOutputAndTheReason() throws IOException {
        Path d = Files.createDirectories(tmp.resolve("d.h5"));
        Run r = synth("--out", d.toString(), "--slices", "2", "--force");
        assertEquals(2, r.rc());
        assertEquals("error: cannot write " + d + ": is a directory", r.err().strip());
        Path f = Files.writeString(tmp.resolve("file"), "x");
        r = synth("--out", f.toString(), "--slices", "2", "--force");
        assertEquals(2, r.rc());
        assertEquals("error: cannot write " + f + ": exists and is not a directory", r.err().strip());
        r = synth("--out", f.resolve("x.h5").toString(), "--slices", "2");
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("error: cannot write " + f.resolve("x.h5") + ": "), r.err());
        assertFalse(r.err().contains(".tmp"), r.err());
        assertEquals(List.of("d.h5", "file"), tree(tmp));
    }

    @Test
    void badOptionValuesNameTheirOption() {
        String[][] cases = {
                {"--flaws", "extreme", "--flaws: unknown severity 'extreme' (expected none, light, medium, heavy)"},
                {"--size-spread", "-1", "--size-spread must be in [0, 2], got -1.0"},
                {"--temperature", "11", "--temperature must be in [0, 10], got 11.0"},
                {"--spins", "1", "--spins must be 0"},
                {"--max-sweeps", "-2", "--max-sweeps must be >= 0"},
                {"--method", "cellular", "--method: unknown method 'cellular'"},
                {"--potts-start", "x", "--potts-start: unknown start state 'x'"},
                {"--height", "4", "--height must be >= 8"},
                {"--spacing", "0", "--spacing must be > 0"},
        };
        for (String[] c : cases) {
            Run r = synth("--out", tmp.resolve("o.h5").toString(), "--slices", "2", c[0], c[1]);
            assertEquals(2, r.rc(), c[0]);
            assertTrue(r.err().startsWith("error: " + c[2]), r.err());
        }
        Run help = run(null, "synth", "--help");
        assertEquals(0, help.rc());
        assertTrue(help.out().contains("(default voronoi)"), help.out());
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (String[] args : new String[][] {{"--version"}, {"synth", "--version"}, {"eval", "-V"}}) {
            Run r = run(null, args);
            assertEquals(0, r.rc(), String.join(" ", args));
            assertEquals(VersionProvider.VERSION, r.out().strip().lines().findFirst().orElse(""), String.join(" ", args));
        }
    }

    @Test
    void splitLineSaysNoneForEmptyParts() {
        Path out = tmp.resolve("four");
        Run r = synth("--out", out.toString(), "--slices", "4", "--previews", "0");
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("split     : train 1-2, validation none, test 3-4"), r.out());
        r = synth("--out", tmp.resolve("one").toString(), "--slices", "1", "--previews", "0");
        assertTrue(r.out().contains("split     : train none, validation 1, test none"), r.out());
    }
}
