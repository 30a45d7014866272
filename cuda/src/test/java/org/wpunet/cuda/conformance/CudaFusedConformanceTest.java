package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.FusedConformance;

/** {@link FusedConformance} (weighted cross-entropy, optimiser updates, sum of squares) on cuda:0. */
@Tag("gpu")
class CudaFusedConformanceTest extends FusedConformance {
    @BeforeAll
    static void requireCuda() {
        CudaConformance.assumeCuda();
    }

    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
