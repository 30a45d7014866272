package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The tensor-level wrappers of the neural-network kernels: shapes, validation, semantics. */
class NeuralOpsTest {
    private final SplittableRandom rnd = new SplittableRandom(3);

    @Test
    void conv2dOnAStridedViewMatchesNaive() {
        int n = 2, c = 3, h = 7, w = 6, oc = 4;
        double[] x = Ref.asFloat(Ref.random(rnd, n * c * h * w)), wt = Ref.asFloat(Ref.random(rnd, oc * c * 9)),
                b = Ref.asFloat(Ref.random(rnd, oc));
        ConvParams p = ConvParams.of(2, 1);
        // give the input as a permuted (non-contiguous) view: NHWC data seen as NCHW
        double[] nhwc = new double[x.length];
        for (int i = 0; i < n; i++) for (int ch = 0; ch < c; ch++) for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) {
            nhwc[((i * h + y) * w + xx) * c + ch] = x[((i * c + ch) * h + y) * w + xx];
        }
        try (Tensor t0 = Ref.f32(nhwc, n, h, w, c); Tensor t = t0.permute(0, 3, 1, 2); Tensor tw = Ref.f32(wt, oc, c, 3, 3);
             Tensor tb = Ref.f32(b, oc); Tensor y = NeuralOps.conv2d(t, tw, tb, p)) {
            int oh = p.convOutH(h, 3), ow = p.convOutW(w, 3);
            assertArrayEquals(new int[]{n, oc, oh, ow}, y.shape());
            double[] want = new double[n * oc * oh * ow];
            for (int i = 0; i < n; i++) for (int o = 0; o < oc; o++) for (int yy = 0; yy < oh; yy++) for (int xx = 0; xx < ow; xx++) {
                double s = b[o];
                for (int ch = 0; ch < c; ch++) for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) {
                    int iy = yy * 2 - 1 + ky, ix = xx * 2 - 1 + kx;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                    s += x[((i * c + ch) * h + iy) * w + ix] * wt[((o * c + ch) * 3 + ky) * 3 + kx];
                }
                want[((i * oc + o) * oh + yy) * ow + xx] = s;
            }
            Ref.close(want, y.toDoubleArray(), 1e-5, "conv2d");
        }
    }

    @Test
    void maxPoolAndItsBackward() {
        float[] v = {1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 9, 9, 7, 1, 2, 6};
        try (Tensor x = Tensor.of(v, 1, 1, 4, 4); NeuralOps.PoolResult r = NeuralOps.maxPool2d(x, 2);
             Tensor dy = Tensor.of(new float[]{1, 2, 3, 4}, 1, 1, 2, 2); Tensor dx = NeuralOps.maxPool2dBackward(dy, r.indices(), x.shape())) {
            assertArrayEquals(new float[]{5, 8, 7, 9}, r.values().toFloatArray());
            assertArrayEquals(new int[]{1, 6, 12, 10}, r.indices().toIntArray());
            float[] g = dx.toFloatArray();
            assertEquals(1, g[1]);
            assertEquals(2, g[6]);
            assertEquals(3, g[12]);
            assertEquals(4, g[10]);
            assertEquals(10, sum(g));
        }
    }

    private static float sum(float[] a) { float s = 0; for (float f : a) s += f; return s; }

    @Test
    void batchNormTrainingUpdatesRunningStatsLikeTorch() {
        int n = 2, c = 2, hw = 3;
        double[] x = Ref.asFloat(Ref.random(rnd, n * c * hw));
        try (Tensor t = Ref.f32(x, n, c, 1, hw); Tensor g = Tensor.ones(c); Tensor b = Tensor.zeros(c);
             Tensor rm = Tensor.zeros(c); Tensor rv = Tensor.ones(c);
             NeuralOps.BatchNormResult r = NeuralOps.batchNorm(t, g, b, rm, rv, true, 0.1, 1e-5)) {
            for (int ch = 0; ch < c; ch++) {
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) mean += x[(i * c + ch) * hw + j];
                mean /= n * hw;
                for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) var += Math.pow(x[(i * c + ch) * hw + j] - mean, 2);
                double biased = var / (n * hw), unbiased = var / (n * hw - 1);
                assertEquals(0.1 * mean, rm.toFloatArray()[ch], 1e-6);
                assertEquals(0.9 + 0.1 * unbiased, rv.toFloatArray()[ch], 1e-6);
                assertEquals(mean, r.saveMean().toFloatArray()[ch], 1e-6);
                assertEquals(1 / Math.sqrt(biased + 1e-5), r.saveInvStd().toFloatArray()[ch], 1e-4);
                double y0 = (x[ch * hw] - mean) / Math.sqrt(biased + 1e-5);
                assertEquals(y0, r.output().toFloatArray()[ch * hw], 1e-5);
            }
        }
    }

    @Test
    void dropoutKeepsExpectation() {
        try (Tensor x = Tensor.ones(100000)) {
            Tensor[] r = NeuralOps.dropout(x, 0.25, new Rng(9));
            try (Tensor y = r[0]; Tensor mask = r[1]; Tensor m = y.mean()) {
                assertEquals(1.0, m.item(), 0.02);
                for (float f : y.toFloatArray()) assertTrue(f == 0f || Math.abs(f - 4f / 3f) < 1e-6);
            }
        }
    }

    @Test
    void shapeErrorsNameTheShapes() {
        try (Tensor x = Tensor.zeros(1, 3, 8, 8); Tensor w = Tensor.zeros(4, 2, 3, 3); Tensor x3 = Tensor.zeros(3, 8, 8)) {
            var e = assertThrows(IllegalArgumentException.class, () -> NeuralOps.conv2d(x, w, null, ConvParams.of(1, 1)));
            assertTrue(e.getMessage().contains("[1, 3, 8, 8]") && e.getMessage().contains("[4, 2, 3, 3]"), e.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class, () -> NeuralOps.maxPool2d(x3, 2));
            assertTrue(e2.getMessage().contains("4-D"), e2.getMessage());
            var e3 = assertThrows(IllegalArgumentException.class, () -> ConvParams.of(0, 1));
            assertTrue(e3.getMessage().contains("stride"), e3.getMessage());
        }
        try (Tensor x = Tensor.zeros(1, 3, 2, 2); Tensor w = Tensor.zeros(3, 3, 5, 5)) {
            var e = assertThrows(IllegalArgumentException.class, () -> NeuralOps.conv2d(x, w, null, ConvParams.DEFAULT));
            assertTrue(e.getMessage().contains("too small"), e.getMessage());
        }
    }

    @Test
    void batchNormBackwardNeedsTheSavedStatistics() {
        try (Tensor x = Tensor.ones(2, 3, 4, 4); Tensor dy = Tensor.ones(2, 3, 4, 4); Tensor m = Tensor.zeros(3)) {
            var e = assertThrows(IllegalArgumentException.class, () -> NeuralOps.batchNormBackward(x, dy, null, m, null, 1e-5));
            assertTrue(e.getMessage().contains("inverse std") && e.getMessage().contains("[2, 3, 4, 4]"), e.getMessage());
        }
    }

    @Test
    void batchNormReluReusingInputNeedsACompactTensorThatIsItsWholeStorage() {
        try (Tensor x = Tensor.ones(2, 3, 4, 4); Tensor view = x.narrow(0, 0, 1); Tensor t = x.transpose(2, 3);
             Tensor rm = Tensor.zeros(3); Tensor rv = Tensor.ones(3)) {
            for (Tensor bad : new Tensor[]{view, t}) {
                var e = assertThrows(IllegalArgumentException.class,
                        () -> NeuralOps.batchNormReluInferenceReusingInput(bad, null, null, rm, rv, 1e-5));
                assertTrue(e.getMessage().contains("compact tensor that is its whole storage"), e.getMessage());
            }
            assertEquals(1.0, x.max().item(), "a refused call leaves the input alone");
        }
    }

    @Test
    void convTranspose2dIntoNamesABufferThatDoesNotFit() {
        try (Tensor x = Tensor.ones(1, 3, 4, 4); Tensor w = Tensor.ones(3, 2, 2, 2); Tensor narrow = Tensor.zeros(1, 3, 8, 8);
             Tensor small = Tensor.zeros(1, 4, 6, 8)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> NeuralOps.convTranspose2dInto(x, w, null, ConvParams.of(2, 0), narrow, 2));
            assertTrue(e.getMessage().contains("[1, 3, 8, 8]") && e.getMessage().contains("[2, 4)"), e.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> NeuralOps.convTranspose2dInto(x, w, null, ConvParams.of(2, 0), small, 0));
            assertTrue(e2.getMessage().contains("8x8"), e2.getMessage());
        }
    }
}
