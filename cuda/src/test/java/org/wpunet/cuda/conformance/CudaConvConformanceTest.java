package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.ConvConformance;

/** {@link ConvConformance} on cuda:0, exact FP32 (TF32 off). Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable. */
@RequiresCuda
class CudaConvConformanceTest extends ConvConformance {
    @BeforeAll
    static void setTf32() {
        CudaConformance.tf32(false);
    }

    @AfterAll
    static void restoreTf32() {
        CudaConformance.restoreTf32();
    }

    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
