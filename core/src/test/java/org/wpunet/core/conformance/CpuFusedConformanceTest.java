package org.wpunet.core.conformance;

import org.wpunet.core.Device;

class CpuFusedConformanceTest extends FusedConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
