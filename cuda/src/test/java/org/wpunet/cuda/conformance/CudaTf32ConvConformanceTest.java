package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.Conformance;
import org.wpunet.core.conformance.ConvConformance;

/**
 * {@link ConvConformance} on cuda:0 with TF32 tensor-core math (cuDNN), at {@link Conformance#TF32}.
 * Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable.
 */
@RequiresCuda
class CudaTf32ConvConformanceTest extends ConvConformance {
    @BeforeAll
    static void setTf32() {
        CudaConformance.tf32(true);
    }

    @AfterAll
    static void restoreTf32() {
        CudaConformance.restoreTf32();
    }

    @Override
    protected Device device() { return CudaConformance.DEVICE; }

    @Override
    protected double rtol(long k) { return Conformance.TF32; }
}
