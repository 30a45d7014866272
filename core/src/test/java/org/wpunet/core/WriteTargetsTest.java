package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** In-place writes refuse self-overlapping destinations and partially aliased sources, as PyTorch's copy_/add_ do. */
class WriteTargetsTest {
    static Tensor range(int... shape) {
        int n = Shapes.numel(shape);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i;
        return Tensor.of(v, shape);
    }

    @Test
    void broadcastDestinationsAreRefused() {
        try (Tensor row = range(1, 3); Tensor wide = row.expand(4, 3); Tensor src = range(4, 3)) {
            var e = assertThrows(IllegalArgumentException.class, () -> wide.assign(src));
            assertTrue(e.getMessage().contains("assign") && e.getMessage().contains("single memory location")
                    && e.getMessage().contains("[0, 1]"), e.getMessage());
            var a = assertThrows(IllegalArgumentException.class, () -> wide.addInPlace(src));
            assertTrue(a.getMessage().contains("addInPlace"), a.getMessage());
            assertArrayEquals(new float[]{0, 1, 2}, row.toFloatArray(), "nothing was written");
        }
    }

    @Test
    void partiallyOverlappingSourcesAreRefusedDisjointOrIdenticalOnesAllowed() {
        try (Tensor x = range(4, 4)) {
            try (Tensor t = x.transpose(0, 1)) {
                var e = assertThrows(IllegalArgumentException.class, () -> x.assign(t));
                assertTrue(e.getMessage().contains("source") && e.getMessage().contains("clone()"), e.getMessage());
            }
            try (Tensor first = x.narrow(0, 0, 1)) {
                assertThrows(IllegalArgumentException.class, () -> x.addInPlace(first), "x += x[0] reads rows it writes");
            }
            try (Tensor top = x.narrow(0, 0, 2); Tensor bottom = x.narrow(0, 2, 2)) {
                bottom.assign(top); // disjoint halves of one storage
                assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7}, x.toFloatArray());
            }
            x.addInPlace(x); // element i read and written in place
            assertEquals(14f, x.toFloatArray()[7]);
            try (Tensor even = x.slice(1, 0, 4, 2); Tensor odd = x.slice(1, 1, 4, 2)) {
                even.assign(odd); // interleaved, but no element read where another is written
                assertEquals(x.toFloatArray()[1], x.toFloatArray()[0]);
            }
        }
    }

    @Test
    void overlapDetectionIsExactForUnusualStrides() {
        assertFalse(WriteTargets.overlapsItself(new Layout(new int[]{2, 2}, new int[]{3, 2}, 0)), "offsets 0 2 3 5");
        assertTrue(WriteTargets.overlapsItself(new Layout(new int[]{3, 2}, new int[]{1, 2}, 0)), "offsets 0 2 1 3 2 4");
        assertFalse(WriteTargets.overlapsItself(new Layout(new int[]{5, 1}, new int[]{1, 0}, 4)), "size-1 broadcast is fine");
        assertTrue(WriteTargets.overlapsItself(new Layout(new int[]{2, 3}, new int[]{0, 1}, 0)));
        assertFalse(WriteTargets.overlapsItself(Layout.contiguous(2, 0, 3)));
        assertArrayEquals(new int[]{7, 10, 8, 11}, WriteTargets.offsets(new Layout(new int[]{2, 2}, new int[]{1, 3}, 7)));
    }
}
