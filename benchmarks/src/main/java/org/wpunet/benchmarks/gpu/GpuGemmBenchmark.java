package org.wpunet.benchmarks.gpu;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.wpunet.core.Backends;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

/**
 * Square matrix products C = A B on the GPU through {@link Tensor#matmul}: {@code n} = 1024, 4096,
 * 8192; {@code precision} "fp32" (exact FP32), "tf32" (FP32 tensors, {@code Precision.setAllowTf32(true)}),
 * "bf16" (A, B and C as BF16 tensors). Each invocation runs the product, closes C and calls
 * {@link Backends#synchronize(Device)}.
 *
 * <p>Achieved rate: TFLOP/s = 2 n^3 / (ms/op * 1e9), i.e. GFLOP / (ms/op):
 * <table>
 * <caption>Floating-point work per product</caption>
 * <tr><th>n</th><th>2 n^3</th></tr>
 * <tr><td>1024</td><td>2.147 GFLOP</td></tr>
 * <tr><td>4096</td><td>137.4 GFLOP</td></tr>
 * <tr><td>8192</td><td>1099.5 GFLOP</td></tr>
 * </table>
 *
 * <p>Run on the GPU machine ({@code bash .device/run.sh jmh -f 1 -wi 3 -i 5 'gpu.*'}); {@code device =
 * "cpu"} with a small {@code n} only proves the code runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class GpuGemmBenchmark {
    /** "cuda:0" (or "cpu" for a smoke run). */
    @Param("cuda:0")
    public String device;

    /** "fp32", "tf32" or "bf16". */
    @Param({"fp32", "tf32", "bf16"})
    public String precision;

    /** The matrices' order. */
    @Param({"1024", "4096", "8192"})
    public int n;

    Device dev;
    boolean tf32Before;
    Tensor a, b;

    @Setup
    public void setup() {
        dev = GpuBench.device(device);
        GpuBench.Mode mode = GpuBench.Mode.parse(precision);
        tf32Before = GpuBench.applyTf32(mode);
        Rng rng = new Rng(21);
        a = GpuBench.randn(rng, dev, mode.dtype, 1, n, n);
        b = GpuBench.randn(rng, dev, mode.dtype, 1 / Math.sqrt(n), n, n);
        Backends.synchronize(dev);
    }

    @TearDown
    public void tearDown() {
        try {
            GpuBench.close(a, b);
            if (dev != null) Backends.synchronize(dev);
        } finally {
            a = b = null;
            if (dev != null) GpuBench.restoreTf32(tf32Before);
            dev = null;
        }
    }

    @Benchmark
    public void matmul() {
        Tensor c = a.matmul(b);
        c.close();
        Backends.synchronize(dev);
    }
}
