package org.wpunet.tracking.cnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;

class TrackerNetworksTest {
    /** torchvision vgg13_bn's state-dict keys and the original's parameter count (ORIGINAL.md section 8). */
    @Test
    void vgg13BnHasTorchvisionsKeysAndTheOriginalsSize() {
        try (Vgg13BnTracker m = new Vgg13BnTracker(new Rng(1), false)) {
            assertEquals(128_964_354L, m.parameterCount());
            List<String> keys = new ArrayList<>(m.stateDict().keySet());
            assertEquals("features.0.weight", keys.get(0));
            assertTrue(keys.contains("features.1.running_var"));
            assertTrue(keys.contains("features.1.num_batches_tracked"));
            // conv layers at 0,3 | pool 6 | 7,10 | pool 13 | 14,17 | 20 | 21,24 | 27 | 28,31 | pool 34
            for (int i : new int[]{0, 3, 7, 10, 14, 17, 21, 24, 28, 31}) assertTrue(keys.contains("features." + i + ".weight"), "conv " + i);
            assertArrayEquals(new int[]{64, 2, 3, 3}, m.stateDict().get("features.0.weight").shape());
            assertArrayEquals(new int[]{4096, 25088}, m.stateDict().get("classifier.0.weight").shape());
            assertArrayEquals(new int[]{2, 4096}, m.stateDict().get("classifier.6.weight").shape());
            assertEquals(10 * 7 + 6, keys.size());   // 10 conv+BN blocks of 7 entries, 3 linears of 2
            var e = assertThrows(IllegalArgumentException.class, () -> m.forward(Variable.constant(Tensor.zeros(1, 2, 64, 64))));
            assertTrue(e.getMessage().contains("224"));
        }
    }

    @Test
    void smallTrackerTakesAnyCropSize() {
        try (SmallTracker m = new SmallTracker(new Rng(1)); Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            m.eval();
            for (int size : new int[]{16, 64, 100}) {
                assertArrayEquals(new int[]{3, 2}, m.forward(Variable.constant(Tensor.zeros(3, 2, size, size))).value().shape());
            }
            assertEquals(60_850L, m.parameterCount());
        }
    }

    @Test
    void trackerNetValidates() {
        assertEquals(224, TrackerNet.withDefaultSize("vgg13bn").size());
        assertEquals(64, TrackerNet.withDefaultSize("small").size());
        assertThrows(IllegalArgumentException.class, () -> new TrackerNet("vgg13bn", 64));
        assertThrows(IllegalArgumentException.class, () -> new TrackerNet("resnet", 64));
        TrackerNet n = new TrackerNet("small", 48);
        assertEquals(n, TrackerNet.fromJson(n.toJson(), "x"));
    }
}
