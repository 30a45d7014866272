package org.wpunet.benchmarks.gpu;

import org.wpunet.core.Device;
import org.wpunet.core.conformance.RequiresCuda;

/** The same smoke run on cuda:0; skipped where no CUDA device is usable, failed then under -Dwpunet.requireGpu=true. */
@RequiresCuda
class CudaGpuBenchmarkSmokeTest extends GpuBenchmarkSmoke {
    @Override
    String device() { return "cuda:0"; }
}
