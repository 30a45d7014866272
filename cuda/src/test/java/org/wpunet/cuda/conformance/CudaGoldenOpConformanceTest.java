package org.wpunet.cuda.conformance;

import org.wpunet.core.Device;
import org.wpunet.core.conformance.GoldenOpConformance;
import org.wpunet.core.conformance.RequiresCuda;

/** {@link GoldenOpConformance} (PyTorch references) on cuda:0 in F64 (cuDNN and cuBLAS double paths, own kernels). */
@RequiresCuda
class CudaGoldenOpConformanceTest extends GoldenOpConformance {
    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
