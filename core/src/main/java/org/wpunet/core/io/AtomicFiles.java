package org.wpunet.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * Atomic file output: everything is written to a hidden temporary sibling of the target
 * ({@code .NAME.RANDOM.tmp}), flushed to disk, then renamed over the target, so readers never see a
 * half-written file and a failed write leaves the target as it was and no temporary behind.
 * <ul>
 *   <li>Temporaries are created like ordinary new files (permissions from the umask, e.g. 0644, not
 *       the 0600 of {@link Files#createTempFile}).</li>
 *   <li>Temporaries are registered while in use; a shutdown hook (SIGINT, SIGTERM, normal exit)
 *       deletes those still registered, so an interrupted program leaves none behind.</li>
 *   <li>Errors are {@link IOException}s whose message names the <em>final</em> path (as the caller
 *       spelled it) and the reason: {@code cannot write out/x.h5: permission denied}.</li>
 * </ul>
 * Whole directories (or several outputs together) are published with {@link #stagingDirectory}
 * and {@link #publish}: build the new content in a temporary sibling, then swap it in.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Like {@link java.util.function.Consumer} but may throw {@link IOException}. */
    @FunctionalInterface
    public interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }

    /** One staged output: the temporary {@code staged} path to become {@code target}. */
    public record Move(Path staged, Path target) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Path> TEMPS = ConcurrentHashMap.newKeySet();
    /** backup -> original path: restored by the shutdown hook if a swap was cut short. */
    private static final Map<Path, Path> BACKUPS = new ConcurrentHashMap<>();
    private static volatile boolean hookInstalled;
    /**
     * Held (shared) around every step that creates a temporary or renames: the shutdown hook takes
     * it exclusively, so once it runs no new temporary appears and no half-swap happens.
     */
    private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();
    private static volatile boolean closing;

    // ------------------------------------------------------------------ single files

    /** Writes {@code target} through {@code body} (a buffered stream); replaces an existing file. */
    public static void write(Path target, IoConsumer<OutputStream> body) throws IOException {
        write(target, true, body);
    }

    /** Writes {@code target} through {@code body}; an existing target is an error unless {@code overwrite}. */
    public static void write(Path target, boolean overwrite, IoConsumer<OutputStream> body) throws IOException {
        writeFile(target, overwrite, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                body.accept(out);
                out.flush();
            }
        });
    }

    /** Writes {@code bytes} to {@code target}, replacing it. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Writes {@code text} as UTF-8 to {@code target}, replacing it. */
    public static void writeString(Path target, CharSequence text) throws IOException {
        writeBytes(target, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /**
     * For writers that need a file name (image writers, HDF5): {@code body} fills the given
     * temporary file (it exists, empty; the writer may delete and recreate it), which is then
     * synced and renamed to {@code target}. An existing target is an error unless {@code overwrite}.
     */
    public static void writeFile(Path target, boolean overwrite, IoConsumer<Path> body) throws IOException {
        checkTarget(target, overwrite);
        Path tmp = null;
        try {
            tmp = createTempFile(target);
            body.accept(tmp);
            sync(tmp);
            enter();
            try {
                moveIntoPlace(tmp, target, overwrite);
            } finally {
                exit();
            }
            syncDirectory(target);
        } catch (IOException e) {
            throw failure("write", target, e, tmp);
        } catch (UncheckedIOException e) {
            throw failure("write", target, e.getCause(), tmp);
        } finally {
            if (tmp != null) discard(tmp);
        }
    }

    /**
     * Checks that {@code target} can be written, before any work is done: its directory exists and
     * is a writable directory, the target is not a directory, and (unless {@code overwrite}) does
     * not exist. A missing directory is an error (it is not created).
     */
    public static void checkTarget(Path target, boolean overwrite) throws IOException {
        Path parent = parent(target);
        if (Files.isDirectory(target)) throw new IOException("cannot write " + target + ": is a directory");
        if (!overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS))
            throw new IOException(target + " exists (use --force to overwrite)");
        if (!Files.exists(parent)) throw new IOException("cannot write " + target + ": no such directory " + parent);
        if (!Files.isDirectory(parent)) throw new IOException("cannot write " + target + ": " + parent + " is not a directory");
        if (!Files.isWritable(parent)) {
            boolean readOnly;
            try {
                readOnly = Files.getFileStore(parent).isReadOnly();
            } catch (IOException e) {
                readOnly = false;
            }
            throw new IOException("cannot write " + target + ": " + (readOnly ? "read-only file system" : "permission denied"));
        }
    }

    /**
     * Creates the missing parent directories of {@code target} (for outputs that may go into new
     * directories); errors name {@code target} and the reason.
     */
    public static void createParentDirectories(Path target) throws IOException {
        Path parent = parent(target);
        if (Files.isDirectory(parent)) return;
        try {
            enter();
            try {
                Files.createDirectories(parent);
            } finally {
                exit();
            }
        } catch (FileAlreadyExistsException e) {
            throw new Failure("cannot write " + target + ": " + e.getFile() + " is not a directory", e);
        } catch (IOException e) {
            throw failure("write", target, e, null);
        }
    }

    // ------------------------------------------------------------------ temporaries

    /**
     * A new, empty, registered temporary file next to {@code target}, created with ordinary
     * permissions. Remove it with {@link #discard} (or let it be moved away).
     */
    public static Path createTempFile(Path target) throws IOException {
        Path dir = parent(target);
        String base = "." + name(target) + ".";
        ensureHook();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(base + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            enter();
            TEMPS.add(tmp);
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                TEMPS.remove(tmp);
                if (attempt > 100) throw e;
            } catch (IOException e) {
                TEMPS.remove(tmp);
                throw e;
            } finally {
                exit();
            }
        }
    }

    /**
     * A new, empty, registered temporary directory next to {@code target} (ordinary permissions),
     * in which to build a whole output before {@link #publish publishing} it. Errors name {@code target}.
     */
    public static Path stagingDirectory(Path target) throws IOException {
        Path dir = parent(target);
        String base = "." + name(target) + ".";
        ensureHook();
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve(base + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            try {
                enter();
            } catch (IOException e) {
                throw failure("write", target, e, null);
            }
            TEMPS.add(tmp);
            try {
                return Files.createDirectory(tmp);
            } catch (FileAlreadyExistsException e) {
                TEMPS.remove(tmp);
                if (attempt > 100) throw failure("write", target, e, null);
            } catch (IOException e) {
                TEMPS.remove(tmp);
                throw failure("write", target, e, null);
            } finally {
                exit();
            }
        }
    }

    /** Deletes a temporary (file or directory tree) and forgets it. Never throws. */
    public static void discard(Path tmp) {
        try {
            deleteTree(tmp);
        } catch (IOException | UncheckedIOException e) {
            // best effort: the shutdown hook tries again
            return;
        }
        TEMPS.remove(tmp);
    }

    /** Temporaries currently registered (for tests and diagnostics). */
    public static Set<Path> registeredTemporaries() { return Set.copyOf(TEMPS); }

    /**
     * What the shutdown hook does: deletes every registered temporary and puts back any original
     * moved aside by an unfinished {@link #publish}. Public so that tests can exercise it.
     */
    public static void cleanUp() {
        for (int round = 0; round < 50 && !TEMPS.isEmpty(); round++) {
            // a writer that was mid-way may still recreate a file it had open: try a few times
            if (round > 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            for (Path p : List.copyOf(TEMPS)) discard(p);
        }
        for (Map.Entry<Path, Path> b : Map.copyOf(BACKUPS).entrySet()) {
            try {
                if (!Files.exists(b.getValue(), LinkOption.NOFOLLOW_LINKS)) Files.move(b.getKey(), b.getValue());
                else deleteTree(b.getKey());
                BACKUPS.remove(b.getKey());
            } catch (IOException | UncheckedIOException e) {
                // leave the backup where it is: better a stray backup than lost data
            }
        }
    }

    /** The shutdown hook: stop all further temporaries and renames, then {@link #cleanUp}. */
    private static void shutdown() {
        boolean locked = false;
        try {
            locked = LOCK.writeLock().tryLock(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            closing = true;
            cleanUp();
        } finally {
            if (locked) LOCK.writeLock().unlock();
        }
    }

    private static void enter() throws IOException {
        LOCK.readLock().lock();
        if (closing) {
            LOCK.readLock().unlock();
            throw new IOException("interrupted: the program is shutting down");
        }
    }

    private static void exit() { LOCK.readLock().unlock(); }

    private static void ensureHook() {
        if (hookInstalled) return;
        synchronized (AtomicFiles.class) {
            if (hookInstalled) return;
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::shutdown, "atomic-files-cleanup"));
            } catch (IllegalStateException e) {
                // already shutting down
            }
            hookInstalled = true;
        }
    }

    // ------------------------------------------------------------------ publishing staged outputs

    /**
     * Moves staged outputs (files or directories) onto their targets as one step: every existing
     * target is first renamed to a hidden backup, then each staged path is renamed into place, then
     * the backups are deleted. If any step fails, the new outputs are removed and the backups are
     * renamed back, so either all targets are the new ones or all are as they were. An existing
     * target is an error unless {@code overwrite}. Staged paths must be on the targets' file systems.
     */
    public static void publish(List<Move> moves, boolean overwrite) throws IOException {
        if (moves.isEmpty()) return;
        for (Move m : moves)
            if (!overwrite && Files.exists(m.target(), LinkOption.NOFOLLOW_LINKS))
                throw new IOException(m.target() + " exists (use --force to overwrite)");
        List<Move> backedUp = new ArrayList<>(); // (backup, original)
        List<Path> placed = new ArrayList<>();
        Move current = null;
        try {
            enter();
        } catch (IOException e) {
            throw failure("write", moves.get(0).target(), e, null);
        }
        try {
            for (Move m : moves) {
                current = m;
                if (Files.exists(m.target(), LinkOption.NOFOLLOW_LINKS)) {
                    Path backup = freeName(m.target(), ".old");
                    BACKUPS.put(backup, m.target()); // before the rename: the hook may run in between
                    ensureHook();
                    try {
                        rename(m.target(), backup);
                    } catch (IOException e) {
                        BACKUPS.remove(backup);
                        throw e;
                    }
                    backedUp.add(new Move(backup, m.target()));
                }
            }
            for (Move m : moves) {
                current = m;
                rename(m.staged(), m.target());
                placed.add(m.target());
                TEMPS.remove(m.staged());
            }
        } catch (IOException e) {
            for (Path p : placed) {
                try { deleteTree(p); } catch (IOException | UncheckedIOException ignored) { /* best effort */ }
            }
            for (Move b : backedUp) {
                try {
                    rename(b.staged(), b.target());
                    BACKUPS.remove(b.staged());
                } catch (IOException ignored) {
                    // the hook retries
                }
            }
            throw failure("write", current.target(), e, current.staged());
        } finally {
            exit();
        }
        for (Move b : backedUp) {
            try {
                deleteTree(b.staged());
            } catch (IOException | UncheckedIOException e) {
                // a stale backup is harmless; the hook retries
                continue;
            }
            BACKUPS.remove(b.staged());
        }
        for (Move m : moves) syncDirectory(m.target());
    }

    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static Path freeName(Path target, String tag) throws IOException {
        Path dir = parent(target);
        for (int attempt = 0; attempt < 100; attempt++) {
            Path p = dir.resolve("." + name(target) + tag + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return p;
        }
        throw new IOException("no free temporary name next to " + target);
    }

    private static void moveIntoPlace(Path tmp, Path target, boolean overwrite) throws IOException {
        if (!overwrite) {
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(target.toString());
            rename(tmp, target);
            return;
        }
        if (Files.isDirectory(target)) throw new FileSystemException(target.toString(), null, "is a directory");
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Recursively deletes {@code p} (file or directory); missing is fine. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            List<Path> all;
            try (Stream<Path> s = Files.walk(p)) {
                all = s.sorted(Comparator.reverseOrder()).toList();
            }
            for (Path q : all) Files.deleteIfExists(q);
        } else {
            Files.deleteIfExists(p);
        }
    }

    private static void sync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /** Makes a rename durable where the platform allows syncing a directory; best effort. */
    private static void syncDirectory(Path target) {
        try (FileChannel ch = FileChannel.open(parent(target), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported (e.g. Windows): the rename is still atomic, just not yet durable
        }
    }

    private static Path parent(Path target) {
        Path p = target.toAbsolutePath().getParent();
        if (p == null) throw new IllegalArgumentException("cannot write to a file system root: " + target);
        return p;
    }

    private static String name(Path target) {
        Path n = target.toAbsolutePath().getFileName();
        if (n == null) throw new IllegalArgumentException("cannot write to a file system root: " + target);
        return n.toString();
    }

    /** Error on {@code target} (never the temporary's name): "cannot VERB TARGET: REASON". */
    static IOException failure(String verb, Path target, IOException e, Path tmp) {
        if (e instanceof Failure) return e;
        String prefix = "cannot " + verb + " " + target + ": ";
        return new Failure(prefix + reason(e, target, tmp), e);
    }

    /** A message already in final form (names the target and the reason). */
    private static final class Failure extends IOException {
        Failure(String message, Throwable cause) { super(message, cause); }
    }

    /** Human reason for an I/O exception, with any temporary path replaced by the target. */
    public static String reason(IOException e, Path target, Path tmp) {
        String r;
        if (e instanceof AccessDeniedException) r = "permission denied";
        else if (e instanceof NoSuchFileException) r = "no such directory";
        else if (e instanceof NotDirectoryException) r = "not a directory";
        else if (e instanceof DirectoryNotEmptyException) r = "is a directory";
        else if (e instanceof FileAlreadyExistsException) r = "already exists";
        else if (e instanceof FileSystemException f && f.getReason() != null) r = decapitalize(f.getReason());
        else if (e.getMessage() != null && !e.getMessage().isBlank()) r = e.getMessage();
        else r = e.getClass().getSimpleName();
        if (tmp != null) {
            r = r.replace(tmp.toAbsolutePath().toString(), target.toString()).replace(tmp.toString(), target.toString());
        }
        // writers (ImageIO, HDF5) wrap the system's reason in their own words: look through the causes
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("no space left on device") || m.contains("disk quota exceeded")) return "no space left on the device";
            if (m.contains("read-only file system")) return "read-only file system";
        }
        String lower = r.toLowerCase(Locale.ROOT);
        if (lower.contains("(permission denied)") || lower.endsWith("permission denied")) return "permission denied";
        if (lower.contains("(read-only file system)")) return "read-only file system";
        if (lower.contains("(no space left on device)")) return "no space left on device";
        return r;
    }

    private static String decapitalize(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && !Character.isUpperCase(s.charAt(1)))
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        return s;
    }
}
