package org.wpunet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code wpunet} command-line tool. Each subcommand is its own class in this package; add new
 * ones to {@code subcommands} below. Modules above this one add theirs through {@link Subcommand}.
 */
@Command(name = "wpunet", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "WPU-Net for the JVM: grain-boundary detection and 3D grain tracking.",
        subcommands = {
                InfoCommand.class,
                SynthCommand.class,
                EvalCommand.class,
                WeightsCommand.class,
                TrainCommand.class,
                SegmentCommand.class,
                ExportCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /**
     * Builds the command line with our error handling: bad input (IllegalArgumentException,
     * IllegalStateException, I/O errors, index errors) is one "error: ..." line and exit 2; anything
     * else is an internal error, exit 1. {@code -Dwpunet.debug=true} adds the stack trace.
     */
    public static CommandLine commandLine() {
        quietLibraryLogging();
        var cl = new CommandLine(new Main());
        // commands of modules above this one (tracking), added before the handlers so they inherit them
        for (Subcommand plugin : java.util.ServiceLoader.load(Subcommand.class)) cl.addSubcommand(plugin);
        // a bad option value or a missing option: one line naming it and where help is, not the whole usage
        cl.setParameterExceptionHandler((ex, args) -> {
            var bad = ex.getCommandLine();
            var err = bad.getErr();
            String name = bad.getCommandSpec().qualifiedName(" ");
            String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage().strip().replaceAll("\\s*\\R\\s*", "; ");
            err.println("error: " + message + " (see '" + name + " --help')");
            err.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            var err = commandLine.getErr();
            Throwable t = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
            int code;
            if (outOfMemory(t) != null) {
                err.println(outOfMemoryMessage());
                code = 2;
            } else if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
                    || t instanceof java.io.IOException || t instanceof IndexOutOfBoundsException) {
                err.println("error: " + describe(t));
                code = 2;
            } else {
                err.println("error: internal error: " + t + " (rerun with WPUNET_JAVA_OPTS=-Dwpunet.debug=true for details)");
                code = 1;
            }
            if (Boolean.getBoolean("wpunet.debug")) t.printStackTrace(err);
            err.flush();
            return code;
        });
        return cl;
    }

    /**
     * jhdf logs through SLF4J; without a provider SLF4J prints warnings (and with one chosen by
     * property, an info line), so choose its no-op provider quietly unless the user set one.
     */
    static void quietLibraryLogging() {
        if (System.getProperty("slf4j.provider") == null) System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        if (System.getProperty("slf4j.internal.verbosity") == null) System.setProperty("slf4j.internal.verbosity", "WARN");
    }

    /** The OutOfMemoryError in {@code t}'s cause chain (worker threads wrap it), or null. */
    static OutOfMemoryError outOfMemory(Throwable t) {
        for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) if (t instanceof OutOfMemoryError o) return o;
        return null;
    }

    static String outOfMemoryMessage() {
        return "error: out of memory (max heap " + Estimates.human(Runtime.getRuntime().maxMemory()) + "); " + Estimates.HEAP_ADVICE;
    }

    /**
     * A one-line message for an exception; file-system errors say which file and why. A full disk
     * or read-only file system is said as such even when a writer (ImageIO, HDF5) wrapped it.
     */
    static String describe(Throwable t) {
        String root = rootReason(t);
        if (root != null && !(t instanceof java.nio.file.FileSystemException)) {
            String m = t.getMessage() == null ? "" : t.getMessage();
            String where = m.startsWith("cannot write ") && m.contains(": ") ? m.substring(0, m.indexOf(": ", 13)) + ": " : "";
            return where + root;
        }
        if (t instanceof java.nio.file.AccessDeniedException e) return e.getFile() + ": permission denied";
        if (t instanceof java.nio.file.NoSuchFileException e) return e.getFile() + ": no such file or directory";
        if (t instanceof java.nio.file.NotDirectoryException e) return e.getFile() + ": not a directory";
        if (t instanceof java.nio.file.FileAlreadyExistsException e) return e.getFile() + ": already exists";
        if (t instanceof java.nio.file.DirectoryNotEmptyException e) return e.getFile() + ": directory not empty";
        if (t instanceof java.nio.file.FileSystemException e) {
            String where = e.getOtherFile() == null ? e.getFile() : e.getFile() + " -> " + e.getOtherFile();
            return where + ": " + (e.getReason() == null ? e.getClass().getSimpleName() : decapitalize(e.getReason()));
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /**
     * "no space left on device" / "read-only file system" (with the file when known) when any
     * exception in the cause chain says so, else null.
     */
    static String rootReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage().toLowerCase(java.util.Locale.ROOT);
            String file = c instanceof java.nio.file.FileSystemException f && f.getFile() != null ? " (" + f.getFile() + ")" : "";
            if (m.contains("no space left on device") || m.contains("disk quota exceeded")) return "no space left on the device" + file;
            if (m.contains("read-only file system")) return "read-only file system" + file;
            if (c.getCause() == c) break;
        }
        return null;
    }

    private static String decapitalize(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && !Character.isUpperCase(s.charAt(1)))
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        return s;
    }

    public static void main(String[] args) {
        // an OutOfMemoryError in a worker thread, or outside a command, is one line too, never a stack trace
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (outOfMemory(e) == null && !Boolean.getBoolean("wpunet.debug")) {
                System.err.println("error: internal error in thread " + thread.getName() + ": " + e);
                return;
            }
            if (outOfMemory(e) != null) {
                System.err.println(outOfMemoryMessage());
                System.exit(2);
            }
            e.printStackTrace();
        });
        int rc;
        try {
            rc = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            System.err.println(outOfMemoryMessage());
            rc = 2;
        }
        System.exit(rc);
    }
}
