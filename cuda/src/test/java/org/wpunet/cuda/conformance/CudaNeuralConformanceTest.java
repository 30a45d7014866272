package org.wpunet.cuda.conformance;

import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;
import org.wpunet.core.conformance.NeuralConformance;

/** {@link NeuralConformance} on cuda:0. Skipped (or failed, under -Dwpunet.requireGpu=true) where CUDA is unavailable. */
@RequiresCuda
class CudaNeuralConformanceTest extends NeuralConformance {
    @Override
    protected Device device() { return CudaConformance.DEVICE; }
}
