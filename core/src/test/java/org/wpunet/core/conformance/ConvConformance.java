package org.wpunet.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.wpunet.core.ConvParams;
import org.wpunet.core.NeuralOps;
import org.wpunet.core.Tensor;

/**
 * 2-d convolution and transposed convolution, forward and both gradients (input; weight and bias),
 * over stride/padding/dilation variants, 1x1 convolutions and WPU-Net's layer shapes at small
 * spatial sizes. Each case checks all three ops against the CPU in float64.
 *
 * <p>Tolerance: {@link #rtol(long)} of the number of products summed per output: {@code c*kh*kw}
 * for the forward, {@code oc*kh*kw} for the input gradient, {@code n*oh*ow} for the weight and
 * bias gradients.
 */
public abstract class ConvConformance extends ConformanceSuite {

    /**
     * FP32: {@link Conformance#accumulation}(k) with a floor of 5e-5 (of max|r|), because a GPU library
     * may pick Winograd or FFT algorithms whose transforms amplify the rounding of the inputs (by about
     * 10-100x for Winograd F(4x4, 3x3)). A dropped or misplaced tap moves an output by |w x|: typically
     * 0.3 and at least 0.01 (every input is at least 0.1 in magnitude), while 5e-5 of the largest output
     * of these small layers is at most a few 1e-3.
     */
    protected double rtol(long k) { return Math.max(5e-5, Conformance.accumulation(k)); }

    /** A convolution case: input [n, c, h, w], weight ([oc, c, kh, kw], transposed: [c, oc, kh, kw]). */
    public record Case(String name, int[] xs, int[] ws, ConvParams p, boolean bias) {
        @Override
        public String toString() { return name + " x" + Arrays.toString(xs) + " w" + Arrays.toString(ws) + " " + p; }
    }

    private static int[] s(int... v) { return v; }

    public static Stream<Case> conv2dCases() {
        return Stream.of(
                new Case("WPU-Net first layer 2->16, 3x3 pad 1", s(2, 2, 16, 16), s(16, 2, 3, 3), ConvParams.of(1, 1), true),
                new Case("WPU-Net 16->32, 3x3 pad 1", s(2, 16, 8, 8), s(32, 16, 3, 3), ConvParams.of(1, 1), true),
                new Case("WPU-Net 32->32 at 4x4", s(2, 32, 4, 5), s(32, 32, 3, 3), ConvParams.of(1, 1), true),
                new Case("WPU-Net 256->256 at 4x4 (weights past the implicit-GEMM limit)", s(1, 256, 4, 4), s(256, 256, 3, 3),
                        ConvParams.of(1, 1), true),
                new Case("WPU-Net output 1x1 16->2", s(2, 16, 8, 8), s(2, 16, 1, 1), ConvParams.DEFAULT, true),
                new Case("1x1 stride 2", s(2, 8, 7, 9), s(4, 8, 1, 1), ConvParams.of(2, 0), true),
                new Case("3x3 stride 2 pad 1", s(2, 3, 9, 11), s(4, 3, 3, 3), ConvParams.of(2, 1), true),
                new Case("stride 2x1, pad 1x2, dilation 1x2", s(2, 3, 9, 11), s(4, 3, 3, 3),
                        new ConvParams(2, 1, 1, 2, 1, 2, 0, 0), true),
                new Case("dilation 2 pad 2", s(1, 4, 10, 10), s(6, 4, 3, 3), ConvParams.of(1, 2, 2), true),
                new Case("3x5 kernel pad 1x2, no bias", s(2, 5, 8, 12), s(3, 5, 3, 5), new ConvParams(1, 1, 1, 2, 1, 1, 0, 0), false),
                new Case("pad 3 wider than the kernel reach", s(1, 3, 6, 6), s(2, 3, 3, 3), ConvParams.of(1, 3), true),
                new Case("5x5 stride 3, no padding", s(2, 2, 13, 14), s(3, 2, 5, 5), ConvParams.of(3, 0), true));
    }

    public static Stream<Case> convTransposeCases() {
        return Stream.of(
                new Case("WPU-Net up-conv 2x2 s2 32->16", s(2, 32, 5, 6), s(32, 16, 2, 2), ConvParams.of(2, 0), true),
                new Case("WPU-Net up-conv 2x2 s2 128->64", s(1, 128, 3, 3), s(128, 64, 2, 2), ConvParams.of(2, 0), true),
                new Case("2x2 s2, rows of 37 (vector zips and their tail)", s(2, 5, 3, 37), s(5, 3, 2, 2), ConvParams.of(2, 0), true),
                new Case("2x2 s2, output padding 1", s(2, 3, 5, 6), s(3, 4, 2, 2), ConvParams.of(2, 0).withOutputPadding(1, 1), true),
                new Case("3x3 s2 pad 1, output padding 1 (overlapping taps)", s(2, 4, 5, 5), s(4, 3, 3, 3),
                        ConvParams.of(2, 1).withOutputPadding(1, 1), true),
                new Case("3x3 s1 pad 1 dilation 2, no bias", s(1, 3, 6, 7), s(3, 2, 3, 3), new ConvParams(1, 1, 1, 1, 2, 2, 0, 0),
                        false));
    }

    private static Tensor devOrNull(Pair p) { return p == null ? null : p.dev(); }

    private static Tensor refOrNull(Pair p) { return p == null ? null : p.ref(); }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.wpunet.core.conformance.ConvConformance#conv2dCases")
    public void conv2dForwardAndGradients(Case c) {
        int[] xs = c.xs(), ws = c.ws();
        Pair x = input(xs), w = input(ws), b = c.bias() ? input(ws[0]) : null;
        Tensor yr = NeuralOps.conv2d(x.ref(), w.ref(), refOrNull(b), c.p());
        assertClose(NeuralOps.conv2d(x.dev(), w.dev(), devOrNull(b), c.p()), yr, rtol((long) ws[1] * ws[2] * ws[3]), "conv2d " + c);

        int[] ys = yr.shape();
        Pair dy = input(ys);
        assertClose(NeuralOps.conv2dBackwardInput(dy.dev(), w.dev(), xs, c.p()),
                NeuralOps.conv2dBackwardInput(dy.ref(), w.ref(), xs, c.p()), rtol((long) ws[0] * ws[2] * ws[3]),
                "conv2d input gradient " + c);

        Tensor[] g = NeuralOps.conv2dBackwardWeight(x.dev(), dy.dev(), ws, c.p(), c.bias());
        Tensor[] gr = NeuralOps.conv2dBackwardWeight(x.ref(), dy.ref(), ws, c.p(), c.bias());
        long pixels = (long) ys[0] * ys[2] * ys[3];
        assertClose(g[0], gr[0], rtol(pixels), "conv2d weight gradient " + c);
        if (c.bias()) assertClose(g[1], gr[1], rtol(pixels), "conv2d bias gradient " + c);
        else assertNull(g[1], "no bias gradient without bias");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.wpunet.core.conformance.ConvConformance#convTransposeCases")
    public void convTranspose2dForwardAndGradients(Case c) {
        int[] xs = c.xs(), ws = c.ws();
        Pair x = input(xs), w = input(ws), b = c.bias() ? input(ws[1]) : null;
        Tensor yr = NeuralOps.convTranspose2d(x.ref(), w.ref(), refOrNull(b), c.p());
        int[] ys = yr.shape();
        assertArrayEquals(new int[]{xs[0], ws[1], c.p().transposedOutH(xs[2], ws[2]), c.p().transposedOutW(xs[3], ws[3])}, ys);
        assertClose(NeuralOps.convTranspose2d(x.dev(), w.dev(), devOrNull(b), c.p()), yr, rtol((long) ws[0] * ws[2] * ws[3]),
                "conv_transpose2d " + c);
        // written into channels [3, 3 + OC) of a wider buffer (the decoder's concatenation); the rest untouched
        Tensor into = Tensor.full(x.dev().device(), x.dev().dtype(), 7, ys[0], ys[1] + 5, ys[2], ys[3]);
        NeuralOps.convTranspose2dInto(x.dev(), w.dev(), devOrNull(b), c.p(), into, 3);
        assertClose(into.narrow(1, 3, ys[1]), yr, rtol((long) ws[0] * ws[2] * ws[3]), "conv_transpose2d into a buffer " + c);
        Tensor untouched = Tensor.concat(1, into.narrow(1, 0, 3), into.narrow(1, 3 + ys[1], 2));
        assertEquals(7.0, untouched.min().item(), "conv_transpose2d into: other channels untouched " + c);
        assertEquals(7.0, untouched.max().item(), "conv_transpose2d into: other channels untouched " + c);

        Pair dy = input(ys);
        assertClose(NeuralOps.convTranspose2dBackwardInput(dy.dev(), w.dev(), xs, c.p()),
                NeuralOps.convTranspose2dBackwardInput(dy.ref(), w.ref(), xs, c.p()), rtol((long) ws[1] * ws[2] * ws[3]),
                "conv_transpose2d input gradient " + c);

        Tensor[] g = NeuralOps.convTranspose2dBackwardWeight(x.dev(), dy.dev(), ws, c.p(), c.bias());
        Tensor[] gr = NeuralOps.convTranspose2dBackwardWeight(x.ref(), dy.ref(), ws, c.p(), c.bias());
        assertClose(g[0], gr[0], rtol((long) xs[0] * xs[2] * xs[3]), "conv_transpose2d weight gradient " + c);
        if (c.bias()) {
            assertClose(g[1], gr[1], rtol((long) ys[0] * ys[2] * ys[3]), "conv_transpose2d bias gradient " + c);
        } else {
            assertNull(g[1], "no bias gradient without bias");
        }
    }
}
