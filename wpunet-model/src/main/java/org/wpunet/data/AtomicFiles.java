package org.wpunet.data;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Temp-file-then-rename writes: readers never see a half-written output. */
final class AtomicFiles {
    private AtomicFiles() {}

    /** A temporary file next to {@code target}, readable by all like an ordinary new file (not 0600). */
    static Path tempFileFor(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default permissions
        }
        return tmp;
    }

    static void moveIntoPlace(Path tmp, Path target, boolean overwrite) throws IOException {
        try {
            if (overwrite) Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            else if (Files.exists(target)) throw new FileAlreadyExistsException(target + " exists (use --force to overwrite)");
            else Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            if (overwrite) Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            else Files.move(tmp, target);
        }
    }
}
