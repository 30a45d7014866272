package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.wpunet.image.Boundaries;

/**
 * Issue 16, bad input systematically: random option values end in exit 0 or in exactly one
 * {@code error:} line with exit 2 and no output left behind; never a stack trace or a hang.
 * Seeded and bounded (each run is a small synth or eval).
 */
class CliOptionsPropertiesTest {
    private Path tmp;

    @BeforeProperty
    void makeTemp() throws IOException { tmp = Files.createTempDirectory("cli-props"); }

    @AfterProperty
    void removeTemp() throws IOException { org.wpunet.core.io.AtomicFiles.deleteTree(tmp); }

    /** Values people type: numbers good and bad, words, empty, huge, special floats. */
    @Provide
    Arbitrary<String> value() {
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "-1", "0", "1", "2", "3", "0.5", "-0.0", "NaN", "Infinity", "1e309", "99999999999",
                        "2147483648", "abc", "none", "heavy", "voronoi", "random", "1-2", "2-1", "0-3", "1-", "-", "5-5", ",", "x.png"),
                Arbitraries.integers().between(-20, 40).map(String::valueOf),
                Arbitraries.strings().withChars("0123456789-.,eE +").ofMaxLength(6));
    }

    private void assertOneCleanOutcome(SynthCommandTest.Run r, Path target, String args) {
        if (r.rc() == 0) return;
        assertEquals(2, r.rc(), args + "\n" + r.err());
        assertEquals(1, r.err().strip().lines().count(), args + ": one line, got\n" + r.err());
        assertTrue(r.err().startsWith("error: "), args + "\n" + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), args + "\n" + r.err());
        if (target != null) assertFalse(Files.exists(target), args + ": output left after an error");
    }

    @Property(tries = 40, seed = "16")
    void synthOptions(@ForAll("value") String spread, @ForAll("value") String temperature, @ForAll("value") String flaws,
                      @ForAll("value") String previews, @ForAll("value") String height, @ForAll("value") String spacing) {
        Path out = tmp.resolve("s" + System.nanoTime());
        List<String> a = new ArrayList<>(List.of("synth", "--quiet", "--size", "24", "--slices", "2", "--grain-size", "8",
                "--out", out.toString(), "--size-spread", spread, "--temperature", temperature, "--flaws", flaws, "--previews", previews));
        // bounded so that a valid run stays small: a height or spacing only when it parses as a modest number
        if (height.matches("-?\\d{1,2}")) a.addAll(List.of("--height", height));
        if (spacing.matches("-?\\d{1,2}(\\.\\d+)?")) a.addAll(List.of("--spacing", spacing));
        String args = String.join(" ", a);
        var r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> SynthCommandTest.run(null, a.toArray(String[]::new)), args);
        assertOneCleanOutcome(r, out, args);
    }

    @Property(tries = 60, seed = "16")
    void evalOptions(@ForAll("value") String crop, @ForAll("value") String slices, @ForAll("value") String json) throws IOException {
        Path pred = Files.createDirectories(tmp.resolve("pred")), gt = Files.createDirectories(tmp.resolve("gt"));
        if (!Files.exists(gt.resolve("001.png"))) {
            int[] lab = new int[32 * 32];
            for (int i = 0; i < lab.length; i++) lab[i] = (i % 32) / 8 + 10 * (i / 32 / 8);
            byte[] b = Boundaries.fromLabels(lab, 32, 32);
            for (String n : List.of("001.png", "002.png")) {
                org.wpunet.io.PngIO.writeGray8(pred.resolve(n), b, 32, 32);
                org.wpunet.io.PngIO.writeGray8(gt.resolve(n), b, 32, 32);
            }
        }
        List<String> a = new ArrayList<>(List.of("eval", "--pred", pred.toString(), "--gt", gt.toString(), "--crop", crop, "--slices", slices));
        Path jsonPath = json.isBlank() ? null : tmp.resolve("j").resolve(json.replace('/', '_'));
        if (jsonPath != null) {
            Files.createDirectories(jsonPath.getParent());
            a.addAll(List.of("--json", jsonPath.toString()));
        }
        String args = String.join(" ", a);
        boolean existed = jsonPath != null && Files.exists(jsonPath);   // "." or ".." name a directory
        var r = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> SynthCommandTest.run(null, a.toArray(String[]::new)), args);
        assertOneCleanOutcome(r, r.rc() == 0 || existed ? null : jsonPath, args);
        if (jsonPath != null && !existed) Files.deleteIfExists(jsonPath);
    }
}
