package org.wpunet.core;

/**
 * Global numeric switches of the backends (PyTorch's torch.backends.*.allow_tf32). Exact FP32 is the
 * default; TF32 tensor-core math for FP32 convolutions and matrix products (10-bit mantissa inputs,
 * FP32 accumulation: about 1e-3 relative) is an opt-in, also settable with -Dwpunet.tf32=true (or the older -Dwpunet.cuda.tf32=true).
 * Backends without TF32 hardware (the CPU) ignore it.
 */
public final class Precision {
    private static volatile boolean tf32 = Boolean.getBoolean("wpunet.tf32") || Boolean.getBoolean("wpunet.cuda.tf32");

    private Precision() {}

    public static boolean allowTf32() { return tf32; }

    public static void setAllowTf32(boolean on) { tf32 = on; }
}
