package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InfoCommandTest {
    @Test
    void infoListsJavaSimdThreadsAndBackends() {
        PrintStream old = System.out;
        var buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = Main.commandLine().execute("info");
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("java      : " + Runtime.version()), out);
        assertTrue(out.contains("simd"), out);
        assertTrue(out.contains("threads"), out);
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("cpu") && l.contains("available")), out);
        // the CUDA backend is listed either as available or with the reason it is not
        assertTrue(out.lines().anyMatch(l -> l.trim().startsWith("cuda")), out);
    }

    @Test
    void unknownCommandFailsWithUsage() {
        assertNotEquals(0, Main.commandLine().execute("no-such-command"));
    }

    @Test
    void aBadOptionIsOneLineNotTheWholeUsage() {
        var r = SynthCommandTest.run(null, "synth", "--out", "x", "--size-spread", "");
        assertEquals(2, r.rc());
        assertEquals("error: Invalid value for option '--size-spread': '' is not a double (see 'wpunet synth --help')", r.err().strip());
        r = SynthCommandTest.run(null, "eval", "--bogus");
        assertEquals(2, r.rc());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void infoHelpWorks() {
        assertEquals(0, Main.commandLine().execute("info", "--help"));
    }

    @Test
    void fileSystemErrorsSayWhy() {
        assertEquals("x/y: permission denied", Main.describe(new java.nio.file.AccessDeniedException("x/y")));
        assertEquals("a: no such file or directory", Main.describe(new java.nio.file.NoSuchFileException("a")));
        assertEquals("a -> b: is a directory", Main.describe(new java.nio.file.FileSystemException("a", "b", "Is a directory")));
        assertEquals("bad shape [2, 3]", Main.describe(new IllegalArgumentException("bad shape [2, 3]")));
    }
}
