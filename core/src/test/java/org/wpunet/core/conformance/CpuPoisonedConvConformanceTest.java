package org.wpunet.core.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.cpu.CpuBufferPool;
import org.wpunet.core.cpu.kernels.Conv2dKernels;

/**
 * {@link ConvConformance} on the CPU with every uninitialized allocation filled with NaN
 * ({@link CpuBufferPool#setPoison}) and Winograd taken for every 3x3 stride-1 layer: an output the
 * kernels audited to write every element (conv2d, the copies of the inputs) leaves one unwritten
 * shows up as NaN. (Tests in a module run one after another in one JVM, so the switches are safe.)
 */
class CpuPoisonedConvConformanceTest extends ConvConformance {
    private static boolean poison;
    private static Conv2dKernels.Winograd winograd;

    @BeforeAll
    static void poisonAndWinograd() {
        poison = CpuBufferPool.setPoison(true);
        winograd = Conv2dKernels.setWinograd(Conv2dKernels.Winograd.ALWAYS);
    }

    @AfterAll
    static void restore() {
        CpuBufferPool.setPoison(poison);
        Conv2dKernels.setWinograd(winograd);
    }

    @Override
    protected Device device() { return Device.CPU; }
}
