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
 * {@code wpunet eval --pred DIR|FILE.h5 --gt DIR|FILE.h5 [--slices A-B] [--crop 10] [--json FILE]}:
 * scores predicted boundary maps against ground truth with {@link SegmentationMetrics} (gala
 * conventions). Pairs maps by name: {@code *.png} files by file name, the slices of an HDF5 stack
 * (dataset {@code boundary}) by their dataset numbering (001.png, ...); every prediction needs a
 * ground truth of the same name and size.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Score predicted binary boundary maps (PNG, 0 = grain, 255 = boundary) against ground truth: "
                + "RI, ARI, VI (merge/split), Pratt's F and mAP, per image and mean.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--pred", required = true, paramLabel = "DIR|FILE.h5",
            description = "Predicted boundary maps: a directory of *.png, or an HDF5 stack (dataset boundary).")
    Path predDir;

    @Option(names = "--gt", required = true, paramLabel = "DIR|FILE.h5",
            description = "Ground-truth boundary maps: a directory of *.png with the same file names, or an HDF5 stack.")
    Path gtDir;

    @Option(names = "--slices", paramLabel = "A-B", description = "Score only slices A..B (1-based, inclusive; the names 00A.png..).")
    String slices;

    @Option(names = "--crop", defaultValue = "10", paramLabel = "PX", description = "Pixels cropped at each border before scoring (default ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the scores as JSON to FILE (never over an input; "
            + "an existing JSON file only with --force).")
    Path json;

    @Option(names = "--force", description = "Replace an existing --json FILE (a JSON file; never an input).")
    boolean force;

    /** Scores of one named pair. */
    record Row(String name, SegmentationMetrics.Scores scores) {}

    @Override
    public Integer call() throws IOException {
        // a bad --json path is an error before any work, not after the table is printed
        // never over an input, over another existing file only with --force (and only over JSON)
        Path target = json == null ? null : OutputPolicy.file("--json", json, force, OutputPolicy.FileKind.JSON, List.of(predDir, gtDir));
        List<Row> rows = evaluate(predDir, gtDir, crop, slices);
        print(rows, System.out);
        if (target != null) writeJson(target, rows);
        return 0;
    }

    /** All pairs of the two sources. */
    static List<Row> evaluate(Path predDir, Path gtDir, int crop) throws IOException { return evaluate(predDir, gtDir, crop, null); }

    /** Pairs and scores the maps of the two sources (PNG directories or HDF5 stacks), optionally only slices {@code range}. */
    static List<Row> evaluate(Path predDir, Path gtDir, int crop, String range) throws IOException {
        if (crop < 0) throw new IllegalArgumentException("--crop must be >= 0, got " + crop);
        Maps pred = Maps.of(predDir), gt = Maps.of(gtDir);
        List<String> names = pred.names();
        if (range != null) {
            int slicesInStack = Math.max(pred.names().size(), gt.names().size());
            int[] r = org.wpunet.train.data.TrainingSplits.parseRange(range, "--slices", Math.max(slicesInStack, 1));
            List<String> wanted = new ArrayList<>();
            for (int k = r[0]; k < r[1]; k++) wanted.add(org.wpunet.data.DirectoryStack.fileName(k, gt.total()));
            names = names.stream().filter(wanted::contains).toList();
        }
        if (names.isEmpty()) throw new IllegalArgumentException(predDir + ": no prediction" + (range == null ? " files" : " in slices " + range));
        for (String n : names)
            if (!gt.names().contains(n)) throw new IllegalArgumentException(gt.where(n) + ": no ground truth for prediction " + pred.where(n));
        if (range == null)
            for (String n : gt.names())
                if (!names.contains(n)) System.err.println("warning: " + gt.where(n) + " has no prediction, skipped");
        List<Row> rows = new ArrayList<>();
        for (String n : names) {
            Gray8Image p = pred.get(n), g = gt.get(n);
            checkBinary(p, pred.where(n));
            checkBinary(g, gt.where(n));
            if (p.width() != g.width() || p.height() != g.height())
                throw new IllegalArgumentException(pred.where(n) + " is " + p.width() + "x" + p.height() + " but " + gt.where(n) + " is "
                        + g.width() + "x" + g.height());
            if (2L * crop >= p.width() || 2L * crop >= p.height())
                throw new IllegalArgumentException(pred.where(n) + ": --crop " + crop + " leaves nothing of a " + p.width() + "x" + p.height() + " image");
            warnIfInverted(p, pred.where(n));
            rows.add(new Row(n, SegmentationMetrics.evaluate(p.pixels(), g.pixels(), p.width(), p.height(), crop)));
        }
        return rows;
    }

    /** Boundary maps by name, from a PNG directory (read when asked) or an HDF5 stack's boundary dataset. */
    private record Maps(Path source, List<String> names, org.wpunet.data.SerialStack stack) {
        static Maps of(Path p) throws IOException {
            String n = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
            if (Files.isRegularFile(p) && (n.endsWith(".h5") || n.endsWith(".hdf5") || n.endsWith(".hdf"))) {
                var s = org.wpunet.data.Hdf5Stack.read(p);
                List<String> names = new ArrayList<>();
                for (int k = 0; k < s.slices(); k++) names.add(org.wpunet.data.DirectoryStack.fileName(k, s.slices()));
                return new Maps(p, names, s);
            }
            return new Maps(p, pngNames(p), null);
        }

        int total() { return names.size(); }

        Path where(String name) { return stack == null ? source.resolve(name) : Path.of(source + " slice " + name.replace(".png", "")); }

        Gray8Image get(String name) throws IOException {
            if (stack == null) {
                Path f = source.resolve(name);
                int[] size = Estimates.imageSize(f);
                if (size != null) Estimates.requireHeap("eval of " + f, Estimates.evalPairBytes(size[0], size[1]), "a " + size[0] + "x" + size[1] + " image");
                return PngIO.readGray8(f);
            }
            return new Gray8Image(stack.width(), stack.height(), stack.boundaries()[names.indexOf(name)]);
        }
    }

    /**
     * Boundaries are thin: a map that is mostly "boundary" is almost surely inverted (0 = boundary,
     * 255 = grain) or empty of grains, and it would score a perfect VI of 0 against anything.
     * Warns (stderr) when more than half the pixels are non-zero.
     *
     * @return whether it warned
     */
    static boolean warnIfInverted(Gray8Image img, Path file) {
        long on = 0;
        for (byte b : img.pixels()) if (b != 0) on++;
        long n = img.pixels().length;
        if (n == 0 || 2 * on <= n) return false;
        System.err.printf(Locale.ROOT, "warning: %s is %.0f%% boundary; is it inverted (0 = boundary)? Boundary maps here are "
                + "0 = grain, 255 = boundary, and a map of mostly boundary scores a meaningless VI near 0%n", file, 100.0 * on / n);
        return true;
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
        if (Files.isRegularFile(dir))
            throw new IllegalArgumentException(dir + ": is a file; expected a directory of *.png boundary maps or an HDF5 stack (.h5, .hdf5)");
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "no such directory");
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
