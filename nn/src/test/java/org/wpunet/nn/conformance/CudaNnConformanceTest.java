package org.wpunet.nn.conformance;

import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;

/** The nn suite on cuda:0; skipped where no CUDA device is usable, failed then under -Dwpunet.requireGpu=true. */
@RequiresCuda
class CudaNnConformanceTest extends NnConformance {
    @Override
    protected Device device() { return Device.cuda(0); }
}
