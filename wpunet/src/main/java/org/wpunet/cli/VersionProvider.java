package org.wpunet.cli;

import picocli.CommandLine;

/** The version every command prints for -V/--version. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    /** The tool's version. */
    public static final String VERSION = "wpunet 0.1.0";

    @Override
    public String[] getVersion() {
        return new String[]{VERSION, "java " + Runtime.version()};
    }
}
