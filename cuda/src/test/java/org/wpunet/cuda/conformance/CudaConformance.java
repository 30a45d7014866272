package org.wpunet.cuda.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.wpunet.core.Backends;
import org.wpunet.core.Device;
import org.wpunet.cuda.CudaBackend;

/**
 * What the CUDA conformance classes share: the device under test, the skip (a JUnit assumption, so
 * machines without CUDA report the classes as skipped, not failed) and the TF32 switch.
 */
final class CudaConformance {
    private CudaConformance() {}

    static final Device DEVICE = Device.cuda(0);

    /** Aborts the calling class (from its @BeforeAll) unless core's registry has cuda:0. */
    static void assumeCuda() {
        assumeTrue(Backends.isAvailable(DEVICE), () -> "CUDA unavailable: " + Backends.status().stream()
                .filter(s -> s.type().equals("cuda")).map(Backends.Status::detail).findFirst()
                .orElse("no cuda backend registered"));
    }

    private static Boolean saved;

    /** Sets TF32 for the class (after {@link #assumeCuda}); {@link #restoreTf32} puts the previous value back. */
    static void tf32(boolean on) {
        assumeCuda();
        saved = CudaBackend.tf32();
        CudaBackend.setTf32(on);
    }

    /** Restores TF32 after {@link #tf32} (nothing to do when the class was skipped before setting it). */
    static void restoreTf32() {
        if (saved != null) CudaBackend.setTf32(saved);
        saved = null;
    }
}
