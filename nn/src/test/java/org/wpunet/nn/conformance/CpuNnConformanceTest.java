package org.wpunet.nn.conformance;

import org.wpunet.core.Device;

class CpuNnConformanceTest extends NnConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
