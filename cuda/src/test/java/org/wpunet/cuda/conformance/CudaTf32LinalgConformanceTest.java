package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.Conformance;
import org.wpunet.core.conformance.LinalgConformance;

/**
 * {@link LinalgConformance} on cuda:0 with TF32 tensor-core math (cuBLAS), at {@link Conformance#TF32}.
 * Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable.
 */
@RequiresCuda
class CudaTf32LinalgConformanceTest extends LinalgConformance {
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
    protected double rtol(int k) { return Conformance.TF32; }
}
