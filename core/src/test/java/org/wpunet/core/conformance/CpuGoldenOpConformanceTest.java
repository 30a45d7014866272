package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link GoldenOpConformance} on the CPU in F64. */
class CpuGoldenOpConformanceTest extends GoldenOpConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
