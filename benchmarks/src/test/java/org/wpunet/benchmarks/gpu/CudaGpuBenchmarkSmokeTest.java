package org.wpunet.benchmarks.gpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.wpunet.core.Backends;
import org.wpunet.core.Device;

/** The same smoke run on cuda:0; skipped (assumption) where no CUDA device is usable. */
@Tag("gpu")
class CudaGpuBenchmarkSmokeTest extends GpuBenchmarkSmoke {
    @BeforeAll
    static void needCuda() {
        assumeTrue(Backends.isAvailable(Device.cuda(0)), () -> "CUDA unavailable: " + Backends.status());
    }

    @Override
    String device() { return "cuda:0"; }
}
