package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link IndexingConformance} on the CPU backend. */
class CpuIndexingConformanceTest extends IndexingConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
