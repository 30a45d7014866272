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
import org.wpunet.core.ConvParams;
import org.wpunet.core.Device;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

/**
 * WPU-Net's convolutions on the GPU at training scale (batch 24 of 256x256 inputs), through the public
 * tensor API ({@link NeuralOps}): forward, input gradient and weight gradient (with bias) as separate
 * benchmarks. Each invocation runs the op, closes the result and calls
 * {@link Backends#synchronize(Device)}, so the time is the GPU's (launch overhead included).
 *
 * <p>{@code conv3x3*} use {@link Conv3x3}: 3x3 convolutions with padding 1, chosen by {@code shape}
 * ("c-oc-size": in channels, out channels, square input size): the encoder/decoder level shapes
 * 64-&gt;64 @256, 128-&gt;128 @128, 256-&gt;256 @64, 512-&gt;512 @32, 1024-&gt;1024 @16 and the first layer
 * 2-&gt;64 @256. {@code up2x2*} use {@link Up2x2}: the 2x2 stride-2 transposed convolution 128-&gt;64
 * from 128x128 to 256x256. {@code precision}: "fp32" (exact FP32 math), "tf32" (FP32 tensors with
 * {@code Precision.setAllowTf32(true)}), "bf16" (input, weight, bias and gradient as BF16 tensors).
 *
 * <p>Achieved rate: TFLOP/s = GFLOP / (ms/op), with GFLOP per pass (forward, input gradient and
 * weight gradient each count the same multiply-adds) at the default batch N = 24:
 * <table>
 * <caption>Floating-point work per pass</caption>
 * <tr><th>benchmark</th><th>shape</th><th>formula</th><th>GFLOP at N = 24</th></tr>
 * <tr><td>conv3x3*</td><td>64-64-256, 128-128-128, 256-256-64, 512-512-32, 1024-1024-16</td>
 *     <td>2 * N * C * OC * 9 * H * W</td><td>115.96 (the same at every level)</td></tr>
 * <tr><td>conv3x3*</td><td>2-64-256</td><td>2 * N * C * OC * 9 * H * W</td><td>3.624</td></tr>
 * <tr><td>up2x2*</td><td>128 -&gt; 64, 128^2 -&gt; 256^2</td><td>2 * N * C * OC * 4 * Hin * Win</td><td>25.77</td></tr>
 * </table>
 * e.g. 64-64-256 forward at 2.0 ms/op is 115.96 / 2.0 = 58 TFLOP/s. With {@code -p batch=...} or
 * {@code -p size=...} scale the formula accordingly.
 *
 * <p>Run on the GPU machine ({@code bash .device/run.sh jmh -f 1 -wi 3 -i 5 'gpu.*'}); {@code device = "cpu"} with a small
 * {@code size} only proves the code runs (the smoke test does that).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class GpuConvBenchmark {
    static final ConvParams PAD1 = ConvParams.of(1, 1);
    static final ConvParams STRIDE2 = ConvParams.of(2, 0);

    /** Parameters every convolution state has. (JMH wants @State on the class that declares them). */
    @State(Scope.Benchmark)
    public abstract static class Common {
        /** "cuda:0" (or "cpu" for a smoke run). */
        @Param("cuda:0")
        public String device;

        /** "fp32", "tf32" or "bf16". */
        @Param({"fp32", "tf32", "bf16"})
        public String precision;

        /** Batch size. */
        @Param("24")
        public int batch;

        /** Overrides the input's spatial size when positive (small sizes for a smoke run). */
        @Param("0")
        public int size;

        Device dev;
        boolean tf32Before;
        Tensor x, w, b, dy;
        int[] xShape, wShape;

        /** Random inputs for a convolution of x [N,C,s,s] with weight shape ws and bias [OC]; dy shaped like the output. */
        void create(long seed, int c, int s, int[] ws, int oc, int[] yShape) {
            dev = GpuBench.device(device);
            GpuBench.Mode mode = GpuBench.Mode.parse(precision);
            tf32Before = GpuBench.applyTf32(mode);
            Rng rng = new Rng(seed);
            xShape = new int[]{batch, c, s, s};
            wShape = ws;
            int fanIn = ws[1] * ws[2] * ws[3];
            x = GpuBench.randn(rng, dev, mode.dtype, 1, xShape);
            w = GpuBench.randn(rng, dev, mode.dtype, Math.sqrt(2.0 / fanIn), ws);
            b = GpuBench.randn(rng, dev, mode.dtype, 0.1, oc);
            dy = GpuBench.randn(rng, dev, mode.dtype, 1, yShape);
            Backends.synchronize(dev);
        }

        @TearDown
        public void tearDown() {
            try {
                GpuBench.close(x, w, b, dy);
                if (dev != null) Backends.synchronize(dev);
            } finally {
                x = w = b = dy = null;
                if (dev != null) GpuBench.restoreTf32(tf32Before);
                dev = null;
            }
        }
    }

    /** A 3x3, padding-1 convolution "c-oc-size" (in channels, out channels, square size). */
    @State(Scope.Benchmark)
    public static class Conv3x3 extends Common {
        @Param({"64-64-256", "128-128-128", "256-256-64", "512-512-32", "1024-1024-16", "2-64-256"})
        public String shape;

        @Setup
        public void setup() {
            int[] f = GpuBench.fields(shape, 3, "c-oc-size");
            int c = f[0], oc = f[1], s = GpuBench.size(size, f[2]);
            create(11, c, s, new int[]{oc, c, 3, 3}, oc, new int[]{batch, oc, s, s});
        }
    }

    /** The 2x2 stride-2 transposed convolution 128 -&gt; 64 (size x size to 2size x 2size; size 128 by default). */
    @State(Scope.Benchmark)
    public static class Up2x2 extends Common {
        static final int C = 128, OC = 64;

        @Setup
        public void setup() {
            int s = GpuBench.size(size, 128);
            // PyTorch's transposed-convolution weight layout: [C, OC, KH, KW]
            create(12, C, s, new int[]{C, OC, 2, 2}, OC, new int[]{batch, OC, 2 * s, 2 * s});
        }
    }

    @Benchmark
    public void conv3x3Forward(Conv3x3 t) {
        Tensor y = NeuralOps.conv2d(t.x, t.w, t.b, PAD1);
        y.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void conv3x3InputGrad(Conv3x3 t) {
        Tensor dx = NeuralOps.conv2dBackwardInput(t.dy, t.w, t.xShape, PAD1);
        dx.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void conv3x3WeightGrad(Conv3x3 t) {
        Tensor[] g = NeuralOps.conv2dBackwardWeight(t.x, t.dy, t.wShape, PAD1, true);
        GpuBench.close(g);
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void up2x2Forward(Up2x2 t) {
        Tensor y = NeuralOps.convTranspose2d(t.x, t.w, t.b, STRIDE2);
        y.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void up2x2InputGrad(Up2x2 t) {
        Tensor dx = NeuralOps.convTranspose2dBackwardInput(t.dy, t.w, t.xShape, STRIDE2);
        dx.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void up2x2WeightGrad(Up2x2 t) {
        Tensor[] g = NeuralOps.convTranspose2dBackwardWeight(t.x, t.dy, t.wShape, STRIDE2, true);
        GpuBench.close(g);
        Backends.synchronize(t.dev);
    }
}
