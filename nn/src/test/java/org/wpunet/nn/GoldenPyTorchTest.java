package org.wpunet.nn;

import org.junit.jupiter.api.Test;
import org.wpunet.core.ConvParams;
import org.wpunet.core.DType;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.nn.io.StateDicts;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.ConvTranspose2d;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.ReLU;
import org.wpunet.nn.module.Sequential;
import org.wpunet.nn.optim.Adam;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against PyTorch 1.13 (fixtures from src/test/resources/golden/make_nn_golden.py): a
 * conv-BN-ReLU-maxpool-convtranspose net with class-weighted cross-entropy (two ignored pixels):
 * forward output, loss, running stats, every parameter gradient, and the parameters after one RMSprop
 * and one Adam step, all in F32 within 1e-4 relative (max |ours - torch| / max |torch| per tensor).
 */
class GoldenPyTorchTest {
    static final double TOL = 1e-4;

    static Path resource(String name) throws Exception {
        return Path.of(GoldenPyTorchTest.class.getResource("/golden/" + name).toURI());
    }

    static Sequential goldenNet() {
        Rng rng = new Rng(7);
        return new Sequential(new Conv2d(2, 4, 3, ConvParams.of(1, 1), false, rng), new BatchNorm2d(4), new ReLU(),
                new MaxPool2d(2), new ConvTranspose2d(4, 3, 2, 2, rng));
    }

    static Map<String, Tensor> withPrefix(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        all.forEach((k, v) -> { if (k.startsWith(prefix)) out.put(k.substring(prefix.length()), v); });
        return out;
    }

    static double relErr(Tensor ours, Tensor ref) {
        assertArrayEquals(ref.shape(), ours.shape());
        double[] a = ours.toDoubleArray(), b = ref.toDoubleArray();
        double diff = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    static void near(String what, Tensor ours, Tensor ref) {
        double e = relErr(ours, ref);
        System.out.printf("golden %-34s max rel err %.2e%n", what, e);
        assertTrue(e < TOL, what + ": relative error " + e);
    }

    Variable forwardLoss(Sequential net, Map<String, Tensor> fx) {
        Variable out = net.forward(Variable.constant(fx.get("x")));
        near("forward output", out.value(), fx.get("out"));
        try (Tensor t = fx.get("target").to(DType.I32)) {
            Variable loss = Losses.crossEntropy(out, t, fx.get("class_weight"), -100, Reduction.MEAN);
            near("loss", loss.value().reshape(1), fx.get("loss"));
            return loss;
        }
    }

    void oneStep(String name, Function<List<Variable>, Optimizer> make, Map<String, Tensor> fx, Path saveTo) throws Exception {
        try (Sequential net = goldenNet()) {
            net.loadStateDict(withPrefix(fx, "init."), true);
            try (Optimizer opt = make.apply(net.parameters())) {
                try (Scope s = Scope.open()) {
                    Variable loss = forwardLoss(net, fx);
                    loss.backward();
                    if (name.equals("rmsprop")) {
                        for (var e : net.namedParameters().entrySet()) near("grad." + e.getKey(), e.getValue().grad(), fx.get("grad." + e.getKey()));
                        for (var e : net.namedBuffers().entrySet()) {
                            near("buffer " + e.getKey(), e.getValue(), fx.get("after_forward." + e.getKey()));
                        }
                    }
                }
                opt.step();
            }
            for (var e : net.namedParameters().entrySet()) {
                near(name + "." + e.getKey(), e.getValue().value(), fx.get(name + "." + e.getKey()));
            }
            if (saveTo != null) StateDicts.save(net, saveTo);
        }
    }

    @Test
    void matchesPyTorchForwardBackwardAndOneOptimiserStep() throws Exception {
        try (Safetensors.Contents c = Safetensors.readContents(resource("nn_golden.safetensors"))) {
            Map<String, Tensor> fx = c.tensors();
            assertEquals("I64", c.storedDTypes().get("target"));
            assertEquals(List.of("0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                    "4.weight", "4.bias"), List.copyOf(withPrefix(fx, "init.").keySet()));
            try (Sequential net = goldenNet()) {
                assertEquals(List.copyOf(withPrefix(fx, "init.").keySet()), List.copyOf(net.stateDict().keySet()));
            }
            // the Java-written file below is read back by PyTorch with: make_nn_golden.py --check <file>
            Path dir = Files.createDirectories(Path.of("target", "nn-golden"));
            oneStep("rmsprop", ps -> new RMSprop(List.of(new ParamGroup(ps, 1e-3, 1e-4)), 0.99, 1e-8, 0.9, false), fx,
                    dir.resolve("java_state_dict.safetensors"));
            oneStep("adam", ps -> new Adam(List.of(new ParamGroup(ps, 1e-3, 1e-4)), 0.9, 0.999, 1e-8, false), fx, null);
        }
    }
}
