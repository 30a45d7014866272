package org.wpunet.nn.module;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.function.Supplier;
import org.wpunet.core.ConvParams;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, item 9: a layer built outside a Scope (as the docs advise) and closed leaves no tensor
 * behind; the initialisers' random draws used to leave two temporaries per weight for good.
 */
class BuildAndCloseLeakTest {
    @Test
    void buildingAndClosingEveryModuleLeavesLiveCountWhereItWas() {
        Rng rng = new Rng(3);
        List<Supplier<Layer>> all = List.of(
                () -> new Conv2d(3, 4, 3, 1, 1, rng),
                () -> new Conv2d(3, 4, 3, ConvParams.of(1, 1), false, rng),
                () -> new ConvTranspose2d(4, 2, 2, 2, rng),
                () -> new Linear(5, 3, rng),
                () -> new Linear(5, 3, false, rng),
                () -> new BatchNorm2d(4),
                () -> new Dropout(0.5, rng),
                () -> new MaxPool2d(2),
                () -> new AdaptiveAvgPool2d(1),
                () -> new Flatten(),
                () -> new ReLU(),
                () -> new Identity(),
                () -> new Sequential(new Conv2d(1, 2, 3, 1, 1, rng), new BatchNorm2d(2), new ReLU()));
        for (Supplier<Layer> s : all) {
            long before = Tensor.liveCount();
            Layer m = s.get();
            String name = m.toString();
            m.close();
            assertEquals(before, Tensor.liveCount(), name + " left tensors alive after close()");
        }
    }

    @Test
    void theRangedDrawsCloseTheirTemporaries() {
        Rng rng = new Rng(4);
        long before = Tensor.liveCount();
        try (Tensor u = rng.uniformIn(org.wpunet.core.Device.CPU, org.wpunet.core.DType.F32, -1, 1, 8);
             Tensor z = rng.normalWith(org.wpunet.core.Device.CPU, org.wpunet.core.DType.F32, 0, 2, 8)) {
            assertEquals(before + 2, Tensor.liveCount());
        }
        assertEquals(before, Tensor.liveCount());
    }
}
