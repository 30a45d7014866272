package org.wpunet.cuda.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.conformance.GoldenOpConformance;
import org.wpunet.core.conformance.RequiresCuda;

/** {@link GoldenOpConformance} (PyTorch references) on cuda:0 in exact F32 (TF32 off). */
@RequiresCuda
class CudaF32GoldenOpConformanceTest extends GoldenOpConformance {
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
    protected DType dtype() { return DType.F32; }
}
