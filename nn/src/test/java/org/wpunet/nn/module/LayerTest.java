package org.wpunet.nn.module;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.DType;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.nn.io.StateDicts;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayerTest {
    @TempDir
    Path dir;

    /** A block with a named child, like a U-Net stage. */
    static final class Block extends Layer {
        Block(Rng rng) {
            registerModule("conv", new Conv2d(1, 2, 3, 1, 1, rng));
            registerModule("bn", new BatchNorm2d(2));
            registerModule("head", new Sequential(new Flatten(), new Linear(8, 2, rng)));
        }

        @Override
        public Variable forward(Variable x) {
            Layer head = namedChildren().get("head");
            return head.forward(namedChildren().get("bn").forward(namedChildren().get("conv").forward(x)).relu());
        }
    }

    @Test
    void namesFollowPyTorchStateDictOrder() {
        try (Block b = new Block(new Rng(1))) {
            assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias"),
                    List.copyOf(b.namedParameters().keySet()));
            assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var",
                    "bn.num_batches_tracked", "head.1.weight", "head.1.bias"), List.copyOf(b.stateDict().keySet()));
            assertEquals(List.of("bn.num_batches_tracked"), List.copyOf(b.int64Keys()));
            assertEquals(2 * 9 + 2 + 2 + 2 + 16 + 2, b.parameterCount());
        }
    }

    @Test
    void trainEvalAndBatchNormStatistics() {
        try (BatchNorm2d bn = new BatchNorm2d(1); Scope s = Scope.open()) {
            Variable x = Variable.constant(Tensor.of(new float[]{1, 2, 3, 4}, 2, 1, 1, 2));
            bn.forward(x);
            assertEquals(1, bn.buffer("num_batches_tracked").item());
            assertEquals(0.25, bn.buffer("running_mean").item(), 1e-6);              // 0.9*0 + 0.1*2.5
            assertEquals(0.9 + 0.1 * (5.0 / 3), bn.buffer("running_var").item(), 1e-6); // unbiased var 5/3
            bn.eval();
            assertFalse(bn.isTraining());
            float[] y = bn.forward(x).value().toFloatArray();
            double sd = Math.sqrt(0.9 + 0.1 * (5.0 / 3) + 1e-5);
            assertEquals((1 - 0.25) / sd, y[0], 1e-5);
            assertEquals(1, bn.buffer("num_batches_tracked").item());
        }
    }

    @Test
    void strictAndLenientLoadingReportKeysByName() throws Exception {
        try (Block a = new Block(new Rng(1)); Block b = new Block(new Rng(2))) {
            Path f = dir.resolve("block.safetensors");
            StateDicts.save(a, f);
            assertTrue(StateDicts.load(b, f, true).isClean());
            for (String k : a.stateDict().keySet()) {
                assertArrayEquals(a.stateDict().get(k).toDoubleArray(), b.stateDict().get(k).toDoubleArray(), 0, k);
            }
            Map<String, Tensor> sd = new LinkedHashMap<>(a.stateDict());
            sd.remove("bn.running_var");
            try (Tensor extra = Tensor.zeros(3); Tensor wrong = Tensor.zeros(2, 9)) {
                sd.put("bn.extra", extra);
                sd.put("head.1.bias", wrong);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(sd, true));
                assertTrue(e.getMessage().contains("bn.running_var") && e.getMessage().contains("bn.extra")
                        && e.getMessage().contains("head.1.bias (checkpoint [2, 9], model [2])"), e.getMessage());
            }
            IllegalArgumentException noParam = assertThrows(IllegalArgumentException.class, () -> b.parameter("head"));
            assertTrue(noParam.getMessage().contains("no parameter 'head'"), noParam.getMessage());
            try (Block c = new Block(new Rng(3)); Tensor extra = Tensor.zeros(3)) {
                Map<String, Tensor> sd2 = new LinkedHashMap<>(a.stateDict());
                sd2.remove("bn.running_var");
                sd2.put("bn.extra", extra);
                Layer.LoadReport r = c.loadStateDict(sd2, false);
                assertEquals(List.of("bn.running_var"), r.missing());
                assertEquals(List.of("bn.extra"), r.unexpected());
                assertArrayEquals(a.stateDict().get("conv.weight").toDoubleArray(), c.stateDict().get("conv.weight").toDoubleArray(), 0);
                assertNotEquals(0, c.stateDict().get("bn.running_var").sum().item());
            }
        }
    }

    @Test
    void strictLoadFailureCopiesNothingAndNamesTheFile() throws Exception {
        try (Block a = new Block(new Rng(1)); Linear other = new Linear(2, 2, new Rng(5))) {
            Path f = dir.resolve("linear.safetensors");
            StateDicts.save(other, f);
            double before = a.stateDict().get("conv.weight").sum().item();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StateDicts.load(a, f, true));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("conv.weight"), e.getMessage());
            assertEquals(before, a.stateDict().get("conv.weight").sum().item());
            try (var c = Safetensors.readContents(f)) { assertEquals(2, c.tensors().size()); }
        }
    }

    @Test
    void zeroGradToDtypeAndSequential() {
        Rng rng = new Rng(1);
        try (Sequential s = new Sequential(new Linear(3, 2, rng), new Identity(), new Dropout(0.5, rng)); Scope sc = Scope.open()) {
            s.to(org.wpunet.core.Device.CPU, DType.F64);
            assertEquals(DType.F64, s.parameters().get(0).dtype());
            s.eval();
            Variable y = s.forward(Variable.constant(Tensor.ones(org.wpunet.core.Device.CPU, DType.F64, 4, 3)));
            y.sum().backward();
            assertTrue(s.parameters().get(0).hasGrad());
            s.zeroGrad();
            assertFalse(s.parameters().get(0).hasGrad());
            assertEquals(3, s.size());
            assertThrows(IndexOutOfBoundsException.class, () -> s.get(3));
        }
    }
}
