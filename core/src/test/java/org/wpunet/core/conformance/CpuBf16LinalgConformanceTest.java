package org.wpunet.core.conformance;

import org.wpunet.core.DType;
import org.wpunet.core.Device;

/**
 * {@link LinalgConformance} on the CPU with BF16 operands and results: the CPU widens them to F32,
 * multiplies and rounds the product once (what autocast relies on), at {@link Conformance#BF16}.
 */
class CpuBf16LinalgConformanceTest extends LinalgConformance {
    @Override
    protected Device device() { return Device.CPU; }

    @Override
    protected DType dtype() { return DType.BF16; }

    @Override
    protected double rtol(int k) { return Conformance.BF16; }
}
