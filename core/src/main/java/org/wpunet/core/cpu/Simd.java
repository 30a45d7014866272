package org.wpunet.core.cpu;

/**
 * Whether the SIMD kernels (jdk.incubator.vector) are used, decided once at start-up.
 *
 * <p>The vector module is an incubator module: it is only present when the JVM was started with
 * {@code --add-modules jdk.incubator.vector} (the launcher and the test setup do this). When it is
 * absent, or when {@code -Dwpunet.simd=false} is given, every kernel takes its scalar path, so the
 * library still works as a plain dependency. Classes that reference the vector API are only loaded
 * after {@link #enabled()} returned true.
 */
public final class Simd {
    private static final boolean MODULE_PRESENT =
            ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile boolean enabled =
            MODULE_PRESENT && !"false".equalsIgnoreCase(System.getProperty("wpunet.simd", "true"));

    private Simd() {}

    /** True when the SIMD kernels are in use. */
    public static boolean enabled() { return enabled; }

    /** True when the jdk.incubator.vector module is in the boot layer. */
    public static boolean modulePresent() { return MODULE_PRESENT; }

    /**
     * Switches the SIMD kernels on or off (tests use this to run both paths).
     *
     * @return the previous setting
     * @throws IllegalStateException when asked to enable SIMD without the vector module
     */
    public static boolean setEnabled(boolean on) {
        if (on && !MODULE_PRESENT) {
            throw new IllegalStateException("cannot enable SIMD: module jdk.incubator.vector is not present "
                    + "(start the JVM with --add-modules jdk.incubator.vector)");
        }
        boolean old = enabled;
        enabled = on;
        return old;
    }

    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    /** The one line printed (to stderr) the first time a heavy kernel runs scalar for want of the vector module. */
    public static final String SCALAR_WARNING = "wpunet: warning: SIMD kernels are off because the JVM was started without "
            + "--add-modules jdk.incubator.vector; convolutions and matrix products run about 10x slower (see README, "
            + "'Using the library from Maven'; -Dwpunet.simd=false silences this)";

    /**
     * Called by heavy kernels (GEMM, convolution) when they take the scalar path: the first call in a
     * JVM without the vector module prints {@link #SCALAR_WARNING} once. Nothing is printed when
     * SIMD was switched off on purpose ({@code -Dwpunet.simd=false}) or by a test.
     */
    public static void scalarPathTaken() {
        if (MODULE_PRESENT || WARNED.get()) return;
        if ("false".equalsIgnoreCase(System.getProperty("wpunet.simd", "true"))) return;
        if (WARNED.compareAndSet(false, true)) System.err.println(SCALAR_WARNING);
    }

    /** Number of float lanes of the preferred vector species, or 1 on the scalar path. */
    public static int floatLanes() { return enabled ? VectorInfo.floatLanes() : 1; }

    /** One line for {@code wpunet info}. */
    public static String describe() {
        if (!MODULE_PRESENT) return "off (module jdk.incubator.vector not present; scalar kernels)";
        if (!enabled) return "off (disabled by -Dwpunet.simd=false; scalar kernels)";
        return "on (" + VectorInfo.floatLanes() * 32 + "-bit vectors, " + VectorInfo.floatLanes() + " float lanes)";
    }

    /** Isolated so that the vector API is only linked when the module is present. */
    private static final class VectorInfo {
        static int floatLanes() { return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(); }
    }
}
