package org.wpunet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.wpunet.core.io.AtomicFiles;

/**
 * The one output policy of every command: nothing of the user's is ever lost.
 * <ul>
 *   <li>Every output directory gets a marker file {@value #MARKER} that lists the files wpunet wrote
 *       there (paths relative to the directory).</li>
 *   <li>An existing non-empty output needs {@code --force}; and {@code --force} replaces only files
 *       that the marker lists (a directory output) or a file in the format the command writes (a
 *       file output). Anything else is refused, naming what would be lost.</li>
 *   <li>An input is never overwritten, with or without {@code --force}.</li>
 *   <li>An empty {@code --out}, and a file-like name ({@code x.png}) for a directory output, are errors.</li>
 * </ul>
 * Use: {@link #directory} (or {@link #file}) before any work; build the outputs in
 * {@link AtomicFiles#stagingDirectory}; add {@link #markerMove} to the moves given to
 * {@link AtomicFiles#publish}.
 */
public final class OutputPolicy {
    private OutputPolicy() {}

    /** The marker file in every output directory: which files in it wpunet wrote. */
    public static final String MARKER = ".wpunet-output";
    private static final String HEADER = "# wpunet output directory. --force may replace the files listed here (written by wpunet), nothing else.";
    private static final Pattern FILE_LIKE = Pattern.compile(".*\\.(png|jpe?g|gif|bmp|tiff?|json|csv|txt|h5|hdf5?|safetensors|pth?|npy|npz|zip|xml)",
            Pattern.CASE_INSENSITIVE);

    /** The formats of file outputs, recognised by their first bytes (what --force may replace). */
    public enum FileKind {
        JSON("a JSON file"), HDF5("an HDF5 file"), SAFETENSORS("a safetensors file"), PNG("a PNG image"), TIFF("a TIFF image"),
        CSV("a CSV table"), VTK("a legacy VTK file"), PLY("a PLY mesh");

        private final String description;

        FileKind(String description) { this.description = description; }

        /** Whether {@code head} (the first bytes of a file) starts like this format. */
        boolean matches(byte[] head) {
            return switch (this) {
                case JSON -> {
                    String s = new String(head, StandardCharsets.UTF_8).stripLeading();
                    yield s.startsWith("{") || s.startsWith("[");
                }
                case HDF5 -> startsWith(head, new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'});
                case SAFETENSORS -> head.length > 8 && head[8] == '{';
                case PNG -> startsWith(head, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
                case TIFF -> startsWith(head, new byte[] {'I', 'I', 42, 0}) || startsWith(head, new byte[] {'M', 'M', 0, 42});
                case CSV -> {   // printable text with a separator in its first line
                    String s = new String(head, StandardCharsets.UTF_8);
                    String first = s.contains("\n") ? s.substring(0, s.indexOf('\n')) : s;
                    yield !s.isEmpty() && s.chars().allMatch(c -> c >= 0x20 || c == '\n' || c == '\r' || c == '\t')
                            && (first.contains(",") || first.contains("\t"));
                }
                case VTK -> new String(head, StandardCharsets.US_ASCII).startsWith("# vtk DataFile");
                case PLY -> new String(head, StandardCharsets.US_ASCII).startsWith("ply");
            };
        }

        private static boolean startsWith(byte[] a, byte[] prefix) {
            if (a.length < prefix.length) return false;
            for (int i = 0; i < prefix.length; i++) if (a[i] != prefix[i]) return false;
            return true;
        }
    }

    /**
     * Checks a file output before any work: {@code option}'s value is not empty, not a directory,
     * not one of {@code inputs} (nor inside an input directory), its folder exists and is writable;
     * an existing file needs {@code force} and must be of {@code kind} (else wpunet did not write it).
     *
     * @return the target as an absolute, normalised path
     */
    public static Path file(String option, Path out, boolean force, FileKind kind, Collection<Path> inputs) throws IOException {
        Path target = absolute(option, out);
        if (Files.isDirectory(target)) throw new IOException("cannot write " + target + ": is a directory");
        checkNotInput(option, target, inputs);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!force) throw new IOException(target + " exists (use --force to overwrite)");
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS))
                throw new IOException("--force would replace " + target + ", which is not a regular file; choose another " + option);
            if (!kind.matches(head(target)))
                throw new IOException("--force would replace " + target + ", which is not " + kind.description
                        + " (so wpunet did not write it); move it away or choose another " + option);
        }
        AtomicFiles.checkTarget(target, true);
        checkWritable(target);
        return target;
    }

    /**
     * Checks a directory output before any work. {@code replaced} are the names in the directory
     * that the command replaces ({@code null}: the whole directory). The directory may be missing or
     * empty; else it needs {@code force}, and every file under the replaced names must be listed in
     * its marker; no input may lie there.
     *
     * @return the directory as an absolute, normalised path
     */
    public static Path directory(String option, Path out, boolean force, Collection<String> replaced, Collection<Path> inputs)
            throws IOException {
        Path dir = absolute(option, out);
        String name = dir.getFileName().toString();
        if (FILE_LIKE.matcher(name).matches())
            throw new IllegalArgumentException(option + " " + out + ": looks like a file name, but this command writes a directory; "
                    + "give a directory name");
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Path p = dir.getParent();
            while (p != null && !Files.exists(p)) p = p.getParent();
            if (p != null && !Files.isDirectory(p)) throw new IOException("cannot write " + dir + ": " + p + " is not a directory");
            checkNotInput(option, dir, inputs);
            return dir;
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IOException("cannot write " + dir + ": exists and is not a directory");
        List<Path> regions = new ArrayList<>();
        if (replaced == null) regions.add(dir);
        else for (String n : replaced) regions.add(dir.resolve(n));
        for (Path r : regions) checkNotInput(option, r, inputs);
        boolean empty;
        try (Stream<Path> s = Files.list(dir)) {
            empty = s.findAny().isEmpty();
        }
        if (empty) return dir;
        if (!force) throw new IOException(dir + " exists and is not empty (use --force to replace what wpunet wrote there)");
        TreeSet<String> listed = listed(dir);
        List<String> lost = new ArrayList<>();
        for (Path r : regions) {
            if (!Files.exists(r, LinkOption.NOFOLLOW_LINKS)) continue;
            try (Stream<Path> s = Files.walk(r)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    String rel = relative(dir, p);
                    if (rel.isEmpty() || rel.equals(MARKER)) continue;
                    // files count one by one; a directory only when empty (its files speak for it otherwise)
                    if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        if (!listed.contains(rel)) lost.add(rel);
                    } else if (isEmpty(p) && !listed.contains(rel + "/")) {
                        lost.add(rel + "/");
                    }
                }
            }
        }
        if (!lost.isEmpty()) {
            String what = String.join(", ", lost.subList(0, Math.min(5, lost.size()))) + (lost.size() > 5 ? " and " + (lost.size() - 5) + " more" : "");
            throw new IOException("--force refused: " + dir + " holds " + what + ", which wpunet did not write"
                    + (Files.exists(dir.resolve(MARKER)) ? "" : " (no " + MARKER + " marker)") + " and which would be lost; "
                    + "move it away or choose another " + option);
        }
        checkWritable(dir.resolve(MARKER));
        return dir;
    }

    /**
     * The marker for {@code dir} after the {@code moves} are published, staged as
     * {@code stage/}{@value #MARKER}: the files under every move's staged path (as their final paths
     * relative to {@code dir}) plus those of the existing marker that the moves do not replace.
     * Add the returned move to the list given to {@link AtomicFiles#publish}. For a directory staged as
     * a whole ({@code Move(stage, dir)}), this writes the marker into the stage and returns null.
     */
    public static AtomicFiles.Move markerMove(Path dir, Path stage, List<AtomicFiles.Move> moves) throws IOException {
        dir = dir.toAbsolutePath().normalize();
        TreeSet<String> entries = new TreeSet<>();
        boolean whole = false;
        for (AtomicFiles.Move m : moves) {
            Path target = m.target().toAbsolutePath().normalize();
            if (target.equals(dir)) whole = true;
        }
        if (!whole) {
            for (String old : listed(dir)) {
                boolean replacedNow = false;
                for (AtomicFiles.Move m : moves) {
                    String t = relative(dir, m.target().toAbsolutePath().normalize());
                    if (old.equals(t) || old.startsWith(t + "/")) replacedNow = true;
                }
                if (!replacedNow && Files.exists(dir.resolve(old), LinkOption.NOFOLLOW_LINKS)) entries.add(old);
            }
        }
        for (AtomicFiles.Move m : moves) {
            Path target = m.target().toAbsolutePath().normalize();
            String prefix = target.equals(dir) ? "" : relative(dir, target);
            if (Files.isDirectory(m.staged(), LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(m.staged())) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        String rel = relative(m.staged(), p);
                        if (rel.equals(MARKER) && prefix.isEmpty()) continue;
                        boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                        String full = prefix.isEmpty() ? rel : rel.isEmpty() ? prefix : prefix + "/" + rel;
                        if (full.isEmpty()) continue;
                        entries.add(isDir ? full + "/" : full);
                    }
                }
            } else {
                entries.add(prefix);
            }
        }
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (String e : entries) sb.append(e).append('\n');
        Path file = stage.resolve(MARKER);
        Files.writeString(file, sb);
        return whole ? null : new AtomicFiles.Move(file, dir.resolve(MARKER));
    }

    /**
     * Checks that {@code --out} can take a new run that fills the directory over time (train,
     * train-tracker), never mixing two runs and never writing over a user's files: either missing
     * (then checked as {@link #directory} checks it: not an input, not a file-like name, not under a
     * file), or an existing directory holding nothing but the marker of a run that failed to start.
     *
     * @param lastState the state file a run in that directory would have saved (its presence means
     *                  "resume it instead"); {@code run} names such a run in the message
     * @return whether the directory exists already
     */
    public static boolean checkNewRunDirectory(Path out, Path lastState, String run, Collection<Path> inputs) throws IOException {
        Path dir = absolute("--out", out);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            directory("--out", out, false, null, inputs);
            return false;
        }
        if (!Files.isDirectory(dir)) throw new IOException("cannot use " + dir + " as the run directory: it exists and is not a directory");
        if (Files.exists(lastState)) {
            throw new IllegalArgumentException(dir + " already holds a " + run + " run: add --resume to continue it, or choose another --out");
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.anyMatch(p -> !p.getFileName().toString().equals(MARKER)))
                throw new IllegalArgumentException(dir + " exists and is not empty: choose a new or empty --out");
        }
        return true;
    }

    /** Writes the marker of a new directory that wpunet fills over time (a training run): no file is listed yet. */
    public static void markNew(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(MARKER), HEADER + "\n");
    }

    /** The files (and "dir/" entries) listed in {@code dir}'s marker; empty without one. */
    static TreeSet<String> listed(Path dir) throws IOException {
        TreeSet<String> s = new TreeSet<>();
        Path m = dir.resolve(MARKER);
        if (!Files.isRegularFile(m, LinkOption.NOFOLLOW_LINKS)) return s;
        for (String line : Files.readAllLines(m, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#") && !l.contains("..")) s.add(l);
        }
        return s;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    /** {@code out} as an absolute normalised path; empty, root and ".." are errors. */
    static Path absolute(String option, Path out) {
        if (out == null || out.toString().isBlank())
            throw new IllegalArgumentException(option + ": empty path (give a file or directory name; '.' for the current directory)");
        Path p = out.toAbsolutePath().normalize();
        if (p.getFileName() == null) throw new IllegalArgumentException(option + " " + out + ": cannot write to a file system root");
        return p;
    }

    /** Refuses {@code target} when it is, holds or lies inside an existing input. */
    private static void checkNotInput(String option, Path target, Collection<Path> inputs) throws IOException {
        if (inputs == null) return;
        Path t = real(target);
        for (Path in : inputs) {
            if (in == null || !Files.exists(in)) continue;
            Path i = real(in);
            boolean overlaps = i.startsWith(t) || (t.startsWith(i) && Files.exists(target, LinkOption.NOFOLLOW_LINKS));
            if (overlaps) throw new IllegalArgumentException(option + " " + target + ": would overwrite the input " + in
                    + "; choose another " + option);
        }
    }

    /** The real path of the longest existing prefix, plus the rest. */
    private static Path real(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize(), q = abs;
        while (q != null && !Files.exists(q)) q = q.getParent();
        if (q == null) return abs;
        return q.toRealPath().resolve(q.relativize(abs));
    }

    /** A read-only file system or a folder without write permission, said as such before any work. */
    private static void checkWritable(Path target) throws IOException {
        Path parent = target.getParent();
        while (parent != null && !Files.exists(parent)) parent = parent.getParent();
        if (parent == null) return;
        try {
            if (Files.getFileStore(parent).isReadOnly()) throw new IOException("cannot write " + target + ": read-only file system");
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("read-only")) throw e;
        }
        if (!Files.isWritable(parent)) throw new IOException("cannot write " + target + ": permission denied on " + parent);
    }

    private static byte[] head(Path f) throws IOException {
        try (var in = Files.newInputStream(f)) {
            return in.readNBytes(16);
        }
    }

    private static String relative(Path base, Path p) {
        return base.relativize(p).toString().replace('\\', '/');
    }

    /** Lower-case file name of {@code p}. */
    static String lowerName(Path p) { return p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT); }
}
