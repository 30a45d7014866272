package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.ReductionConformance;

/** {@link ReductionConformance} on cuda:0. Skipped where CUDA is unavailable. */
@Tag("gpu")
class CudaReductionConformanceTest extends ReductionConformance {
    @BeforeAll
    static void requireCuda() {
        CudaConformance.assumeCuda();
    }

    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
