package org.wpunet.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.metrics.SegmentationMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wpunet eval --pred DIR --gt DIR [--crop 10] [--json FILE]}: scores predicted boundary maps
 * against ground truth with {@link SegmentationMetrics} (gala conventions). Pairs {@code *.png} by
 * file name; every prediction needs a ground truth of the same name and size.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Score predicted binary boundary maps (PNG, 0 = grain, 255 = boundary) against ground truth: "
                + "RI, ARI, VI (merge/split), Pratt's F and mAP, per image and mean.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--pred", required = true, paramLabel = "DIR", description = "Directory of predicted boundary maps (*.png).")
    Path predDir;

    @Option(names = "--gt", required = true, paramLabel = "DIR", description = "Directory of ground-truth boundary maps (*.png), same file names.")
    Path gtDir;

    @Option(names = "--crop", defaultValue = "10", paramLabel = "PX", description = "Pixels cropped at each border before scoring (default ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the scores as JSON to FILE.")
    Path json;

    /** Scores of one named pair. */
    record Row(String name, SegmentationMetrics.Scores scores) {}

    @Override
    public Integer call() throws IOException {
        // a bad --json path is an error before any work, not after the table is printed
        if (json != null) AtomicFiles.checkTarget(json, true);
        List<Row> rows = evaluate(predDir, gtDir, crop);
        print(rows, System.out);
        if (json != null) writeJson(json, rows);
        return 0;
    }

    /** Pairs and scores the PNG files of the two directories. */
    static List<Row> evaluate(Path predDir, Path gtDir, int crop) throws IOException {
        if (crop < 0) throw new IllegalArgumentException("--crop must be >= 0, got " + crop);
        List<String> names = pngNames(predDir);
        if (names.isEmpty()) throw new IllegalArgumentException(predDir + ": no *.png prediction files");
        List<String> gtNames = pngNames(gtDir);
        for (String n : names)
            if (!gtNames.contains(n)) throw new IllegalArgumentException(gtDir.resolve(n) + ": no ground truth for prediction " + predDir.resolve(n));
        for (String n : gtNames)
            if (!names.contains(n)) System.err.println("warning: " + gtDir.resolve(n) + " has no prediction, skipped");
        List<Row> rows = new ArrayList<>();
        for (String n : names) {
            Path pf = predDir.resolve(n), gf = gtDir.resolve(n);
            Gray8Image p = PngIO.readGray8(pf), g = PngIO.readGray8(gf);
            checkBinary(p, pf);
            checkBinary(g, gf);
            if (p.width() != g.width() || p.height() != g.height())
                throw new IllegalArgumentException(pf + " is " + p.width() + "x" + p.height() + " but " + gf + " is "
                        + g.width() + "x" + g.height());
            if (2L * crop >= p.width() || 2L * crop >= p.height())
                throw new IllegalArgumentException(pf + ": --crop " + crop + " leaves nothing of a " + p.width() + "x" + p.height() + " image");
            rows.add(new Row(n, SegmentationMetrics.evaluate(p.pixels(), g.pixels(), p.width(), p.height(), crop)));
        }
        return rows;
    }

    /**
     * A boundary map has at most two grey levels, and of two the lower is 0 (grain); anything else
     * (a micrograph, a probability map) is an error naming {@code file}.
     */
    static void checkBinary(Gray8Image img, Path file) {
        boolean[] seen = new boolean[256];
        int levels = 0;
        for (byte b : img.pixels()) {
            int v = b & 0xFF;
            if (!seen[v]) { seen[v] = true; levels++; }
        }
        String expected = "; expected 0 = grain, 255 (or any non-zero) = boundary";
        if (levels > 2)
            throw new IllegalArgumentException(file + " is not a binary boundary map (" + levels + " grey levels)" + expected);
        if (levels == 2 && !seen[0]) {
            int a = -1, b = -1;
            for (int v = 0; v < 256; v++) if (seen[v]) { if (a < 0) a = v; else b = v; }
            throw new IllegalArgumentException(file + " is not a binary boundary map (grey levels " + a + " and " + b
                    + ", no 0)" + expected);
        }
    }

    private static List<String> pngNames(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "not a directory");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".png")).sorted().toList();
        }
    }

    /** Means of each score over the rows. */
    static double[] means(List<Row> rows) {
        double[] m = new double[7];
        for (Row r : rows) {
            double[] v = values(r.scores());
            for (int i = 0; i < 7; i++) m[i] += v[i] / rows.size();
        }
        return m;
    }

    private static final String[] KEYS = {"ri", "ari", "vi", "vi_merge", "vi_split", "f", "map"};

    private static double[] values(SegmentationMetrics.Scores s) {
        return new double[]{s.ri(), s.ari(), s.vi(), s.viMerge(), s.viSplit(), s.f(), s.map()};
    }

    static void print(List<Row> rows, PrintStream out) {
        int nameW = Math.max(5, rows.stream().mapToInt(r -> r.name().length()).max().orElse(5));
        String head = String.format(Locale.ROOT, "%-" + nameW + "s %8s %8s %8s %8s %8s %8s %8s", "image", "RI", "ARI", "VI", "merge", "split", "F", "mAP");
        out.println(head);
        for (Row r : rows) out.println(line(r.name(), values(r.scores()), nameW));
        out.println("-".repeat(head.length()));
        out.println(line("mean", means(rows), nameW));
    }

    private static String line(String name, double[] v, int nameW) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + nameW + "s", name));
        for (double x : v) sb.append(String.format(Locale.ROOT, " %8.4f", x));
        return sb.toString();
    }

    /** Writes {"images": {NAME: {ri, ari, vi, vi_merge, vi_split, f, map}}, "mean": {...}} atomically; the directory must exist. */
    static void writeJson(Path file, List<Row> rows) throws IOException {
        StringBuilder sb = new StringBuilder("{\n  \"images\": {");
        for (int i = 0; i < rows.size(); i++) {
            sb.append(i == 0 ? "\n" : ",\n").append("    ").append(quote(rows.get(i).name())).append(": ");
            object(sb, values(rows.get(i).scores()));
        }
        sb.append("\n  },\n  \"mean\": ");
        object(sb, means(rows));
        sb.append("\n}\n");
        AtomicFiles.writeString(file, sb);
    }

    private static void object(StringBuilder sb, double[] v) {
        sb.append('{');
        for (int k = 0; k < KEYS.length; k++) {
            if (k > 0) sb.append(", ");
            sb.append('"').append(KEYS[k]).append("\": ").append(number(v[k]));
        }
        sb.append('}');
    }

    private static String number(double x) {
        return Double.isFinite(x) ? Double.toString(x) : "null";
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c)); else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
