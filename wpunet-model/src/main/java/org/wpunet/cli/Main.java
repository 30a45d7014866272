package org.wpunet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code wpunet} command-line tool. Each subcommand is its own class in this package; add new
 * ones to {@code subcommands} below.
 */
@Command(name = "wpunet", mixinStandardHelpOptions = true, version = "wpunet 0.1.0",
        description = "WPU-Net for the JVM: grain-boundary detection and 3D grain tracking.",
        subcommands = {
                InfoCommand.class,
                SynthCommand.class,
                EvalCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with our error handling: bad input is one clear message, exit 2. */
    public static CommandLine commandLine() {
        var cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof IllegalArgumentException || ex instanceof java.io.IOException
                    || ex instanceof IllegalStateException) {
                commandLine.getErr().println("error: " + ex.getMessage());
                if (Boolean.getBoolean("wpunet.debug")) ex.printStackTrace(commandLine.getErr());
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
