package org.wpunet.core.cpu;

import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Storage;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Heap storage: a float[], double[], int[], byte[] (U8, unsigned) or short[] (BF16/F16 bits).
 * The array is reclaimed by the garbage collector once no tensor refers to the storage, so
 * {@link #free()} has nothing to do: clearing the array there would turn a race with the tensor
 * Cleaner (a never-closed temporary collected while one of its own methods still runs) into a
 * spurious failure. When the last tensor was closed explicitly, {@link #dropData} drops the array
 * at once: closed tensors are often still referenced (a scope's list, an autograd graph until its
 * backward ends), and their arrays would otherwise stay on the heap until then. Use-after-close is
 * caught at the tensor level.
 * <p>
 * F32 arrays this class allocated itself go back to {@link CpuBufferPool} when dropped, and new F32
 * storages take from it: {@link #allocate} clears a reused array, {@link #allocateUninitialized}
 * (only for kernels audited to write every element) does not. Arrays from outside (none today:
 * {@code fromHost} copies) would never be pooled.
 */
public final class CpuStorage extends Storage {
    private static final AtomicLong IN_USE = new AtomicLong(), PEAK = new AtomicLong();
    /** The array; null once the last tensor was closed explicitly ({@link #dropData}). */
    private Object data;
    /** Whether the array may go to {@link CpuBufferPool} once dropped (allocated here, F32). */
    private final boolean poolable;

    CpuStorage(DType dtype, Object data, int numel) { this(dtype, data, numel, false); }

    private CpuStorage(DType dtype, Object data, int numel, boolean poolable) {
        super(dtype, numel);
        this.data = data;
        this.poolable = poolable;
        long now = IN_USE.addAndGet(bytes());
        PEAK.accumulateAndGet(now, Math::max);
    }

    private long bytes() { return (long) numel() * dtype().byteSize(); }

    /** Bytes of CPU storages not yet released (what their tensors hold, not what the GC has reclaimed). */
    static long inUseBytes() { return IN_USE.get(); }

    static long peakBytes() { return PEAK.get(); }

    static void resetPeak() { PEAK.set(IN_USE.get()); }

    /** A zeroed storage of n elements. */
    static CpuStorage allocate(DType dt, int n) {
        if (dt == DType.F32) return new CpuStorage(dt, CpuBufferPool.zeroed(n), n, true);
        Object a = switch (dt) {
            case F32 -> throw new AssertionError("handled above");
            case F64 -> new double[n];
            case I32 -> new int[n];
            case U8 -> new byte[n];
            case BF16, F16 -> new short[n];
        };
        return new CpuStorage(dt, a, n);
    }

    /**
     * A storage of n elements with unspecified contents (a reused array is not cleared; NaN in the
     * pool's test mode). Only for callers that write every element before anything reads it; each
     * call site says why it does.
     */
    static CpuStorage allocateUninitialized(DType dt, int n) {
        if (dt != DType.F32) return allocate(dt, n);
        return new CpuStorage(dt, CpuBufferPool.uninitialized(n), n, true);
    }

    @Override
    public Device device() { return Device.CPU; }

    @Override
    protected void free() {
        // the heap array is left to the GC (see the class comment); only the accounting changes
        IN_USE.addAndGet(-bytes());
    }

    @Override
    protected void dropData() {
        // no tensor can reach the array any more (the last one was closed), so it can be reused
        if (poolable && data instanceof float[] a) CpuBufferPool.give(a);
        data = null;
    }

    /** The backing array (float[], double[], int[], byte[] or short[]). */
    public Object data() { return data; }

    public float[] f32() { return (float[]) data(); }

    public double[] f64() { return (double[]) data(); }

    public int[] i32() { return (int[]) data(); }

    public byte[] u8() { return (byte[]) data(); }

    /** Element i as a double (any dtype). */
    double get(int i) {
        return switch (dtype()) {
            case F32 -> ((float[]) data)[i];
            case F64 -> ((double[]) data)[i];
            case I32 -> ((int[]) data)[i];
            case U8 -> ((byte[]) data)[i] & 0xFF;
            case BF16 -> DType.bf16ToFloat(((short[]) data)[i]);
            case F16 -> Float.float16ToFloat(((short[]) data)[i]);
        };
    }

    /** Stores a double into element i, converting (integers truncate toward zero like a C cast). */
    void set(int i, double v) {
        switch (dtype()) {
            case F32 -> ((float[]) data)[i] = (float) v;
            case F64 -> ((double[]) data)[i] = v;
            case I32 -> ((int[]) data)[i] = (int) v;
            case U8 -> ((byte[]) data)[i] = (byte) (int) v;
            case BF16 -> ((short[]) data)[i] = DType.floatToBf16((float) v);
            case F16 -> ((short[]) data)[i] = Float.floatToFloat16((float) v);
        }
    }
}
