package org.wpunet.core.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.cpu.CpuBufferPool;
import org.wpunet.core.cpu.Simd;

/**
 * {@link ConvConformance} on the CPU without SIMD (the im2col GEMM paths) and with every
 * uninitialized allocation filled with NaN ({@link CpuBufferPool#setPoison}).
 */
class CpuPoisonedScalarConvConformanceTest extends ConvConformance {
    private static boolean poison, simd;

    @BeforeAll
    static void poisonAndScalar() {
        poison = CpuBufferPool.setPoison(true);
        simd = Simd.setEnabled(false);
    }

    @AfterAll
    static void restore() {
        CpuBufferPool.setPoison(poison);
        Simd.setEnabled(simd);
    }

    @Override
    protected Device device() { return Device.CPU; }
}
