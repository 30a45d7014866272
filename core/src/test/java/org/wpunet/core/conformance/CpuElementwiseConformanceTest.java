package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link ElementwiseConformance} on the CPU backend (float32 kernels against the float64 ones). */
class CpuElementwiseConformanceTest extends ElementwiseConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
