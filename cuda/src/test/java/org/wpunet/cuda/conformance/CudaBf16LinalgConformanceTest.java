package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.Conformance;
import org.wpunet.core.conformance.LinalgConformance;

/**
 * {@link LinalgConformance} on cuda:0 with BF16 operands and results (F32 accumulation in cuBLAS), at
 * {@link Conformance#BF16}. The CPU runs the same suite in CpuBf16LinalgConformanceTest.
 * Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable.
 */
@RequiresCuda
class CudaBf16LinalgConformanceTest extends LinalgConformance {
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

    @Override
    protected DType dtype() { return DType.BF16; }

    @Override
    protected double rtol(int k) { return Conformance.BF16; }
}
