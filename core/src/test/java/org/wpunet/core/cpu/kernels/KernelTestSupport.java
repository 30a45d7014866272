package org.wpunet.core.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.wpunet.core.cpu.Simd;

/** Helpers shared by the kernel tests: random data, tolerance checks, running both code paths. */
final class KernelTestSupport {
    private KernelTestSupport() {}

    static float[] randomFloats(Random r, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) a[i] = r.nextFloat() * 2f - 1f;
        return a;
    }

    static double[] randomDoubles(Random r, int size) {
        double[] a = new double[size];
        for (int i = 0; i < size; i++) a[i] = r.nextDouble() * 2 - 1;
        return a;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** max |actual - expected| <= rel * max|expected| + abs, reporting the worst element. */
    static void assertClose(String what, double[] expected, float[] actual, int count, double rel) {
        double scale = 0;
        for (int i = 0; i < count; i++) scale = Math.max(scale, Math.abs(expected[i]));
        double tol = rel * scale + 1e-6;
        for (int i = 0; i < count; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (tolerance " + tol + ")");
            }
        }
    }

    static void assertClose(String what, double[] expected, double[] actual, int count, double rel) {
        double scale = 0;
        for (int i = 0; i < count; i++) scale = Math.max(scale, Math.abs(expected[i]));
        double tol = rel * scale + 1e-12;
        for (int i = 0; i < count; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            if (!(err <= tol)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (tolerance " + tol + ")");
            }
        }
    }

    /** Runs body once with the SIMD kernels (when the vector module is present) and once scalar. */
    static void bothPaths(java.util.function.Consumer<String> body) {
        boolean old = Simd.enabled();
        try {
            if (Simd.modulePresent()) {
                Simd.setEnabled(true);
                body.accept("simd");
            }
            Simd.setEnabled(false);
            body.accept("scalar");
        } finally {
            Simd.setEnabled(old);
        }
    }

    static void assertMessageNames(IllegalArgumentException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention " + p);
        }
    }
}
