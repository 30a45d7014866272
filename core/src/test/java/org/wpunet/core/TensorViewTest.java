package org.wpunet.core;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TensorViewTest {
    private final SplittableRandom rnd = new SplittableRandom(7);

    @Test
    void creationAndRoundTrip() {
        try (Tensor z = Tensor.zeros(2, 3); Tensor o = Tensor.ones(4); Tensor f = Tensor.full(Device.CPU, DType.I32, 7, 2, 2);
             Tensor a = Tensor.arange(5); Tensor s = Tensor.scalar(3.5)) {
            assertArrayEquals(new float[6], z.toFloatArray());
            assertArrayEquals(new float[]{1, 1, 1, 1}, o.toFloatArray());
            assertArrayEquals(new int[]{7, 7, 7, 7}, f.toIntArray());
            assertArrayEquals(new int[]{0, 1, 2, 3, 4}, a.toIntArray());
            assertEquals(3.5, s.item());
            assertEquals(0, s.rank());
        }
        try (Tensor b = Tensor.ofBytes(new byte[]{(byte) 200, 1}, 2); Tensor bf = b.to(DType.F32)) {
            assertArrayEquals(new float[]{200, 1}, bf.toFloatArray());
        }
    }

    @Test
    void dtypeConversions() {
        try (Tensor t = Tensor.of(new float[]{1.5f, -2.25f, 3f}, 3); Tensor d = t.to(DType.F64); Tensor i = t.to(DType.I32);
             Tensor h = t.to(DType.BF16); Tensor back = h.to(DType.F32); Tensor f16 = t.to(DType.F16); Tensor b2 = f16.to(DType.F32)) {
            assertArrayEquals(new double[]{1.5, -2.25, 3}, d.toDoubleArray());
            assertArrayEquals(new int[]{1, -2, 3}, i.toIntArray());
            assertArrayEquals(new float[]{1.5f, -2.25f, 3f}, back.toFloatArray());
            assertArrayEquals(new float[]{1.5f, -2.25f, 3f}, b2.toFloatArray());
        }
        assertEquals(1.0f, DType.bf16ToFloat(DType.floatToBf16(1.00390625f)), 0.0); // ties to even
    }

    @Test
    void permuteTransposeNarrowSliceAreViewsWithRightValues() {
        double[] v = Ref.random(rnd, 2 * 3 * 4);
        try (Tensor t = Ref.f32(v, 2, 3, 4); Tensor p = t.permute(2, 0, 1); Tensor pc = p.contiguous()) {
            float[] got = pc.toFloatArray();
            for (int i = 0; i < 4; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 3; k++) {
                assertEquals((float) v[j * 12 + k * 4 + i], got[i * 6 + j * 3 + k]);
            }
            assertFalse(p.isContiguous());
            try (Tensor n = t.narrow(2, 1, 2)) {
                float[] g = n.toFloatArray();
                assertEquals(2 * 3 * 2, g.length);
                assertEquals((float) v[1 * 12 + 2 * 4 + 2], g[(1 * 3 + 2) * 2 + 1]);
            }
            try (Tensor s = t.slice(2, 0, 4, 3)) { // elements 0 and 3 of the last dim
                assertArrayEquals(new int[]{2, 3, 2}, s.shape());
                assertEquals((float) v[5 * 4 + 3], s.toFloatArray()[11]);
            }
        }
    }

    @Test
    void reshapeViewsAndCopies() {
        double[] v = Ref.random(rnd, 24);
        try (Tensor t = Ref.f32(v, 2, 3, 4); Tensor r = t.reshape(6, -1); Tensor tr = t.transpose(0, 1);
             Tensor r2 = tr.reshape(3, 8); Tensor f = t.flatten(1, 2)) {
            assertArrayEquals(new int[]{6, 4}, r.shape());
            assertSame(t.storage(), r.storage());
            assertArrayEquals(t.toFloatArray(), r.toFloatArray());
            try (Tensor want = tr.contiguous()) {
                assertArrayEquals(want.toFloatArray(), r2.toFloatArray());
            }
            assertArrayEquals(new int[]{2, 12}, f.shape());
        }
        // a view reshape of a non-contiguous layout: split a transposed dim
        try (Tensor t = Ref.f32(Ref.random(rnd, 12), 3, 4); Tensor tt = t.transpose(0, 1); Tensor r = tt.reshape(2, 2, 3);
             Tensor c = tt.contiguous(); Tensor rc = c.reshape(2, 2, 3)) {
            assertSame(t.storage(), r.storage());
            assertArrayEquals(rc.toFloatArray(), r.toFloatArray());
        }
    }

    @Test
    void expandSqueezeUnsqueeze() {
        try (Tensor t = Tensor.of(new float[]{1, 2, 3}, 3, 1); Tensor e = t.expand(2, 3, 4); Tensor u = t.unsqueeze(0);
             Tensor s = u.squeeze(); Tensor s0 = u.squeeze(0)) {
            assertArrayEquals(new int[]{2, 3, 4}, e.shape());
            float[] g = e.toFloatArray();
            assertEquals(3f, g[12 + 2 * 4 + 3]);
            assertArrayEquals(new int[]{1, 3, 1}, u.shape());
            assertArrayEquals(new int[]{3}, s.shape());
            assertArrayEquals(new int[]{3, 1}, s0.shape());
        }
    }

    @Test
    void concatStackSplitChunk() {
        try (Tensor a = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2); Tensor b = Tensor.of(new float[]{5, 6}, 2, 1);
             Tensor c = Tensor.concat(1, a, b); Tensor s = Tensor.stack(0, a, a)) {
            assertArrayEquals(new float[]{1, 2, 5, 3, 4, 6}, c.toFloatArray());
            assertArrayEquals(new int[]{2, 2, 2}, s.shape());
            Tensor[] parts = c.split(2, 1);
            assertEquals(2, parts.length);
            assertArrayEquals(new float[]{1, 2, 3, 4}, parts[0].toFloatArray());
            assertArrayEquals(new float[]{5, 6}, parts[1].toFloatArray());
            for (Tensor p : parts) p.close();
            Tensor[] ch = Tensor.arange(5).chunk(3, 0);
            assertEquals(3, ch.length);
            assertArrayEquals(new int[]{4}, ch[2].toIntArray());
            for (Tensor p : ch) p.close();
        }
    }

    @Test
    void indexSelectGatherScatter() {
        try (Tensor t = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3); Tensor idx = Tensor.of(new int[]{2, 0}, 2);
             Tensor sel = t.indexSelect(1, idx); Tensor gi = Tensor.of(new int[]{1, 0, 2, 2}, 2, 2);
             Tensor g = t.gather(1, gi); Tensor sc = Tensor.scatterAdd(new int[]{2, 3}, 1, gi, g)) {
            assertArrayEquals(new float[]{3, 1, 6, 4}, sel.toFloatArray());
            assertArrayEquals(new float[]{2, 1, 6, 6}, g.toFloatArray());
            assertArrayEquals(new float[]{1, 2, 0, 0, 0, 12}, sc.toFloatArray());
        }
        try (Tensor t = Tensor.zeros(2, 3); Tensor bad = Tensor.of(new int[]{3}, 1)) {
            var e = assertThrows(IndexOutOfBoundsException.class, () -> t.indexSelect(1, bad).close());
            assertTrue(e.getMessage().contains("3"), e.getMessage());
        }
    }

    @Test
    void inPlaceAssignAndAdd() {
        try (Tensor t = Tensor.zeros(2, 3); Tensor row = Tensor.of(new float[]{1, 2, 3}, 3)) {
            t.assign(row);
            assertArrayEquals(new float[]{1, 2, 3, 1, 2, 3}, t.toFloatArray());
            t.addInPlace(row);
            assertArrayEquals(new float[]{2, 4, 6, 2, 4, 6}, t.toFloatArray());
            try (Tensor col = t.narrow(1, 1, 1)) {
                col.fill(9);
            }
            assertArrayEquals(new float[]{2, 9, 6, 2, 9, 6}, t.toFloatArray());
        }
    }

    @Test
    void badInputsNameTheProblem() {
        try (Tensor t = Tensor.zeros(2, 3); Tensor u = Tensor.zeros(4, 5)) {
            var e1 = assertThrows(IllegalArgumentException.class, () -> t.add(u));
            assertTrue(e1.getMessage().contains("[2, 3]") && e1.getMessage().contains("[4, 5]"), e1.getMessage());
            var e2 = assertThrows(IllegalArgumentException.class, () -> t.sum(false, 2));
            assertTrue(e2.getMessage().contains("dim 2"), e2.getMessage());
            var e3 = assertThrows(IllegalArgumentException.class, () -> t.reshape(4, 2));
            assertTrue(e3.getMessage().contains("[4, 2]"), e3.getMessage());
            var e4 = assertThrows(IllegalArgumentException.class, () -> t.matmul(u));
            assertTrue(e4.getMessage().contains("3 != 4"), e4.getMessage());
            var e5 = assertThrows(IllegalArgumentException.class, () -> t.narrow(1, 2, 2));
            assertTrue(e5.getMessage().contains("size 3"), e5.getMessage());
        }
        var e6 = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, -1));
        assertTrue(e6.getMessage().contains("negative"), e6.getMessage());
        var e7 = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e7.getMessage().contains("5 elements"), e7.getMessage());
        var e8 = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertTrue(e8.getMessage().contains("tpu"));
        var e9 = assertThrows(IllegalStateException.class, () -> Backends.get(Device.cuda(0)));
        assertTrue(e9.getMessage().contains("cuda:0"), e9.getMessage());
    }

    @Test
    void closedTensorsAndScopes() {
        long before = Tensor.liveCount();
        Tensor kept;
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.ones(3);
            Tensor b = a.mul(2);
            try (Scope inner = Scope.open()) {
                Tensor c = b.add(1);
                kept = s.keep(inner.keep(c)); // moves to s, then out of s
                Tensor.zeros(5); // closed by inner
            }
            assertEquals(2, s.size());
            assertFalse(a.isClosed());
        }
        assertFalse(kept.isClosed());
        assertArrayEquals(new float[]{3, 3, 3}, kept.toFloatArray());
        kept.close();
        kept.close(); // double close is harmless
        var e = assertThrows(IllegalStateException.class, kept::toFloatArray);
        assertTrue(e.getMessage().contains("closed"));
        assertEquals(before, Tensor.liveCount());
    }

    @Test
    void alongsideOwnsNewTensorsAsTheOwnerIs() {
        long before = Tensor.liveCount();
        Tensor free = Tensor.ones(2), lazy;
        try (Scope step = Scope.open()) {
            Tensor scoped = Tensor.ones(2);
            try (Scope inner = Scope.open()) {
                lazy = Scope.alongside(free, () -> Tensor.zeros(3));       // no scope: survives both
                Tensor withScoped = Scope.alongside(scoped, () -> Tensor.zeros(3)); // step's, not inner's
                Tensor.zeros(1);                                               // inner's again afterwards
                assertEquals(1, inner.size());
                assertEquals(2, step.size(), "scoped and withScoped");
                assertFalse(withScoped.isClosed());
            }
        }
        assertFalse(lazy.isClosed());
        lazy.close();
        free.close();
        assertEquals(before, Tensor.liveCount());
    }

    @Test
    void closingTheLastTensorOfAHeapStorageDropsItsArray() {
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4}, 4);
        Tensor v = t.narrow(0, 1, 2);
        var s = (org.wpunet.core.cpu.CpuStorage) t.storage();
        t.close();
        assertNotNull(s.data(), "the view still uses the array");
        assertArrayEquals(new float[]{2, 3}, v.toFloatArray());
        v.close();
        assertNull(s.data(), "closed by the last tensor: the array is left to the GC although the tensor objects live on");
        var e = assertThrows(IllegalStateException.class, v::toFloatArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void viewsKeepStorageAlive() {
        Tensor t = Tensor.of(new float[]{1, 2, 3, 4}, 4);
        Tensor v = t.narrow(0, 1, 2);
        t.close();
        assertArrayEquals(new float[]{2, 3}, v.toFloatArray());
        v.close();
    }

    @Test
    void cleanerReleasesStorageOfUnclosedTensorsOnly() throws InterruptedException {
        long before = Tensor.collectedUnclosedCount();
        Tensor closedOne = Tensor.zeros(8);
        closedOne.close();
        for (int i = 0; i < 4; i++) Tensor.zeros(1000); // dropped without close: a leak the safety net catches
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Tensor.collectedUnclosedCount() - before < 4 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(Tensor.collectedUnclosedCount() - before >= 4, "unclosed tensors were not released by the Cleaner");
        assertTrue(closedOne.isClosed());
    }
}
