package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.wpunet.core.Device;

/** One line naming the machine a report's numbers come from. */
public final class MachineInfo {
    private MachineInfo() {}

    /** E.g. "Intel(R) Xeon(R) Platinum 8488C, 2 cores, Linux 6.1 (amd64), Java 25.0.3, device cpu". */
    public static String describe(Device device) {
        return String.format(Locale.ROOT, "%s, %d cores, %s %s (%s), Java %s, device %s", cpuName(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
                Runtime.version(), device);
    }

    /** The CPU's model name from /proc/cpuinfo, or "unknown CPU" where there is none. */
    static String cpuName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: fall through
        }
        return "unknown CPU";
    }
}
