package org.wpunet.core.conformance;

import org.wpunet.core.Device;

/** {@link NeuralConformance} on the CPU backend (float32 kernels against the float64 ones). */
class CpuNeuralConformanceTest extends NeuralConformance {
    @Override
    protected Device device() { return Device.CPU; }
}
