package org.wpunet.core.conformance;

import org.wpunet.core.DType;
import org.wpunet.core.Device;

/** {@link GoldenOpConformance} on the CPU in F32 (the training dtype). */
class CpuF32GoldenOpConformanceTest extends GoldenOpConformance {
    @Override
    protected Device device() { return Device.CPU; }

    @Override
    protected DType dtype() { return DType.F32; }
}
