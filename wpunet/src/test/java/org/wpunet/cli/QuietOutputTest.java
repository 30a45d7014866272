package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 16, item 11: no noise in logs and in consumers' output. */
class QuietOutputTest {
    @TempDir Path tmp;

    @Test
    void progressIsPlainLinesWhenNotOnATerminal() {
        assertFalse(Terminal.isInteractive(), "tests run without a terminal");
        var err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        SynthCommandTest.Run r;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            r = SynthCommandTest.run(null, "synth", "--size", "40", "--grain-size", "10", "--slices", "3", "--previews", "0",
                    "--out", tmp.resolve("s").toString());
        } finally {
            System.setErr(old);
        }
        assertEquals(0, r.rc(), r.err());
        String log = err.toString(StandardCharsets.UTF_8);
        assertFalse(log.contains("\r"), "no carriage-return frames in a redirected log: " + log);
        assertTrue(log.lines().anyMatch(l -> l.matches("render: 3/3")), log);
    }

    @Test
    void aConsumerGetsAnSlf4jProviderSoNoWarnings() throws Exception {
        // without one, SLF4J prints three "No SLF4J providers were found" lines the first time jhdf logs
        Class<?> spi = Class.forName("org.slf4j.spi.SLF4JServiceProvider");
        assertTrue(ServiceLoader.load(spi).findFirst().isPresent(), "an SLF4J provider on the class path (slf4j-nop)");
    }
}
