package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link LinalgConformance} on the CPU backend (float32 kernels against the float64 ones). */
class CpuLinalgConformanceTest extends LinalgConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
