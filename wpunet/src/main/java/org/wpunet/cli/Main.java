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
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            var err = commandLine.getErr();
            Throwable t = ex instanceof java.io.UncheckedIOException u ? u.getCause() : ex;
            int code;
            if (t instanceof IllegalArgumentException || t instanceof IllegalStateException
                    || t instanceof java.io.IOException || t instanceof IndexOutOfBoundsException) {
                err.println("error: " + describe(t));
                code = 2;
            } else if (t instanceof OutOfMemoryError) {
                err.println("error: out of memory (max heap " + (Runtime.getRuntime().maxMemory() >> 20)
                        + " MiB); give the JVM more, e.g. WPUNET_JAVA_OPTS=-Xmx16g");
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

    /** A one-line message for an exception; file-system errors say which file and why. */
    static String describe(Throwable t) {
        if (t instanceof java.nio.file.AccessDeniedException e) return e.getFile() + ": permission denied";
        if (t instanceof java.nio.file.NoSuchFileException e) return e.getFile() + ": no such file or directory";
        if (t instanceof java.nio.file.NotDirectoryException e) return e.getFile() + ": not a directory";
        if (t instanceof java.nio.file.FileAlreadyExistsException e) return e.getFile() + ": already exists";
        if (t instanceof java.nio.file.DirectoryNotEmptyException e) return e.getFile() + ": directory not empty";
        if (t instanceof java.nio.file.FileSystemException e) {
            String where = e.getOtherFile() == null ? e.getFile() : e.getFile() + " -> " + e.getOtherFile();
            return where + ": " + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason());
        }
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
