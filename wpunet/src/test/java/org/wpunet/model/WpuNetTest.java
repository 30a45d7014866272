package org.wpunet.model;

import org.junit.jupiter.api.Test;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.init.Init;
import org.wpunet.nn.module.Layer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Architecture, names, shapes, errors and init of WpuNet and UNet (no Python needed). */
class WpuNetTest {
    static final int[] SMALL = {4, 6, 8, 12, 16};

    /** Sections of golden/model/wpunet_keys.txt (written by the PyTorch twin): title -> "key\t[shape]" lines. */
    static Map<String, List<String>> pytorchKeys() throws IOException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try (InputStream in = WpuNetTest.class.getResourceAsStream("/golden/model/wpunet_keys.txt")) {
            List<String> current = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.startsWith("# ")) out.put(line.substring(2), current = new ArrayList<>());
                else if (!line.isBlank()) current.add(line);
            }
        }
        return out;
    }

    static List<String> keysAndShapes(Layer m) {
        List<String> out = new ArrayList<>();
        m.stateDict().forEach((k, t) -> out.add(k + "\t" + Arrays.toString(t.shape())));
        return out;
    }

    /** Full-width nets: parameter counts and every state-dict key and shape equal the PyTorch twin's (and the original's). */
    @Test
    void fullWidthKeysShapesAndParameterCountsEqualPyTorch() throws IOException {
        Map<String, List<String>> py = pytorchKeys();
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults())) {
            assertEquals(31_051_074L, net.parameterCount());   // about 31.05 M, as in the paper's network
            assertEquals(py.get("WpuNet fusion on: 31051074 parameters"), keysAndShapes(net));
            assertEquals(List.of("down1.conv1.0.weight", "down1.conv1.0.bias", "down1.conv1.1.weight", "down1.conv1.1.bias",
                    "down1.conv1.1.running_mean", "down1.conv1.1.running_var", "down1.conv1.1.num_batches_tracked"),
                    List.copyOf(net.stateDict().keySet()).subList(0, 7));
            assertArrayEquals(new int[]{128, 65, 3, 3}, net.stateDict().get("down2.conv1.0.weight").shape());
            assertArrayEquals(new int[]{256, 129, 3, 3}, net.stateDict().get("down3.conv1.0.weight").shape());
            assertArrayEquals(new int[]{512, 257, 3, 3}, net.stateDict().get("down4.conv1.0.weight").shape());
        }
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withMultiLevelFusion(false))) {
            assertEquals(31_043_010L, net.parameterCount());   // still 2 input channels
            assertEquals(py.get("WpuNet fusion off: 31043010 parameters"), keysAndShapes(net));
        }
        try (UNet net = new UNet(UNet.Config.defaults())) {
            assertEquals(31_042_434L, net.parameterCount());
            assertEquals(py.get("UNet: 31042434 parameters"), keysAndShapes(net));
        }
    }

    @Test
    void fullWidthEvalForwardOn64x64() {
        try (WpuNet net = new WpuNet(WpuNet.Config.original(), new Rng(11))) {
            net.eval();
            long live = Tensor.liveCount();
            try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter(); Tensor x = new Rng(5).standardNormal(org.wpunet.core.Device.CPU,
                    org.wpunet.core.DType.F32, 1, 2, 64, 64)) {
                Variable logits = net.forward(Variable.constant(x));
                assertArrayEquals(new int[]{1, 2, 64, 64}, logits.shape());
                for (double v : logits.value().toDoubleArray()) assertTrue(Double.isFinite(v));
            }
            assertEquals(live, Tensor.liveCount(), "the forward's tensors die with its scope");
        }
    }

    @Test
    void smallTrainingStepShapesGradientsAndNoLeak() {
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(SMALL), new Rng(2))) {
            long live = Tensor.liveCount();
            try (Scope s = Scope.open()) {
                Tensor x = new Rng(1).standardNormal(org.wpunet.core.Device.CPU, org.wpunet.core.DType.F32, 2, 2, 32, 48);
                Variable logits = net.forward(Variable.constant(x));
                assertArrayEquals(new int[]{2, 2, 32, 48}, logits.shape());
                logits.square().mean().backward();
                for (var e : net.namedParameters().entrySet()) assertTrue(e.getValue().hasGrad(), e.getKey());
            }
            // the gradients outlive the step's scope (one tensor per parameter) until zeroGrad closes them
            assertEquals(live + net.parameters().size(), Tensor.liveCount());
            net.zeroGrad();
            assertEquals(live, Tensor.liveCount());
        }
        try (UNet unet = new UNet(UNet.Config.defaults().withWidths(SMALL).withClasses(3)); Scope s = Scope.open()) {
            Variable logits = unet.forward(Variable.constant(Tensor.zeros(2, 1, 16, 32)));
            assertArrayEquals(new int[]{2, 3, 16, 32}, logits.shape());
        }
    }

    @Test
    void twoArgumentForwardConcatenatesImageThenMask() {
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(SMALL), new Rng(4));
             Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            net.eval();
            Rng rng = new Rng(9);
            Tensor image = rng.standardNormal(org.wpunet.core.Device.CPU, org.wpunet.core.DType.F32, 1, 1, 16, 16);
            Tensor mask = rng.standardNormal(org.wpunet.core.Device.CPU, org.wpunet.core.DType.F32, 1, 1, 16, 16);
            Variable a = net.forward(Variable.constant(image), Variable.constant(mask));
            Variable b = net.forward(Variable.constant(Tensor.concat(1, image, mask)));
            assertArrayEquals(b.value().toDoubleArray(), a.value().toDoubleArray(), 0);
            // the mask matters: at every fused level, not only through the first conv
            Variable c = net.forward(Variable.constant(Tensor.concat(1, image, image)));
            assertTrue(Arrays.stream(c.value().sub(b.value()).abs().toDoubleArray()).max().orElseThrow() > 1e-6);
            assertThrows(IllegalArgumentException.class, () -> net.forward(Variable.constant(image), Variable.constant(image.reshape(1, 16, 16))));
        }
    }

    @Test
    void badInputShapesAreErrorsNamingTheShape() {
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(SMALL));
             UNet unet = new UNet(UNet.Config.defaults().withWidths(SMALL)); Scope s = Scope.open()) {
            record Case(Layer m, int[] shape, String fragment) {}
            for (Case c : List.of(new Case(net, new int[]{1, 2, 30, 32}, "H=30"), new Case(net, new int[]{1, 2, 32, 40}, "W=40"),
                    new Case(net, new int[]{1, 1, 32, 32}, "wrong channel count 1"), new Case(net, new int[]{2, 32, 32}, "[2, 32, 32]"),
                    new Case(net, new int[]{1, 3, 16, 16}, "wrong channel count 3"),
                    new Case(unet, new int[]{1, 2, 32, 32}, "wrong channel count 2"), new Case(unet, new int[]{1, 1, 8, 8}, "H=8"))) {
                Tensor x = Tensor.zeros(c.shape());
                var e = assertThrows(IllegalArgumentException.class, () -> c.m().forward(Variable.constant(x)));
                assertTrue(e.getMessage().contains(Arrays.toString(c.shape())), e.getMessage());
                assertTrue(e.getMessage().contains(c.fragment()), e.getMessage());
                assertTrue(e.getMessage().contains(c.m().getClass().getSimpleName()), e.getMessage());
            }
        }
    }

    @Test
    void configValidation() {
        assertThrows(IllegalArgumentException.class, () -> WpuNet.Config.defaults().withWidths(1, 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> WpuNet.Config.defaults().withWidths(4, 8, 0, 16, 32));
        assertThrows(IllegalArgumentException.class, () -> WpuNet.Config.defaults().withInChannels(1));
        assertEquals(1, WpuNet.Config.defaults().withMultiLevelFusion(false).withInChannels(1).inChannels());
        assertThrows(IllegalArgumentException.class, () -> UNet.Config.defaults().withClasses(0));
        int[] w = {4, 8, 16, 32, 64};
        WpuNet.Config c = WpuNet.Config.defaults().withWidths(w);
        w[0] = 99;
        assertArrayEquals(new int[]{4, 8, 16, 32, 64}, c.widths(), "the config keeps its own copy");
        assertEquals(c, WpuNet.Config.defaults().withWidths(4, 8, 16, 32, 64));
        assertEquals(c.hashCode(), WpuNet.Config.defaults().withWidths(4, 8, 16, 32, 64).hashCode());
        assertEquals(2, WpuNet.Config.defaults().inChannels());
        assertEquals(ConvInit.XAVIER_UNIFORM, WpuNet.Config.original().init());
    }

    /** Xavier-uniform on Conv2d weights only (as the original's weights_init); transposed convs keep PyTorch's default. */
    @Test
    void xavierInitTouchesConv2dWeightsOnly() {
        try (WpuNet net = new WpuNet(WpuNet.Config.original().withWidths(SMALL), new Rng(21))) {
            int convs = 0;
            boolean beyondDefault = false;
            for (var e : net.stateDict().entrySet()) {
                String k = e.getKey();
                Tensor t = e.getValue();
                double max = Arrays.stream(t.toDoubleArray()).map(Math::abs).max().orElseThrow();
                if (k.endsWith("deconv.weight")) {
                    assertTrue(max <= 1 / Math.sqrt(Init.fanIn(t)), k + " keeps PyTorch's default bound");
                } else if (t.rank() == 4) {
                    double xavier = Math.sqrt(6.0 / (Init.fanIn(t) + Init.fanOut(t)));
                    assertTrue(max <= xavier, k);
                    beyondDefault |= max > 1 / Math.sqrt(Init.fanIn(t));
                    convs++;
                }
            }
            assertEquals(19, convs);   // 9 DoubleConvs x 2 + the 1x1 head
            assertTrue(beyondDefault, "some conv weight exceeds PyTorch's default bound, so Xavier was applied");
        }
    }
}
