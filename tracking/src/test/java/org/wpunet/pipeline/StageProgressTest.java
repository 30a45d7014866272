package org.wpunet.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageProgressTest {
    @Test
    void plainLinesAndATimePerStage() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (StageProgress p = new StageProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), true)) {
            p.start("1/2 first", 3, "steps");
            p.progress(3, null);
            p.end("three steps");
            p.start("2/2 second", 0, "epochs");   // unknown length (a time budget)
            p.progress(5, "epoch 5");
            p.message("a warning");
            p.end();
            assertEquals(List.of("1/2 first", "2/2 second"), List.copyOf(p.seconds().keySet()));
            assertTrue(p.seconds().values().stream().allMatch(s -> s >= 0));
        }
        List<String> lines = buf.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals("1/2 first ...", lines.get(0));
        assertTrue(lines.get(1).matches("1/2 first: done in \\d+ s \\(three steps\\)"), lines.get(1));
        assertEquals(List.of("2/2 second ...", "a warning"), lines.subList(2, 4));
        assertTrue(lines.get(4).startsWith("2/2 second: done in "), lines.get(4));
    }

    @Test
    void barsWithKnownAndUnknownLengthsEndCleanly() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (StageProgress p = new StageProgress(new PrintStream(buf, true, StandardCharsets.UTF_8), false)) {
            p.start("known", 10, "slices");
            p.progress(4, "note");
            p.progress(40, null);       // past the end: clamped
            p.end();
            p.start("unknown", 0, "epochs");
            p.progress(7, "epoch 7");
            p.end();
            assertEquals(2, p.seconds().size());
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("known: done in ") && out.contains("unknown: done in "), out);
    }

    @Test
    void durations() {
        assertEquals("42 s", StageProgress.duration(41.6));
        assertEquals("3 min 05 s", StageProgress.duration(185));
    }
}
