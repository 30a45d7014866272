package org.wpunet.core.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
        AtomicFiles.write(f, out -> out.write("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello", Files.readString(f));
        AtomicFiles.writeString(f, "wörld");
        assertEquals("wörld", Files.readString(f));
        assertEquals(List.of("a.bin"), names(dir), "no temporary left behind");
        assertTrue(AtomicFiles.registeredTemporaries().stream().noneMatch(p -> p.startsWith(dir)));
    }

    @Test
    void failureLeavesTargetUntouchedAndNoTemporary() throws IOException {
        Path f = dir.resolve("keep.txt");
        Files.writeString(f, "old");
        var e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk on fire");
        }));
        assertTrue(e.getMessage().startsWith("cannot write " + f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("disk on fire"), e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("keep.txt"), names(dir));
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("bug");
        }));
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("keep.txt"), names(dir));
    }

    @Test
    void noOverwriteRefusesAnExistingTarget() throws IOException {
        Path f = dir.resolve("x");
        Files.writeString(f, "old");
        var e = assertThrows(IOException.class, () -> AtomicFiles.write(f, false, out -> out.write(1)));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
        assertEquals("old", Files.readString(f));
        assertEquals(List.of("x"), names(dir));
    }

    @Test
    void errorsNameTheFinalPathAndTheReason() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("d1"));
        var e = assertThrows(IOException.class, () -> AtomicFiles.writeBytes(sub, new byte[1]));
        assertEquals("cannot write " + sub + ": is a directory", e.getMessage());
        Path missing = dir.resolve("nope/x.json");
        e = assertThrows(IOException.class, () -> AtomicFiles.writeBytes(missing, new byte[1]));
        assertTrue(e.getMessage().startsWith("cannot write " + missing + ": no such directory"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("nope")), "a missing directory is not created");
        Path file = Files.writeString(dir.resolve("plain"), "x");
        Path under = file.resolve("y.json");
        e = assertThrows(IOException.class, () -> AtomicFiles.writeBytes(under, new byte[1]));
        assertTrue(e.getMessage().startsWith("cannot write " + under + ": ") && e.getMessage().contains("not a directory"), e.getMessage());
        assertFalse(e.getMessage().contains(".tmp"), e.getMessage());
        // the body's own exceptions mentioning the temporary are rewritten to the target
        Path t = dir.resolve("t.bin");
        e = assertThrows(IOException.class, () -> AtomicFiles.writeFile(t, true, tmp -> {
            throw new java.nio.file.AccessDeniedException(tmp.toString());
        }));
        assertEquals("cannot write " + t + ": permission denied", e.getMessage());
        e = assertThrows(IOException.class, () -> AtomicFiles.writeFile(t, true, tmp -> {
            throw new IOException("failed on " + tmp);
        }));
        assertEquals("cannot write " + t + ": failed on " + t, e.getMessage());
        assertFalse(Files.exists(t));
    }

    @Test
    void reasonsAreReadable() {
        Path t = Path.of("ro/x.h5"), tmp = Path.of("ro/.x.h5.123.tmp");
        assertEquals("permission denied", AtomicFiles.reason(new java.nio.file.AccessDeniedException(tmp.toString()), t, tmp));
        assertEquals("no such directory", AtomicFiles.reason(new java.nio.file.NoSuchFileException(tmp.toString()), t, tmp));
        assertEquals("is a directory", AtomicFiles.reason(
                new java.nio.file.FileSystemException(tmp.toString(), "ro/x.h5", "Is a directory"), t, tmp));
        assertEquals("permission denied", AtomicFiles.reason(new java.io.FileNotFoundException(tmp + " (Permission denied)"), t, tmp));
    }

    @Test
    void permissionsAreThoseOfAnOrdinaryNewFile() throws IOException {
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) return; // not POSIX: nothing to compare
        Path ordinary = Files.createFile(dir.resolve("ordinary"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(ordinary);
        Path f = dir.resolve("atomic");
        AtomicFiles.writeBytes(f, new byte[] {1});
        assertEquals(expected, Files.getPosixFilePermissions(f));
        assertTrue(Files.getPosixFilePermissions(f).contains(PosixFilePermission.OWNER_WRITE));
        // the group/other read bits follow the umask, never forced off as by Files.createTempFile
        Path t = Files.createTempFile(dir, "x", ".tmp");
        if (expected.contains(PosixFilePermission.OTHERS_READ)) assertNotEquals(Files.getPosixFilePermissions(t), Files.getPosixFilePermissions(f));
    }

    @Test
    void publishSwapsDirectoriesAndFilesTogether() throws IOException {
        Path out = Files.createDirectory(dir.resolve("out"));
        Files.writeString(out.resolve("stale.png"), "old");
        Path h5 = Files.writeString(dir.resolve("s.h5"), "old h5");
        Path user = Files.writeString(dir.resolve("user.txt"), "mine");
        Path stage = AtomicFiles.stagingDirectory(out);
        assertTrue(AtomicFiles.registeredTemporaries().contains(stage));
        Files.writeString(stage.resolve("new.png"), "new");
        Path stageH5 = AtomicFiles.createTempFile(h5);
        Files.writeString(stageH5, "new h5");
        AtomicFiles.publish(List.of(new AtomicFiles.Move(stage, out), new AtomicFiles.Move(stageH5, h5)), true);
        assertEquals(List.of("new.png"), names(out), "the old content is gone, not merged");
        assertEquals("new h5", Files.readString(h5));
        assertEquals("mine", Files.readString(user));
        assertEquals(List.of("out", "s.h5", "user.txt"), names(dir), "no staging or backup left");
        assertFalse(AtomicFiles.registeredTemporaries().contains(stage));

        Path stage2 = AtomicFiles.stagingDirectory(out);
        var e = assertThrows(IOException.class, () -> AtomicFiles.publish(List.of(new AtomicFiles.Move(stage2, out)), false));
        assertTrue(e.getMessage().contains("exists"), e.getMessage());
        AtomicFiles.discard(stage2);
        assertEquals(List.of("out", "s.h5", "user.txt"), names(dir));
    }

    @Test
    void failedPublishRestoresEverything() throws IOException {
        Path a = Files.writeString(dir.resolve("a"), "old a");
        Path b = Files.writeString(dir.resolve("b"), "old b");
        Path stageA = AtomicFiles.createTempFile(a);
        Files.writeString(stageA, "new a");
        Path missingStage = dir.resolve(".b.missing.tmp"); // renaming it fails half-way through
        var e = assertThrows(IOException.class, () -> AtomicFiles.publish(
                List.of(new AtomicFiles.Move(stageA, a), new AtomicFiles.Move(missingStage, b)), true));
        assertTrue(e.getMessage().startsWith("cannot write " + b + ": "), e.getMessage());
        assertEquals("old a", Files.readString(a));
        assertEquals("old b", Files.readString(b));
        assertEquals(List.of("a", "b"), names(dir));
    }

    @Test
    void cleanUpDeletesRegisteredTemporaries() throws IOException {
        Path target = dir.resolve("big.h5");
        Path f = AtomicFiles.createTempFile(target);
        Path d = AtomicFiles.stagingDirectory(dir.resolve("stack"));
        Files.createDirectories(d.resolve("images"));
        Files.writeString(d.resolve("images/001.png"), "x");
        assertTrue(Files.exists(f) && Files.exists(d));
        assertTrue(f.getFileName().toString().startsWith(".big.h5.") && f.getFileName().toString().endsWith(".tmp"));
        AtomicFiles.cleanUp();
        assertEquals(List.of(), names(dir));
        assertFalse(AtomicFiles.registeredTemporaries().contains(f));
        assertFalse(AtomicFiles.registeredTemporaries().contains(d));
    }
}
