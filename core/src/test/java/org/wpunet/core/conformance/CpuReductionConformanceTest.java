package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link ReductionConformance} on the CPU backend (float32 kernels against the float64 ones). */
class CpuReductionConformanceTest extends ReductionConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
