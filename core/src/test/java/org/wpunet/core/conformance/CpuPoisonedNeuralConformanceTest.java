package org.wpunet.core.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.cpu.CpuBufferPool;

/**
 * {@link NeuralConformance} (pooling, batch norm) on the CPU with every uninitialized allocation
 * filled with NaN ({@link CpuBufferPool#setPoison}): an output left partly unwritten shows up as NaN.
 */
class CpuPoisonedNeuralConformanceTest extends NeuralConformance {
    private static boolean poison;

    @BeforeAll
    static void poison() { poison = CpuBufferPool.setPoison(true); }

    @AfterAll
    static void restore() { CpuBufferPool.setPoison(poison); }

    @Override
    protected Device device() { return Device.CPU; }
}
