package org.wpunet.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading PTX text: its ISA version, target and kernel entries. */
final class CudaPtx {
    private static final Pattern ENTRY = Pattern.compile("\\.visible\\s+\\.entry\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(");
    private static final Pattern VERSION = Pattern.compile("(?m)^\\.version\\s+(\\d+\\.\\d+)");
    private static final Pattern TARGET = Pattern.compile("(?m)^\\.target\\s+(\\S+)");

    private CudaPtx() {}

    static List<String> entries(String ptx) {
        List<String> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    static String version(String ptx) {
        Matcher m = VERSION.matcher(ptx);
        return m.find() ? m.group(1) : null;
    }

    static String target(String ptx) {
        Matcher m = TARGET.matcher(ptx);
        return m.find() ? m.group(1) : null;
    }
}
