package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.wpunet.core.cpu.Simd;

/**
 * The library must work as a plain dependency in a JVM started without
 * {@code --add-modules jdk.incubator.vector}: the scalar kernels are chosen at start-up.
 */
class NoVectorModuleTest {
    /** Run in a child JVM without the vector module; exits 0 when everything is right. */
    public static void main(String[] args) {
        if (Simd.modulePresent() || Simd.enabled()) {
            System.out.println("vector module unexpectedly present");
            System.exit(3);
        }
        try (Tensor a = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3); Tensor b = Tensor.of(new float[]{1, 0, 0, 1, 1, 1}, 3, 2);
             Tensor c = a.matmul(b); Tensor x = Tensor.ones(1, 1, 3, 3); Tensor w = Tensor.ones(1, 1, 3, 3);
             Tensor y = NeuralOps.conv2d(x, w, null, ConvParams.of(1, 1))) {
            float[] m = c.toFloatArray();
            float[] conv = y.toFloatArray();
            boolean ok = m[0] == 4 && m[1] == 5 && m[2] == 10 && m[3] == 11 && conv[4] == 9 && conv[0] == 4;
            for (int i = 0; i < 2; i++) {   // two heavy products: the scalar-path warning comes once
                try (Tensor big = Tensor.ones(256, 256); Tensor prod = big.matmul(big)) {
                    ok &= prod.toFloatArray()[0] == 256;
                }
            }
            System.out.println(Simd.describe() + (ok ? " ok" : " WRONG"));
            System.exit(ok ? 0 : 4);
        }
    }

    @Test
    void scalarKernelsRunWithoutTheVectorModule() throws IOException, InterruptedException {
        String java = System.getProperty("java.home") + "/bin/java";
        var pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), NoVectorModuleTest.class.getName()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + out);
        }
        assertEquals(0, p.exitValue(), out);
        assertEquals(1, out.lines().filter(l -> l.equals(Simd.SCALAR_WARNING)).count(), "one warning naming the flag: " + out);
        assertEquals(true, Simd.SCALAR_WARNING.contains("--add-modules jdk.incubator.vector"));
    }
}
