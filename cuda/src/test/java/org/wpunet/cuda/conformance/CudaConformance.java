package org.wpunet.cuda.conformance;

import org.wpunet.core.Device;
import org.wpunet.cuda.CudaBackend;

/**
 * What the CUDA conformance classes share: the device under test and the TF32 switch. Skipping (or
 * failing under -Dwpunet.requireGpu=true) where CUDA is unavailable is {@link org.wpunet.core.conformance.RequiresCuda}'s job.
 */
final class CudaConformance {
    private CudaConformance() {}

    static final Device DEVICE = Device.cuda(0);

    private static Boolean saved;

    /** Sets TF32 for the class; {@link #restoreTf32} puts the previous value back. */
    static void tf32(boolean on) {
        saved = CudaBackend.tf32();
        CudaBackend.setTf32(on);
    }

    /** Restores TF32 after {@link #tf32} (nothing to do when the class was skipped before setting it). */
    static void restoreTf32() {
        if (saved != null) CudaBackend.setTf32(saved);
        saved = null;
    }
}
