package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link RandomConformance} on the CPU backend (against the generator's definition). */
class CpuRandomConformanceTest extends RandomConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
