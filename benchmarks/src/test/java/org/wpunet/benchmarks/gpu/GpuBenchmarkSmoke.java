package org.wpunet.benchmarks.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Precision;
import org.wpunet.core.Tensor;

/**
 * Runs every GPU benchmark once, the way JMH would (state set-up, each {@code @Benchmark} method, tear-down),
 * on a device with the smallest shapes: proves the benchmark code runs without timing anything. Subclasses
 * pick the device.
 */
abstract class GpuBenchmarkSmoke {
    static final List<String> PRECISIONS = List.of("fp32", "tf32", "bf16");

    /** The {@code device} parameter to run with. */
    abstract String device();

    long live;
    boolean tf32;

    @BeforeEach
    void remember() {
        live = Tensor.liveCount();
        tf32 = Precision.allowTf32();
    }

    @AfterEach
    void nothingLeft() {
        assertEquals(live, Tensor.liveCount(), "tensors left open by the benchmarks");
        assertEquals(tf32, Precision.allowTf32(), "TF32 switch not restored");
    }

    interface Body { void run(); }

    /** Set-up, body, tear-down (also when the body fails). */
    static void trial(Runnable setup, Body body, Runnable tearDown) {
        setup.run();
        try {
            body.run();
        } finally {
            tearDown.run();
        }
    }

    @Test
    void conv3x3SmallestShapeEveryPrecision() {
        GpuConvBenchmark bench = new GpuConvBenchmark();
        for (String p : PRECISIONS) {
            GpuConvBenchmark.Conv3x3 s = new GpuConvBenchmark.Conv3x3();
            s.device = device();
            s.precision = p;
            s.batch = 2;
            s.size = 8;
            s.shape = "2-64-256";
            trial(s::setup, () -> {
                assertEquals(p.equals("tf32"), Precision.allowTf32(), "TF32 switch for " + p);
                bench.conv3x3Forward(s);
                bench.conv3x3InputGrad(s);
                bench.conv3x3WeightGrad(s);
            }, s::tearDown);
        }
    }

    @Test
    void conv3x3EveryShapeFp32() {
        GpuConvBenchmark bench = new GpuConvBenchmark();
        for (String shape : new String[]{"64-64-256", "128-128-128", "256-256-64", "512-512-32", "1024-1024-16"}) {
            GpuConvBenchmark.Conv3x3 s = new GpuConvBenchmark.Conv3x3();
            s.device = device();
            s.precision = "fp32";
            s.batch = 1;
            s.size = 2;
            s.shape = shape;
            trial(s::setup, () -> {
                bench.conv3x3Forward(s);
                bench.conv3x3InputGrad(s);
                bench.conv3x3WeightGrad(s);
            }, s::tearDown);
        }
    }

    @Test
    void upConvEveryPrecision() {
        GpuConvBenchmark bench = new GpuConvBenchmark();
        for (String p : PRECISIONS) {
            GpuConvBenchmark.Up2x2 s = new GpuConvBenchmark.Up2x2();
            s.device = device();
            s.precision = p;
            s.batch = 2;
            s.size = 4;
            trial(s::setup, () -> {
                bench.up2x2Forward(s);
                bench.up2x2InputGrad(s);
                bench.up2x2WeightGrad(s);
            }, s::tearDown);
        }
    }

    @Test
    void gemmEveryPrecision() {
        for (String p : PRECISIONS) {
            GpuGemmBenchmark s = new GpuGemmBenchmark();
            s.device = device();
            s.precision = p;
            s.n = 64;
            trial(s::setup, s::matmul, s::tearDown);
        }
    }

    @Test
    void batchNormBothShapes() {
        GpuBatchNormBenchmark bench = new GpuBatchNormBenchmark();
        for (String shape : new String[]{"64-256", "512-32"}) {
            GpuBatchNormBenchmark.Norm s = new GpuBatchNormBenchmark.Norm();
            s.device = device();
            s.batch = 2;
            s.size = 4;
            s.shape = shape;
            trial(s::setup, () -> {
                bench.batchNormForward(s);
                bench.batchNormBackward(s);
            }, s::tearDown);
        }
    }

    @Test
    void poolingAndRelu() {
        GpuBatchNormBenchmark bench = new GpuBatchNormBenchmark();
        GpuBatchNormBenchmark.Activation s = new GpuBatchNormBenchmark.Activation();
        s.device = device();
        s.batch = 2;
        s.size = 8;
        trial(s::setup, () -> {
            bench.maxPool2x2Forward(s);
            bench.maxPool2x2Backward(s);
            bench.reluForward(s);
            bench.reluBackward(s);
        }, s::tearDown);
    }
}
