package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.ConvConformance;

/** {@link ConvConformance} on cuda:0, exact FP32 (TF32 off). Skipped where CUDA is unavailable. */
@Tag("gpu")
class CudaConvConformanceTest extends ConvConformance {
    @BeforeAll
    static void requireCuda() {
        CudaConformance.tf32(false);
    }

    @AfterAll
    static void restoreTf32() {
        CudaConformance.restoreTf32();
    }

    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
