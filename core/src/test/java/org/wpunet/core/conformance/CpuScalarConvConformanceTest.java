package org.wpunet.core.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.Device;
import org.wpunet.core.cpu.Simd;

/**
 * {@link ConvConformance} on the CPU with the SIMD kernels switched off: the scalar paths a JVM without
 * jdk.incubator.vector takes. (Tests in a module run one after another in one JVM, so the switch is safe.)
 */
class CpuScalarConvConformanceTest extends ConvConformance {
    private static boolean simd;

    @BeforeAll
    static void scalarKernels() { simd = Simd.setEnabled(false); }

    @AfterAll
    static void restore() { Simd.setEnabled(simd); }

    @Override
    protected Device device() { return Device.CPU; }
}
