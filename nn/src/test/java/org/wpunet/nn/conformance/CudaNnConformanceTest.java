package org.wpunet.nn.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.wpunet.core.Backends;
import org.wpunet.core.Device;

/** The nn suite on cuda:0; skipped (assumption) where no CUDA device is usable. */
@Tag("gpu")
class CudaNnConformanceTest extends NnConformance {
    @BeforeAll
    static void needCuda() {
        assumeTrue(Backends.isAvailable(Device.cuda(0)), () -> "CUDA unavailable: " + Backends.status());
    }

    @Override
    protected Device device() { return Device.cuda(0); }
}
