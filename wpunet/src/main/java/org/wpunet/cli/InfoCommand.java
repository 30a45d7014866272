package org.wpunet.cli;

import org.wpunet.core.Backends;
import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.cpu.Simd;
import picocli.CommandLine.Command;

/** {@code wpunet info}: Java version, backends found (and why one is unavailable), SIMD, threads. */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Show the Java runtime, compute backends, SIMD and threads.")
public final class InfoCommand implements Runnable {
    @Override
    public void run() {
        var out = System.out;
        out.printf("java      : %s (%s, %s)%n", Runtime.version(), System.getProperty("java.vendor"),
                System.getProperty("java.home"));
        out.printf("os        : %s %s (%s)%n", System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"));
        out.printf("simd      : %s%n", Simd.describe());
        out.printf("threads   : %d (set with -Dwpunet.threads=N)%n", Parallel.threads());
        out.printf("max heap  : %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        out.println("backends  :");
        for (Backends.Status st : Backends.status()) {
            out.printf("  %-6s %s  %s%n", st.type(), st.available() ? "available  " : "unavailable", st.detail());
        }
        out.printf("default   : %s%n", Backends.defaultDevice());
    }
}
