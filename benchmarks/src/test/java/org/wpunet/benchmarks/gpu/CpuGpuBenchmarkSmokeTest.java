package org.wpunet.benchmarks.gpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.junit.jupiter.api.Test;
import org.wpunet.core.Backends;
import org.wpunet.core.Device;

/** The GPU benchmarks' code run once on the CPU with tiny shapes (CI has no GPU). */
class CpuGpuBenchmarkSmokeTest extends GpuBenchmarkSmoke {
    @Override
    String device() { return "cpu"; }

    @Test
    void unavailableDeviceSaysWhyAndWhereToRun() {
        assumeFalse(Backends.isAvailable(Device.cuda(0)), "cuda:0 is available here");
        GpuGemmBenchmark s = new GpuGemmBenchmark();
        s.device = "cuda:0";
        s.precision = "tf32";
        s.n = 64;
        IllegalStateException e = assertThrows(IllegalStateException.class, s::setup);
        assertTrue(e.getMessage().startsWith("cuda:0 is unavailable: "), e.getMessage());
        assertTrue(e.getMessage().contains("run these on the GPU machine: bash .device/run.sh jmh -f 1 -wi 3 -i 5 'gpu.*'"),
                e.getMessage());
        s.tearDown(); // nothing to close; leaves the TF32 switch alone
    }
}
