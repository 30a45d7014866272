package org.wpunet.model;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.wpunet.core.cpu.CpuBufferPool;

/**
 * {@link InferencePathTest} with every uninitialized CPU allocation filled with NaN
 * ({@link CpuBufferPool#setPoison}): the convolutions, pooling, batch norm and the decoder's
 * concatenation buffer (allocated uninitialized, then filled by the skip copy and the transposed
 * convolution) must write every element, or NaN reaches the logits and the comparison fails.
 */
class PoisonedPoolInferencePathTest extends InferencePathTest {
    private static boolean poison;

    @BeforeAll
    static void poison() { poison = CpuBufferPool.setPoison(true); }

    @AfterAll
    static void restore() { CpuBufferPool.setPoison(poison); }
}
