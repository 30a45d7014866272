package org.wpunet.cuda.conformance;

import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.RandomConformance;

/** {@link RandomConformance} on cuda:0. Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable. */
@RequiresCuda
class CudaRandomConformanceTest extends RandomConformance {
    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
