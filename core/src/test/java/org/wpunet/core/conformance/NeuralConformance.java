package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wpunet.core.DType;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

/**
 * Max pooling (values, indices, backward, values alone), batch norm (training forward with running-stat
 * updates, backward, inference, inference + ReLU reusing its input; with and without affine parameters and
 * running stats) and dropout.
 * Pooling selects, so values and indices must be exact; batch norm reduces over n*h*w values per
 * channel ({@link Conformance#accumulation}); dropout must reproduce the counter-based random stream
 * exactly.
 */
public abstract class NeuralConformance extends ConformanceSuite {

    /** Max-pool parameters as [h, w]. */
    public record PoolCase(String name, int[] xs, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        @Override
        public String toString() {
            return name + " x" + Arrays.toString(xs) + " k" + Arrays.toString(kernel) + " s" + Arrays.toString(stride)
                    + " p" + Arrays.toString(padding) + " d" + Arrays.toString(dilation);
        }
    }

    private static int[] s(int... v) { return v; }

    public static Stream<PoolCase> poolCases() {
        return Stream.of(
                new PoolCase("2x2 stride 2 (U-Net), odd sizes", s(2, 3, 9, 11), s(2, 2), s(2, 2), s(0, 0), s(1, 1)),
                new PoolCase("WPU-Net 2x2 at 16 channels", s(2, 16, 8, 8), s(2, 2), s(2, 2), s(0, 0), s(1, 1)),
                new PoolCase("3x3 stride 2 pad 1 (overlapping)", s(2, 3, 9, 10), s(3, 3), s(2, 2), s(1, 1), s(1, 1)),
                new PoolCase("3x3 stride 1 pad 1 dilation 2", s(1, 2, 8, 9), s(3, 3), s(1, 1), s(1, 1), s(2, 2)),
                new PoolCase("2x3 kernel, stride 1x2, pad 1", s(2, 2, 7, 8), s(2, 3), s(1, 2), s(1, 1), s(1, 1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.wpunet.core.conformance.NeuralConformance#poolCases")
    public void maxPoolForwardAndBackward(PoolCase c) {
        Pair x = input(c.xs());
        NeuralOps.PoolResult r = NeuralOps.maxPool2d(x.dev(), c.kernel(), c.stride(), c.padding(), c.dilation());
        NeuralOps.PoolResult rr = NeuralOps.maxPool2d(x.ref(), c.kernel(), c.stride(), c.padding(), c.dilation());
        assertSame(r.values(), rr.values(), "max_pool2d values " + c);
        assertEquals(DType.I32, r.indices().dtype(), "max_pool2d indices dtype");
        assertSame(r.indices(), rr.indices(), "max_pool2d indices " + c);
        // the inference path: values without indices (the CPU's 2x2 kernel, or the backend's default)
        assertSame(NeuralOps.maxPool2dValues(x.dev(), c.kernel(), c.stride(), c.padding(), c.dilation()), rr.values(),
                "max_pool2d values without indices " + c);
        Pair dy = input(rr.values().shape());
        // overlapping windows add up to kh*kw gradients into one input
        assertClose(NeuralOps.maxPool2dBackward(dy.dev(), r.indices(), c.xs()),
                NeuralOps.maxPool2dBackward(dy.ref(), rr.indices(), c.xs()),
                Conformance.accumulation((long) c.kernel()[0] * c.kernel()[1]), "max_pool2d backward " + c);
    }

    /** Batch-norm variants: affine parameters, running statistics. */
    public record BnCase(String name, boolean affine, boolean running) {
        @Override
        public String toString() { return name; }
    }

    public static Stream<BnCase> batchNormCases() {
        return Stream.of(new BnCase("affine with running stats", true, true),
                new BnCase("no affine parameters", false, true),
                new BnCase("affine without running stats", true, false));
    }

    private static final int[] BN_SHAPE = {4, 3, 5, 6};

    /** [4, 3, 5, 6] with per-channel scale and shift, so each channel has its own statistics. */
    private Pair bnInput() {
        Tensor scale = Tensor.of(new float[]{0.5f, 1.5f, 3f}, 1, 3, 1, 1), shift = Tensor.of(new float[]{0.25f, -0.5f, 1f}, 1, 3, 1, 1);
        return of(Conformance.nonZeroTensor(rnd, BN_SHAPE).mul(scale).add(shift));
    }

    private static Tensor d(Pair p) { return p == null ? null : p.dev(); }

    private static Tensor r(Pair p) { return p == null ? null : p.ref(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.wpunet.core.conformance.NeuralConformance#batchNormCases")
    public void batchNormTraining(BnCase c) {
        int ch = BN_SHAPE[1];
        long m = (long) BN_SHAPE[0] * BN_SHAPE[2] * BN_SHAPE[3];
        double tol = Conformance.accumulation(m);
        Pair x = bnInput();
        Pair gamma = c.affine() ? input(ch) : null, beta = c.affine() ? input(ch) : null;
        Pair rm = c.running() ? input(ch) : null, rv = c.running() ? of(Conformance.positiveTensor(rnd, ch).add(0.5)) : null;
        NeuralOps.BatchNormResult y = NeuralOps.batchNorm(x.dev(), d(gamma), d(beta), d(rm), d(rv), true, 0.1, 1e-5);
        NeuralOps.BatchNormResult yr = NeuralOps.batchNorm(x.ref(), r(gamma), r(beta), r(rm), r(rv), true, 0.1, 1e-5);
        assertClose(y.output(), yr.output(), tol, "batch_norm y, " + c);
        assertClose(y.saveMean(), yr.saveMean(), tol, "batch_norm saved mean, " + c);
        assertClose(y.saveInvStd(), yr.saveInvStd(), tol, "batch_norm saved invstd, " + c);
        if (c.running()) {
            // updated in place on both sides: (1 - momentum) * running + momentum * batch statistic (unbiased variance)
            assertClose(rm.dev(), rm.ref(), tol, "running mean after the update, " + c);
            assertClose(rv.dev(), rv.ref(), tol, "running variance after the update, " + c);
        }

        Pair dy = input(BN_SHAPE);
        Tensor[] g = NeuralOps.batchNormBackward(x.dev(), dy.dev(), d(gamma), y.saveMean(), y.saveInvStd(), 1e-5);
        Tensor[] gr = NeuralOps.batchNormBackward(x.ref(), dy.ref(), r(gamma), yr.saveMean(), yr.saveInvStd(), 1e-5);
        assertClose(g[0], gr[0], tol, "batch_norm input gradient, " + c);
        assertClose(g[1], gr[1], tol, "batch_norm gamma gradient, " + c);
        assertClose(g[2], gr[2], tol, "batch_norm beta gradient, " + c);
    }

    @Test
    public void batchNormInference() {
        int ch = BN_SHAPE[1];
        Pair x = bnInput(), gamma = input(ch), beta = input(ch), rm = input(ch);
        Pair rv = of(Conformance.positiveTensor(rnd, ch).add(0.5));
        Tensor rmBefore = rm.dev().copy(), rvBefore = rv.dev().copy();
        // y = (x - mean) * invstd * gamma + beta per element: FP32, relative to max|y| for the subtraction
        assertClose(NeuralOps.batchNorm(x.dev(), gamma.dev(), beta.dev(), rm.dev(), rv.dev(), false, 0.1, 1e-5).output(),
                NeuralOps.batchNorm(x.ref(), gamma.ref(), beta.ref(), rm.ref(), rv.ref(), false, 0.1, 1e-5).output(),
                Conformance.FP32, "batch_norm inference");
        assertClose(NeuralOps.batchNorm(x.dev(), null, null, rm.dev(), rv.dev(), false, 0.1, 1e-5).output(),
                NeuralOps.batchNorm(x.ref(), null, null, rm.ref(), rv.ref(), false, 0.1, 1e-5).output(),
                Conformance.FP32, "batch_norm inference without affine parameters");
        // the inference path that may write over its input equals batch norm then ReLU
        Tensor owned = x.dev().copy();
        assertClose(NeuralOps.batchNormReluInferenceReusingInput(owned, gamma.dev(), beta.dev(), rm.dev(), rv.dev(), 1e-5), NeuralOps.batchNorm(x.ref(), gamma.ref(), beta.ref(), rm.ref(), rv.ref(), false, 0.1, 1e-5).output().relu(),
                Conformance.FP32, "batch_norm_relu inference reusing its input");
        assertSame(rm.dev(), rmBefore, "inference leaves the running mean alone");
        assertSame(rv.dev(), rvBefore, "inference leaves the running variance alone");
    }

    @Test
    public void dropoutReproducesTheRandomStream() {
        long seed = 77;
        double p = 0.3;
        Pair x = input(8, 125);
        float[] xv = x.ref().toFloatArray();
        Rng rng = new Rng(seed);
        rng.setCounter(5);
        for (int draw = 0; draw < 2; draw++) {
            long counter = rng.counter();
            Tensor[] out = NeuralOps.dropout(x.dev(), p, rng);
            assertEquals(counter + xv.length, rng.counter(), "dropout advances the generator by numel");
            float scale = (float) (1.0 / (1 - p));
            float[] wantY = new float[xv.length], wantMask = new float[xv.length];
            int kept = 0;
            for (int i = 0; i < xv.length; i++) {
                boolean keep = Rng.uniformFloat(seed, counter + i) < 1 - p;
                wantMask[i] = keep ? scale : 0f;
                wantY[i] = xv[i] * wantMask[i];
                if (keep) kept++;
            }
            assertSame(out[0], Tensor.of(wantY, 8, 125), "dropout output, draw " + draw);
            assertSame(out[1], Tensor.of(wantMask, 8, 125), "dropout mask, draw " + draw);
            double frac = kept / (double) xv.length;
            assertTrue(frac > 0.62 && frac < 0.78, "kept fraction " + frac + " for p = " + p);
        }
    }
}
