package org.wpunet.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.wpunet.core.cpu.kernels.Conv2dKernels;
import org.wpunet.core.cpu.kernels.ConvBatchNormReluInference;
import org.wpunet.core.cpu.kernels.ConvTranspose2dKernels;

/**
 * WPU-Net's dominant layer: 3x3 convolution, 64 -> 64 channels, padding 1, on 1x64x256x256
 * (2 * 64 * 64 * 9 * 256^2 = 4.83 GFLOP per pass), forward and both gradients; plus the 2x2
 * stride-2 transposed convolution 128 -> 64 on 1x128x128x128 (up-sampling, 0.54 GFLOP).
 * The {@code shape*} benchmarks cover WPU-Net's other 3x3 (padding 1) layers at batch 2, chosen by
 * {@link Shape#shape} ("c-oc-size"); the {@code thin*} benchmarks the small-widths (16..256) network's
 * thin layers at its training batch 8, which take the direct kernel (Conv3x3Direct) forward and
 * for the input gradient, chosen by {@link Thin#thin}; the {@code wino*} benchmarks run layers of
 * both networks at inference (batch 1) and training batches with the Winograd kernel off and
 * forced on, chosen by {@link Wino#wino} and {@link Wino#winograd}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class ConvBenchmark {
    static final int N = 1, C = 64, H = 256, W = 256, OC = 64;
    float[] x, weight, bias, y, dy, dx, dWeight, dBias;
    float[] ux, uWeight, uBias, uy;

    @Setup
    public void setup() {
        Random r = new Random(2);
        x = fill(r, N * C * H * W);
        weight = fill(r, OC * C * 9);
        bias = fill(r, OC);
        y = new float[N * OC * H * W];
        dy = fill(r, N * OC * H * W);
        dx = new float[x.length];
        dWeight = new float[weight.length];
        dBias = new float[OC];
        ux = fill(r, 128 * 128 * 128);
        uWeight = fill(r, 128 * 64 * 4);
        uBias = fill(r, 64);
        uy = new float[64 * 256 * 256];
    }

    static float[] fill(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() - 0.5f;
        return a;
    }

    /** One of WPU-Net's other 3x3 layers, batch 2: "c-oc-size" (in channels, out channels, square size). */
    @State(Scope.Benchmark)
    public static class Shape {
        static final int N = 2;

        @Param({"2-64-256", "128-128-128", "256-256-64", "512-512-32", "1024-1024-16"})
        public String shape;

        int c, oc, s;
        float[] x, weight, bias, y, dy, dx, dWeight, dBias;

        @Setup
        public void setup() {
            String[] f = shape.split("-");
            c = Integer.parseInt(f[0]);
            oc = Integer.parseInt(f[1]);
            s = Integer.parseInt(f[2]);
            Random r = new Random(3);
            x = fill(r, N * c * s * s);
            weight = fill(r, oc * c * 9);
            bias = fill(r, oc);
            y = new float[N * oc * s * s];
            dy = fill(r, N * oc * s * s);
            dx = new float[x.length];
            dWeight = new float[weight.length];
            dBias = new float[oc];
        }
    }

    /** A thin 3x3 layer of the small network, batch 8: "c-oc-size". */
    @State(Scope.Benchmark)
    public static class Thin {
        static final int N = 8;

        @Param({"16-16-256", "32-16-256", "64-32-128"})
        public String thin;

        int c, oc, s;
        float[] x, weight, bias, y, dy, dx;
        float[] gamma, beta, mean, var;   // batch-norm parameters and running statistics (inference)

        @Setup
        public void setup() {
            String[] f = thin.split("-");
            c = Integer.parseInt(f[0]);
            oc = Integer.parseInt(f[1]);
            s = Integer.parseInt(f[2]);
            Random r = new Random(4);
            x = fill(r, N * c * s * s);
            weight = fill(r, oc * c * 9);
            bias = fill(r, oc);
            y = new float[N * oc * s * s];
            dy = fill(r, N * oc * s * s);
            dx = new float[x.length];
            gamma = fill(r, oc);
            beta = fill(r, oc);
            mean = fill(r, oc);
            var = fill(r, oc);
            for (int i = 0; i < oc; i++) var[i] = Math.abs(var[i]) + 0.5f;   // a variance is positive
        }
    }

    /**
     * A 3x3 layer of either network with the Winograd kernel forced on or off: "n-c-oc-size"
     * (batch, in channels, out channels, square size); {@code winograd} is a
     * {@link Conv2dKernels.Winograd} mode (OFF: the path used before; ALWAYS: Winograd F(4x4, 3x3)).
     */
    @State(Scope.Benchmark)
    public static class Wino {
        @Param({"1-64-64-256", "1-128-128-128", "1-256-256-64", "1-512-512-32", "1-1024-512-32", "1-1024-1024-16",
                "2-1024-1024-16", "1-64-64-64", "1-128-128-32", "1-256-128-32", "1-256-256-16", "8-64-64-64",
                "8-128-128-32", "8-256-256-16"})
        public String wino;

        @Param({"OFF", "ALWAYS"})
        public String winograd;

        int n, c, oc, s;
        float[] x, weight, bias, y, dy, dx;
        Conv2dKernels.Winograd previous;

        @Setup
        public void setup() {
            String[] f = wino.split("-");
            n = Integer.parseInt(f[0]);
            c = Integer.parseInt(f[1]);
            oc = Integer.parseInt(f[2]);
            s = Integer.parseInt(f[3]);
            Random r = new Random(5);
            x = fill(r, n * c * s * s);
            weight = fill(r, oc * c * 9);
            bias = fill(r, oc);
            y = new float[n * oc * s * s];
            dy = fill(r, n * oc * s * s);
            dx = new float[x.length];
            previous = Conv2dKernels.setWinograd(Conv2dKernels.Winograd.valueOf(winograd));
        }

        @TearDown
        public void restore() { Conv2dKernels.setWinograd(previous); }
    }

    @Benchmark
    public float[] winoForward(Wino t) {
        Conv2dKernels.forward(t.x, t.n, t.c, t.s, t.s, t.weight, t.oc, 3, 3, t.bias, 1, 1, 1, 1, 1, 1, t.y);
        return t.y;
    }

    @Benchmark
    public float[] winoInputGrad(Wino t) {
        Conv2dKernels.backwardInput(t.dy, t.weight, t.n, t.c, t.s, t.s, t.oc, 3, 3, 1, 1, 1, 1, 1, 1, t.dx);
        return t.dx;
    }

    @Benchmark
    public float[] thinForward(Thin t) {
        Conv2dKernels.forward(t.x, Thin.N, t.c, t.s, t.s, t.weight, t.oc, 3, 3, t.bias, 1, 1, 1, 1, 1, 1, t.y);
        return t.y;
    }

    /** Inference convolution + batch norm (running statistics) + ReLU as one op (DoubleConv at inference). */
    @Benchmark
    public float[] thinConvBnReluInference(Thin t) {
        ConvBatchNormReluInference.forward(t.x, Thin.N, t.c, t.s, t.s, t.weight, t.oc, 3, 3, t.bias, 1, 1, 1, 1, 1, 1,
                t.gamma, t.beta, t.mean, t.var, 1e-5f, t.y);
        return t.y;
    }

    @Benchmark
    public float[] thinInputGrad(Thin t) {
        Conv2dKernels.backwardInput(t.dy, t.weight, Thin.N, t.c, t.s, t.s, t.oc, 3, 3, 1, 1, 1, 1, 1, 1, t.dx);
        return t.dx;
    }

    @Benchmark
    public float[] shapeForward(Shape t) {
        Conv2dKernels.forward(t.x, Shape.N, t.c, t.s, t.s, t.weight, t.oc, 3, 3, t.bias, 1, 1, 1, 1, 1, 1, t.y);
        return t.y;
    }

    @Benchmark
    public float[] shapeInputGrad(Shape t) {
        Conv2dKernels.backwardInput(t.dy, t.weight, Shape.N, t.c, t.s, t.s, t.oc, 3, 3, 1, 1, 1, 1, 1, 1, t.dx);
        return t.dx;
    }

    @Benchmark
    public float[] shapeWeightGrad(Shape t) {
        Conv2dKernels.backwardWeight(t.x, t.dy, Shape.N, t.c, t.s, t.s, t.oc, 3, 3, 1, 1, 1, 1, 1, 1, t.dWeight, t.dBias);
        return t.dWeight;
    }

    @Benchmark
    public float[] conv3x3Forward() {
        Conv2dKernels.forward(x, N, C, H, W, weight, OC, 3, 3, bias, 1, 1, 1, 1, 1, 1, y);
        return y;
    }

    @Benchmark
    public float[] conv3x3InputGrad() {
        Conv2dKernels.backwardInput(dy, weight, N, C, H, W, OC, 3, 3, 1, 1, 1, 1, 1, 1, dx);
        return dx;
    }

    @Benchmark
    public float[] conv3x3WeightGrad() {
        Conv2dKernels.backwardWeight(x, dy, N, C, H, W, OC, 3, 3, 1, 1, 1, 1, 1, 1, dWeight, dBias);
        return dWeight;
    }

    @Benchmark
    public float[] convTranspose2x2Forward() {
        ConvTranspose2dKernels.forward(ux, 1, 128, 128, 128, uWeight, 64, 2, 2, uBias, 2, 2, 0, 0, 0, 0, 1, 1, uy);
        return uy;
    }
}
