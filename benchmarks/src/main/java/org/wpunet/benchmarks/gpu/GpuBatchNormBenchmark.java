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
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

/**
 * WPU-Net's memory-bound layers on the GPU (FP32), through the public tensor API. Each invocation runs
 * the op, closes its results and calls {@link Backends#synchronize(Device)}.
 *
 * <ul>
 *   <li>{@code batchNormForward} / {@code batchNormBackward} ({@link Norm}): training-mode batch norm
 *       (batch statistics, running statistics updated in place, momentum 0.1, eps 1e-5) and its
 *       backward (dx, dgamma, dbeta from the saved mean and inverse std) on [24,64,256,256] and
 *       [24,512,32,32], chosen by {@code shape} ("c-size"). A training step costs the sum of the two.</li>
 *   <li>{@code maxPool2x2Forward} / {@code maxPool2x2Backward} ({@link Activation}): 2x2 stride-2 max
 *       pooling with indices, and routing dy back through the indices, on [24,64,256,256].</li>
 *   <li>{@code reluForward} / {@code reluBackward} ({@link Activation}): elementwise ReLU, and its
 *       gradient as nn's autograd computes it (mask = y &gt; 0 as U8, then dy * mask: two kernels).</li>
 * </ul>
 *
 * <p>Achieved bandwidth: GB/s = MB / (ms/op), with the nominal traffic below (each tensor read or
 * written once per pass; a FP32 [24,64,256,256] tensor is 402.65 MB, [24,512,32,32] is 50.33 MB, I32
 * pooling indices count 4 bytes and U8 masks 1 byte per element):
 * <table>
 * <caption>Nominal memory traffic per op</caption>
 * <tr><th>benchmark</th><th>bytes per input element</th><th>[24,64,256,256]</th><th>[24,512,32,32]</th></tr>
 * <tr><td>batchNormForward</td><td>12 (read x for the statistics; read x, write y)</td><td>1208 MB</td><td>151.0 MB</td></tr>
 * <tr><td>batchNormBackward</td><td>20 (read x, dy for the sums; read x, dy, write dx)</td><td>2013 MB</td><td>251.7 MB</td></tr>
 * <tr><td>maxPool2x2Forward</td><td>6 (read x; write values and indices, a quarter as many)</td><td>604.0 MB</td><td>-</td></tr>
 * <tr><td>maxPool2x2Backward</td><td>6 (read dy and indices; write dx)</td><td>604.0 MB</td><td>-</td></tr>
 * <tr><td>reluForward</td><td>8 (read x, write y)</td><td>805.3 MB</td><td>-</td></tr>
 * <tr><td>reluBackward</td><td>14 (read y, write mask; read dy and mask, write dx)</td><td>1409 MB</td><td>-</td></tr>
 * </table>
 * e.g. reluForward at 0.30 ms/op is 805.3 / 0.30 = 2684 GB/s. With {@code -p batch=...} or
 * {@code -p size=...} scale the traffic accordingly.
 *
 * <p>Run on the GPU machine ({@code bash .device/run.sh jmh -f 1 -wi 3 -i 5 'gpu.*'}); {@code device =
 * "cpu"} with a small {@code size} only proves the code runs.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class GpuBatchNormBenchmark {
    static final double MOMENTUM = 0.1, EPS = 1e-5;

    /** Parameters every state here has. (JMH wants @State on the class that declares them). */
    @State(Scope.Benchmark)
    public abstract static class Common {
        /** "cuda:0" (or "cpu" for a smoke run). */
        @Param("cuda:0")
        public String device;

        /** Batch size. */
        @Param("24")
        public int batch;

        /** Overrides the spatial size when positive (small sizes for a smoke run). */
        @Param("0")
        public int size;

        Device dev;
        Tensor x, dy;
        int[] xShape;

        /** The device and a random x [N,c,s,s] on it. */
        void create(int c, int s, Rng rng) {
            dev = GpuBench.device(device);
            xShape = new int[]{batch, c, s, s};
            x = GpuBench.randn(rng, dev, DType.F32, 1, xShape);
        }

        abstract void closeMore();

        @TearDown
        public void tearDown() {
            try {
                closeMore();
                GpuBench.close(x, dy);
            } finally {
                x = dy = null;
                if (dev != null) Backends.synchronize(dev);
            }
        }
    }

    /** Batch norm on [N, c, size, size] ("c-size"). */
    @State(Scope.Benchmark)
    public static class Norm extends Common {
        @Param({"64-256", "512-32"})
        public String shape;

        Tensor gamma, beta, runningMean, runningVar;
        NeuralOps.BatchNormResult saved;

        @Setup
        public void setup() {
            int[] f = GpuBench.fields(shape, 2, "c-size");
            int c = f[0], s = GpuBench.size(size, f[1]);
            Rng rng = new Rng(31);
            create(c, s, rng);
            dy = GpuBench.randn(rng, dev, DType.F32, 1, xShape);
            try (Tensor g = GpuBench.randn(rng, dev, DType.F32, 0.1, c)) {
                gamma = g.add(1);
            }
            beta = GpuBench.randn(rng, dev, DType.F32, 0.1, c);
            runningMean = Tensor.zeros(dev, DType.F32, c);
            runningVar = Tensor.ones(dev, DType.F32, c);
            saved = NeuralOps.batchNorm(x, gamma, beta, runningMean, runningVar, true, MOMENTUM, EPS);
            Backends.synchronize(dev);
        }

        @Override
        void closeMore() {
            GpuBench.close(saved, gamma, beta, runningMean, runningVar);
            saved = null;
            gamma = beta = runningMean = runningVar = null;
        }
    }

    /** Max pooling and ReLU on [N, 64, size, size] (size 256 by default). */
    @State(Scope.Benchmark)
    public static class Activation extends Common {
        static final int C = 64;

        Tensor y, poolDy;
        NeuralOps.PoolResult pooled;

        @Setup
        public void setup() {
            int s = GpuBench.size(size, 256);
            if (s % 2 != 0) throw new IllegalArgumentException("size must be even for 2x2 pooling, got " + s);
            Rng rng = new Rng(41);
            create(C, s, rng);
            dy = GpuBench.randn(rng, dev, DType.F32, 1, xShape);
            y = x.relu();
            pooled = NeuralOps.maxPool2d(x, 2);
            poolDy = GpuBench.randn(rng, dev, DType.F32, 1, pooled.values().shape());
            Backends.synchronize(dev);
        }

        @Override
        void closeMore() {
            GpuBench.close(y, poolDy, pooled);
            y = poolDy = null;
            pooled = null;
        }
    }

    @Benchmark
    public void batchNormForward(Norm t) {
        NeuralOps.BatchNormResult r = NeuralOps.batchNorm(t.x, t.gamma, t.beta, t.runningMean, t.runningVar, true, MOMENTUM, EPS);
        r.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void batchNormBackward(Norm t) {
        Tensor[] g = NeuralOps.batchNormBackward(t.x, t.dy, t.gamma, t.saved.saveMean(), t.saved.saveInvStd(), EPS);
        GpuBench.close(g);
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void maxPool2x2Forward(Activation t) {
        NeuralOps.PoolResult r = NeuralOps.maxPool2d(t.x, 2);
        r.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void maxPool2x2Backward(Activation t) {
        Tensor dx = NeuralOps.maxPool2dBackward(t.poolDy, t.pooled.indices(), t.xShape);
        dx.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void reluForward(Activation t) {
        Tensor y = t.x.relu();
        y.close();
        Backends.synchronize(t.dev);
    }

    @Benchmark
    public void reluBackward(Activation t) {
        try (Tensor mask = t.y.gt(0)) {
            Tensor dx = t.dy.mul(mask);
            dx.close();
        }
        Backends.synchronize(t.dev);
    }
}
