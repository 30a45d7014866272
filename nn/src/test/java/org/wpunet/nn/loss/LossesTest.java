package org.wpunet.nn.loss;

import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wpunet.nn.GradCheck.check;
import static org.wpunet.nn.GradCheck.rand;
import static org.wpunet.nn.GradCheck.randn;

class LossesTest {
    static double lse(double... v) {
        double s = 0;
        for (double x : v) s += Math.exp(x);
        return Math.log(s);
    }

    @Test
    void crossEntropyValuesWithWeightsIgnoreAndReductions() {
        try (Scope s = Scope.open()) {
            Variable logits = Variable.constant(Tensor.of(new double[]{1, 2, 3, 0, 0.5, -1, 2, 2, 2}, 3, 3));
            Tensor target = Tensor.of(new int[]{2, 0, -100}, 3);
            Tensor w = Tensor.of(new double[]{2, 1, 0.5}, 3);
            double l0 = lse(1, 2, 3) - 3, l1 = lse(0, 0.5, -1) - 0;
            Variable none = Losses.crossEntropy(logits, target, w, -100, Reduction.NONE);
            assertArrayEquals(new double[]{0.5 * l0, 2 * l1, 0}, none.value().toDoubleArray(), 1e-12);
            assertEquals(0.5 * l0 + 2 * l1, Losses.crossEntropy(logits, target, w, -100, Reduction.SUM).item(), 1e-12);
            assertEquals((0.5 * l0 + 2 * l1) / 2.5, Losses.crossEntropy(logits, target, w, -100, Reduction.MEAN).item(), 1e-12);
            Tensor t2 = Tensor.of(new int[]{2, 0, 1}, 3);
            double l2 = lse(2, 2, 2) - 2;
            assertEquals((l0 + l1 + l2) / 3, Losses.crossEntropy(logits, t2).item(), 1e-12);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Losses.crossEntropy(logits, Tensor.of(new int[]{3, 0, 1}, 3)));
            assertTrue(e.getMessage().contains("outside [0, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, Tensor.of(new int[]{0, 1}, 2)));
            assertTrue(e.getMessage().contains("[2]") && e.getMessage().contains("[3, 3]"), e.getMessage());
        }
    }

    @Test
    void gradients() {
        try (Tensor t = Tensor.of(new int[]{1, 0, -100, 2, 2, 1}, 2, 3); Tensor w = rand(3, 0.5, 2, 3);
             Tensor t4 = Tensor.of(new int[]{0, 1, 2, 1, 1, 0, 2, 2}, 2, 2, 2); Tensor map = rand(5, 0.5, 3, 2, 2, 2);
             Tensor classMaps = rand(6, 0.5, 3, 2, 3, 2, 2); Tensor y = rand(7, 0, 1, 2, 3); Tensor mt = randn(8, 2, 3)) {
            check("cross-entropy weighted, ignore, spatial", v -> Losses.crossEntropy(v[0], t, w, -100, Reduction.MEAN), randn(1, 2, 3, 3));
            check("cross-entropy sum", v -> Losses.crossEntropy(v[0], t, null, -100, Reduction.SUM), randn(2, 2, 3, 3));
            check("nll none", v -> Losses.nll(v[0].logSoftmax(1), t, w, -100, Reduction.NONE), randn(3, 2, 3, 3));
            check("weighted map, per pixel", v -> Losses.weightedMapCrossEntropy(v[0], t4, map, Reduction.MEAN), randn(4, 2, 3, 2, 2));
            check("weighted map, per class", v -> Losses.weightedMapCrossEntropy(v[0], t4, classMaps, Reduction.SUM), randn(4, 2, 3, 2, 2));
            check("bce with logits", v -> Losses.bceWithLogits(v[0], y, null, Reduction.MEAN), randn(9, 2, 3));
            check("mse", v -> Losses.mse(v[0], mt, Reduction.MEAN), randn(10, 2, 3));
        }
    }

    @Test
    void weightedMapEqualsWeightTimesPixelCrossEntropy() {
        try (Scope s = Scope.open()) {
            Variable logits = Variable.constant(randn(11, 1, 3, 2, 2));
            Tensor target = Tensor.of(new int[]{0, 2, 1, 1}, 1, 2, 2);
            Tensor map = Tensor.of(new double[]{1, 2, 3, 4}, 1, 2, 2);
            Variable ce = Losses.crossEntropy(logits, target, null, -100, Reduction.NONE);
            double expected = ce.value().mul(map).sum().item() / map.sum().item(); // weighted mean
            assertEquals(expected, Losses.weightedMapCrossEntropy(logits, target, map, Reduction.MEAN).item(), 1e-12);
            // per-class maps: the target class's map is the one used
            Tensor classMaps = Tensor.zeros(DType.F64, 1, 3, 2, 2);
            for (int c = 0; c < 3; c++) classMaps.narrow(1, c, 1).assign(map.unsqueeze(1).mul(c + 1));
            double[] cev = ce.value().toDoubleArray();
            double want = (cev[0] * 1 * 1 + cev[1] * 2 * 3 + cev[2] * 3 * 2 + cev[3] * 4 * 2);
            assertEquals(want, Losses.weightedMapCrossEntropy(logits, target, classMaps, Reduction.SUM).item(), 1e-12);
        }
    }

    @Test
    void bceMatchesTheDefinitionAndIsStableForLargeLogits() {
        try (Scope s = Scope.open()) {
            Variable x = Variable.param(Tensor.of(new double[]{0, 2, -1, 800, -800}, 5));
            Tensor y = Tensor.of(new double[]{1, 0, 1, 1, 0}, 5);
            Variable l = Losses.bceWithLogits(x, y, null, Reduction.NONE);
            double[] v = l.value().toDoubleArray();
            assertEquals(Math.log(2), v[0], 1e-12);
            assertEquals(2 + Math.log1p(Math.exp(-2)), v[1], 1e-12);
            assertEquals(Math.log1p(Math.exp(1)), v[2], 1e-12);
            assertEquals(0, v[3], 1e-12);
            assertEquals(0, v[4], 1e-12);
            l.sum().backward();
            // d/dx = sigmoid(x) - y, including at x = 0 (PyTorch gives 0.5 - y there)
            assertEquals(-0.5, x.grad().toDoubleArray()[0], 1e-12);
            assertEquals(1 / (1 + Math.exp(-2)), x.grad().toDoubleArray()[1], 1e-12);
        }
    }

    @Test
    void mseValue() {
        try (Scope s = Scope.open()) {
            Variable x = Variable.constant(Tensor.of(new float[]{1, 2, 3}, 3));
            Tensor y = Tensor.of(new float[]{1, 0, 0}, 3);
            assertEquals(13.0 / 3, Losses.mse(x, y, Reduction.MEAN).item(), 1e-6);
            assertEquals(13.0, Losses.mse(x, y, Reduction.SUM).item(), 1e-6);
            assertEquals(DType.F32, Ops.mul(x, 2).dtype());
            assertEquals(Device.CPU, x.device());
        }
    }
}
