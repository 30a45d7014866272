package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed PTX is well-formed, complete and (when nvcc exists) what the .cu sources compile to. */
class CudaPtxTest {
    static final Path SRC = Path.of(System.getProperty("wpunet.cuda.sourceDir", "src/main/cuda"));
    static final Path PTX = Path.of(System.getProperty("wpunet.cuda.ptxDir", "src/main/resources/org/wpunet/cuda/ptx"));

    static List<String> kernelsIn(String cu) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(").matcher(cu);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    static String resource(String module) throws Exception {
        try (InputStream in = CudaBackend.class.getResourceAsStream("ptx/" + module + ".ptx")) {
            assertNotNull(in, "PTX resource for " + module);
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void committedPtxHasEveryKernel() throws Exception {
        for (String m : CudaBackend.MODULES) {
            String ptx = resource(m);
            assertEquals("9.0", CudaPtx.version(ptx), m);
            assertEquals("sm_80", CudaPtx.target(ptx), m);
            List<String> expected = kernelsIn(Files.readString(SRC.resolve(m + ".cu")));
            assertFalse(expected.isEmpty());
            assertEquals(expected, CudaPtx.entries(ptx), m + ".ptx entries vs " + m + ".cu kernels");
        }
        try (Stream<Path> s = Files.list(SRC)) {
            assertEquals(CudaBackend.MODULES.size(), s.filter(p -> p.toString().endsWith(".cu")).count(),
                    "every .cu is a module the backend loads");
        }
    }

    static Path nvcc() {
        for (String c : new String[]{"/usr/local/cuda/bin/nvcc", "/usr/local/bin/nvcc", "/usr/bin/nvcc"}) {
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        }
        return null;
    }

    @Test
    void sourcesCompileToTheCommittedPtx() throws Exception {
        Path nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc not installed");
        Path tmp = Files.createTempDirectory("ptx");
        for (String m : CudaBackend.MODULES) {
            Path out = tmp.resolve(m + ".ptx");
            Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=compute_80", "-std=c++17", "-O3", "-o", out.toString(),
                    SRC.resolve(m + ".cu").toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "nvcc " + m + ".cu:\n" + log);
            assertFalse(log.contains("warning"), "nvcc warnings in " + m + ".cu:\n" + log);
            assertEquals(Files.readString(out), Files.readString(PTX.resolve(m + ".ptx")),
                    m + ".ptx is stale: run bash src/main/cuda/build-ptx.sh in cuda/");
        }
    }
}
