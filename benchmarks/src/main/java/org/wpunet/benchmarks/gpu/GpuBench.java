package org.wpunet.benchmarks.gpu;

import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Precision;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

/**
 * What the GPU benchmarks share: the device check, the {@code precision} parameter, random inputs and
 * closing. Everything goes through the public tensor API ({@code org.wpunet.core}); the CUDA backend is
 * found at run time through ServiceLoader.
 */
final class GpuBench {
    /** How to run the GPU benchmarks where a GPU is (printed when the device is unavailable). */
    static final String HOW_TO_RUN = "bash .device/run.sh jmh -f 1 -wi 3 -i 5 'gpu.*'";

    private GpuBench() {}

    /** The device named by a {@code device} parameter; an IllegalStateException saying why when it is unusable. */
    static Device device(String name) {
        Device d = Device.parse(name);
        if (!Backends.isAvailable(d)) {
            throw new IllegalStateException(d + " is unavailable: " + reason(d) + " — run these on the GPU machine: " + HOW_TO_RUN);
        }
        return d;
    }

    /** The reason {@link Backends#status()} gives for a device type, or the device count when the index is out of range. */
    static String reason(Device d) {
        for (Backends.Status s : Backends.status()) {
            if (!s.type().equals(d.type())) continue;
            if (!s.available()) return s.detail();
            return "only " + s.devices() + " " + s.type() + " device(s) found";
        }
        return "no backend of type '" + d.type() + "'";
    }

    /** The {@code precision} parameter: "fp32" (exact FP32), "tf32" (FP32 tensors, TF32 math allowed), "bf16" (BF16 tensors). */
    enum Mode {
        FP32(DType.F32, false), TF32(DType.F32, true), BF16(DType.BF16, false);

        final DType dtype;
        final boolean tf32;

        Mode(DType dtype, boolean tf32) {
            this.dtype = dtype;
            this.tf32 = tf32;
        }

        static Mode parse(String s) {
            return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
                case "fp32" -> FP32;
                case "tf32" -> TF32;
                case "bf16" -> BF16;
                default -> throw new IllegalArgumentException("precision must be fp32, tf32 or bf16, got '" + s + "'");
            };
        }
    }

    /**
     * Sets the global TF32 switch for a mode and returns its previous value, which {@link #restoreTf32}
     * puts back in the state's tear-down.
     */
    static boolean applyTf32(Mode m) {
        boolean before = Precision.allowTf32();
        Precision.setAllowTf32(m.tf32);
        return before;
    }

    static void restoreTf32(boolean before) { Precision.setAllowTf32(before); }

    /** N(0, std^2) samples of the given type on the device (drawn in FP32, converted once). */
    static Tensor randn(Rng rng, Device d, DType dt, double std, int... shape) {
        try (Tensor z = rng.standardNormal(d, DType.F32, shape); Tensor s = z.mul(std)) {
            return s.to(dt);
        }
    }

    /** A spatial size: the override when positive, else the default. */
    static int size(int override, int dflt) { return override > 0 ? override : dflt; }

    /** The int fields of a "a-b-c" shape parameter. */
    static int[] fields(String shape, int n, String what) {
        String[] f = shape.trim().split("-");
        if (f.length != n) throw new IllegalArgumentException("shape '" + shape + "' is not " + what);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = Integer.parseInt(f[i]);
            if (r[i] < 1) throw new IllegalArgumentException("shape '" + shape + "' has a non-positive field");
        }
        return r;
    }

    /** Closes the non-null tensors (results and inputs). */
    static void close(AutoCloseable... ts) {
        RuntimeException first = null;
        for (AutoCloseable t : ts) {
            if (t == null) continue;
            try {
                t.close();
            } catch (Exception e) {
                if (first == null) first = e instanceof RuntimeException re ? re : new RuntimeException(e);
            }
        }
        if (first != null) throw first;
    }
}
