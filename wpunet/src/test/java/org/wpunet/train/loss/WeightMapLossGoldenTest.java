package org.wpunet.train.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.wpunet.core.DType;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.io.Safetensors;

/**
 * Every {@link LossKind} against a port of the original WeightMapLoss run by PyTorch 1.13 (fixture from
 * src/test/resources/golden/loss/make_loss_golden.py: 2x8x8 pixels covering every branch of method 4,
 * and logits that put a quarter of the softmax probabilities far below the 1e-20 clamp).
 *
 * <p>Tolerances, as max |ours - ref| / max |ref| per tensor: F64 run 1e-12 against PyTorch's float64 (both
 * compute the same sums of ~128 terms; ours takes log p = x - logsumexp where PyTorch takes the log of
 * the rounded softmax, a 1e-16 relative difference per term); F32 run 2e-6 against PyTorch's float32 run
 * (our kernel computes in double and rounds once; PyTorch's float32 is 2e-7 from its float64 here).
 */
class WeightMapLossGoldenTest {
    static final double TOL_F64 = 1e-12, TOL_F32 = 2e-6;
    static Safetensors.Contents contents;
    static Map<String, Tensor> fx;

    @BeforeAll
    static void load() throws Exception {
        contents = Safetensors.readContents(Path.of(WeightMapLossGoldenTest.class.getResource("/golden/loss/loss_golden.safetensors").toURI()));
        fx = contents.tensors();
    }

    @AfterAll
    static void close() { contents.close(); }

    static double relErr(Tensor ours, Tensor ref) {
        assertArrayEquals(ref.shape(), ours.shape());
        double[] a = ours.toDoubleArray(), b = ref.toDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            assertTrue(Double.isFinite(a[i]), "non-finite at " + i);
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void valueAndGradientMatchTheOriginal(LossKind kind) {
        String v = kind.cliName();
        for (DType dt : new DType[]{DType.F64, DType.F32}) {
            String sfx = dt == DType.F64 ? "_f64" : "_f32";
            double tol = dt == DType.F64 ? TOL_F64 : TOL_F32;
            try (Scope s = Scope.open()) {
                Tensor x = fx.get(kind.outputChannels() == 1 ? "x1" : "logits").to(dt);
                Variable p = Variable.param(x.copy());
                Variable loss = WeightMapLoss.compute(kind, p, fx.get("target"), fx.get("weights"));
                assertEquals(0, loss.rank(), v + ": scalar loss");
                assertEquals(dt, loss.dtype());
                double eLoss = relErr(loss.value().reshape(1), fx.get(v + ".loss" + sfx));
                assertTrue(eLoss < tol, v + sfx + " loss: " + loss.value().item() + " vs " + fx.get(v + ".loss" + sfx).item()
                        + ", relative error " + eLoss);
                loss.backward();
                double eGrad = relErr(p.grad(), fx.get(v + ".grad" + sfx));
                assertTrue(eGrad < tol, v + sfx + " gradient: relative error " + eGrad);
                System.out.printf("loss golden %s%s: loss %.1e, gradient %.1e%n", v, sfx, eLoss, eGrad);
            }
        }
    }

    /** The two-channel rule of methods 4 and 5 on the five kinds of pixel the original distinguishes. */
    @Test
    void abwAndWce5PixelRules() {
        // pixels: target 0; boundary (W0 1, W1 30); dilated W1 > W0; tie W1 == W0; dilated W1 < W0
        float[] m = {0, 1, 1, 1, 1};
        float[] w0 = {4, 1, 2, 3, 9}, w1 = {7, 30, 8, 3, 5};
        float[] maps = new float[10];
        System.arraycopy(w0, 0, maps, 0, 5);
        System.arraycopy(w1, 0, maps, 5, 5);
        try (Scope s = Scope.open()) {
            Tensor mt = Tensor.of(m, 1, 1, 5), wt = Tensor.of(maps, 1, 2, 1, 5);
            assertArrayEquals(new float[]{4, 0, 0, 3, 9, /* wo */ 0, 30, 8, 3, 0},
                    WeightMapLoss.classWeights(LossKind.ABW, mt, wt).toFloatArray(), "abw [wb, wo]");
            assertArrayEquals(new float[]{1, 0, 0, 1, 1, /* wo */ 0, 30, 8, 3, 0},
                    WeightMapLoss.classWeights(LossKind.WCE5, mt, wt).toFloatArray(), "wce5 [wb, wo]");
            assertArrayEquals(new float[]{4, 0, 0, 0, 0, /* wo */ 0, 30, 8, 3, 5},
                    WeightMapLoss.classWeights(LossKind.WCE2, mt, wt).toFloatArray(), "wce2 [wb, wo]");
        }
    }

    @Test
    void parseNamesAndRefuseMethodsZeroAndSix() {
        for (LossKind k : LossKind.values()) {
            assertEquals(k, LossKind.parse(k.cliName()));
            assertEquals(k, LossKind.parse(" " + k.cliName().toUpperCase() + " "));
            assertTrue(k.outputChannels() == (k.cliName().startsWith("mse") ? 1 : 2), k.cliName());
            assertTrue(!k.description().isBlank() && !k.description().contains("\n"), k.cliName());
        }
        assertEquals("abw, cbw, wce1, wce2, wce3, wce5, mse7, mse8", LossKind.validNames());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wce0", "wce6", "mse0", "MSE6", "0", "6", "method6"})
    void methodsZeroAndSixExplainTheNaN(String name) {
        var e = assertThrows(IllegalArgumentException.class, () -> LossKind.parse(name));
        assertTrue(e.getMessage().contains("0/0 = NaN") && e.getMessage().contains("abw, cbw, wce1"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"wce4", "bce", "", "mse9", "abw2"})
    void unknownNamesListTheValidOnes(String name) {
        var e = assertThrows(IllegalArgumentException.class, () -> LossKind.parse(name));
        assertTrue(e.getMessage().contains("unknown loss") && e.getMessage().contains("mse8"), e.getMessage());
    }

    @Test
    void shapeAndValueErrorsNameTheShapes() {
        try (Scope s = Scope.open()) {
            Variable logits = Variable.param(Tensor.zeros(2, 2, 4, 4));
            Tensor target = Tensor.zeros(2, 4, 4), weights = Tensor.ones(2, 2, 4, 4);
            var e1 = assertThrows(IllegalArgumentException.class,
                    () -> WeightMapLoss.compute(LossKind.MSE7, logits, target, weights));
            assertTrue(e1.getMessage().contains("[2, 2, 4, 4]") && e1.getMessage().contains("[N,1,H,W]"), e1.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class,
                    () -> WeightMapLoss.compute(LossKind.ABW, logits, Tensor.zeros(2, 4, 5), weights));
            assertTrue(e2.getMessage().contains("[2, 4, 5]") && e2.getMessage().contains("[2, 2, 4, 4]"), e2.getMessage());
            var e3 = assertThrows(IllegalArgumentException.class,
                    () -> WeightMapLoss.compute(LossKind.ABW, logits, target, Tensor.ones(2, 4, 4)));
            assertTrue(e3.getMessage().contains("weights shape [2, 4, 4]"), e3.getMessage());
            var e4 = assertThrows(IllegalArgumentException.class, () -> WeightMapLoss.compute(LossKind.WCE2, logits, target, null));
            assertTrue(e4.getMessage().contains("needs the weight maps"), e4.getMessage());
            var e5 = assertThrows(IllegalArgumentException.class,
                    () -> WeightMapLoss.compute(LossKind.ABW, logits, Tensor.full(org.wpunet.core.Device.CPU, DType.F32, 2, 2, 4, 4), weights));
            assertTrue(e5.getMessage().contains("0/1"), e5.getMessage());
            // kinds that do not read the maps accept null
            assertTrue(Double.isFinite(WeightMapLoss.compute(LossKind.WCE1, logits, target, null).value().item()));
            assertTrue(Double.isFinite(WeightMapLoss.compute(LossKind.CBW, logits, target, null).value().item()));
        }
    }
}
