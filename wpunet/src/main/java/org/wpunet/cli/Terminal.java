package org.wpunet.cli;

/** Whether progress may be drawn as a bar: only on an interactive terminal, never into a redirected log. */
public final class Terminal {
    private Terminal() {}

    /**
     * True when standard input and output are a terminal. Since JDK 22 {@link System#console()} is
     * non-null even when redirected, so {@link java.io.Console#isTerminal()} decides; a bar's
     * carriage-return frames would otherwise fill a log file.
     */
    public static boolean isInteractive() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }
}
