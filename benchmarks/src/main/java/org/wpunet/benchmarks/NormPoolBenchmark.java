package org.wpunet.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.wpunet.core.cpu.kernels.BatchNormKernels;
import org.wpunet.core.cpu.kernels.MaxPool2x2;
import org.wpunet.core.cpu.kernels.Pool2dKernels;

/** Memory-bound layers on a WPU-Net-sized activation, 2x64x256x256 (8.4 M floats). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class NormPoolBenchmark {
    static final int N = 2, C = 64, H = 256, W = 256;
    float[] x, y, dy, dx, gamma, beta, rm, rv, sm, sis, dg, db, py;
    int[] idx;

    @Setup
    public void setup() {
        Random r = new Random(3);
        x = ConvBenchmark.fill(r, N * C * H * W);
        dy = ConvBenchmark.fill(r, x.length);
        y = new float[x.length];
        dx = new float[x.length];
        gamma = ConvBenchmark.fill(r, C);
        beta = ConvBenchmark.fill(r, C);
        rm = new float[C];
        rv = new float[C];
        java.util.Arrays.fill(rv, 1f);
        sm = new float[C];
        sis = new float[C];
        dg = new float[C];
        db = new float[C];
        py = new float[x.length / 4];
        idx = new int[x.length / 4];
    }

    @Benchmark
    public float[] batchNormTrainForwardBackward() {
        BatchNormKernels.forwardTraining(x, N, C, H * W, gamma, beta, 1e-5f, 0.1f, rm, rv, y, sm, sis);
        BatchNormKernels.backward(x, dy, N, C, H * W, gamma, sm, sis, dx, dg, db);
        return dx;
    }

    /** Batch norm fused with ReLU, forward and backward (the DoubleConv blocks' op). */
    @Benchmark
    public float[] batchNormReluTrainForwardBackward() {
        BatchNormKernels.forwardTraining(x, N, C, H * W, gamma, beta, 1e-5f, 0.1f, rm, rv, y, sm, sis, true);
        BatchNormKernels.backwardRelu(x, y, dy, N, C, H * W, gamma, sm, sis, dx, dg, db);
        return dx;
    }

    @Benchmark
    public int[] maxPool2x2Forward() {
        Pool2dKernels.maxForward(x, N, C, H, W, 2, 2, 2, 2, 0, 0, 1, 1, py, idx);
        return idx;
    }

    /** The inference path's pooling: values only (SIMD 2x2 kernel), beside the indexed one above. */
    @Benchmark
    public float[] maxPool2x2Values() {
        MaxPool2x2.forward(x, N, C, H, W, py);
        return py;
    }
}
