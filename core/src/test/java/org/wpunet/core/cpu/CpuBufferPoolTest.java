package org.wpunet.core.cpu;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wpunet.core.DType;
import org.wpunet.core.Tensor;

import static org.junit.jupiter.api.Assertions.*;

/** The reuse of dropped F32 arrays: zeroed when asked, never handed out twice, bounded, off at 0. */
class CpuBufferPoolTest {
    private static final int N = CpuBufferPool.MIN_LENGTH * 2;
    private long savedBound;

    @BeforeEach
    void setUp() {
        savedBound = CpuBufferPool.boundBytes();
        CpuBufferPool.setBoundBytes(64L << 20);
    }

    @AfterEach
    void tearDown() {
        CpuBufferPool.setPoison(Boolean.getBoolean("wpunet.cpu.pool.poison"));
        CpuBufferPool.setBoundBytes(savedBound);
    }

    private static Tensor filled(int n, float v) {
        Tensor t = Tensor.full(org.wpunet.core.Device.CPU, DType.F32, v, n);
        assertEquals(DType.F32, t.dtype());
        return t;
    }

    private static float[] array(Tensor t) { return ((CpuStorage) t.storage()).f32(); }

    @Test
    void aClosedTensorsArrayIsReusedZeroedByTheNextAllocationOfItsLength() {
        Tensor a = filled(N, 7f);
        float[] arr = array(a);
        a.close();
        assertEquals((long) N * Float.BYTES, CpuBufferPool.heldBytes());
        try (Tensor z = Tensor.zeros(N)) {
            assertSame(arr, array(z), "the pooled array is reused");
            for (float v : z.toFloatArray()) assertEquals(0f, v);
        }
    }

    @Test
    void anUninitializedAllocationSeesPoisonInTestModeAndTheArrayIsNeverHandedOutTwice() {
        CpuBufferPool.setPoison(true);
        Tensor a = filled(N, 7f);
        float[] arr = array(a);
        a.close();
        CpuStorage u = CpuStorage.allocateUninitialized(DType.F32, N);
        assertSame(arr, u.f32());
        assertTrue(Float.isNaN(u.f32()[0]) && Float.isNaN(u.f32()[N - 1]), "poisoned for the audit");
        CpuStorage other = CpuStorage.allocateUninitialized(DType.F32, N);
        assertNotSame(arr, other.f32(), "one array, one owner");
        assertEquals(0, CpuBufferPool.heldBytes());
    }

    @Test
    void aViewKeepsTheArrayOutOfThePoolAndAClosedTensorStillFails() {
        Tensor a = filled(N, 3f);
        Tensor v = a.narrow(0, 0, 4);
        a.close();
        assertEquals(0, CpuBufferPool.heldBytes(), "the view still reads the array");
        assertEquals(3f, v.toFloatArray()[0]);
        v.close();
        assertEquals((long) N * Float.BYTES, CpuBufferPool.heldBytes());
        var e = assertThrows(IllegalStateException.class, v::toFloatArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void theBoundIsKeptByDroppingTheLeastRecentlyUsedLengths() {
        long bytes = (long) N * Float.BYTES;
        CpuBufferPool.setBoundBytes(3 * bytes);
        Tensor[] ts = {filled(N, 1), filled(N, 1), filled(N + 1, 1), filled(N + 2, 1), filled(N + 3, 1)};
        float[] newest = array(ts[4]);
        for (Tensor t : ts) t.close();
        assertTrue(CpuBufferPool.heldBytes() <= 3 * bytes, "held " + CpuBufferPool.heldBytes());
        try (Tensor z = Tensor.zeros(N + 3); Tensor old = Tensor.zeros(N)) {
            assertSame(newest, array(z), "the most recent length stays");
            assertEquals(0f, old.toFloatArray()[0]);
        }
        CpuBufferPool.clear();
        assertEquals(0, CpuBufferPool.heldBytes());
    }

    @Test
    void smallArraysOtherDtypesAndAZeroBoundAreNotPooled() {
        Tensor small = filled(CpuBufferPool.MIN_LENGTH - 1, 1);
        Tensor f64 = Tensor.zeros(DType.F64, N);
        small.close();
        f64.close();
        assertEquals(0, CpuBufferPool.heldBytes());
        CpuBufferPool.setBoundBytes(0);
        filled(N, 1).close();
        assertEquals(0, CpuBufferPool.heldBytes());
    }

    @Test
    void memoryStatsCountThePoolAsReservedNotInUse() {
        var before = CpuBackend.INSTANCE.memoryStats();
        filled(N, 1).close();
        var after = CpuBackend.INSTANCE.memoryStats();
        assertEquals(before.inUse(), after.inUse());
        assertEquals(after.inUse() + (long) N * Float.BYTES, after.reserved());
    }
}
