package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link ConvConformance} on the CPU backend (float32 kernels against the float64 ones). */
class CpuConvConformanceTest extends ConvConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
