package org.wpunet.cuda;

import java.nio.ByteBuffer;
import org.wpunet.core.DType;

/** Java arrays of each dtype (float[], double[], int[], byte[] for U8, short[] for BF16/F16) to and from byte buffers. */
final class HostArrays {
    private HostArrays() {}

    static int length(Object array, DType dt) {
        return switch (array) {
            case float[] a when dt == DType.F32 -> a.length;
            case double[] a when dt == DType.F64 -> a.length;
            case int[] a when dt == DType.I32 -> a.length;
            case byte[] a when dt == DType.U8 -> a.length;
            case short[] a when dt == DType.BF16 || dt == DType.F16 -> a.length;
            default -> throw new IllegalArgumentException("cannot make a " + dt + " storage from a " + array.getClass().getSimpleName());
        };
    }

    static Object allocate(DType dt, int n) {
        return switch (dt) {
            case F32 -> new float[n];
            case F64 -> new double[n];
            case I32 -> new int[n];
            case U8 -> new byte[n];
            case BF16, F16 -> new short[n];
        };
    }

    /** Writes elements [from, from + count) of the array at the buffer's position 0 (native order). */
    static void put(Object array, DType dt, ByteBuffer buf, int from, int count) {
        switch (array) {
            case float[] a -> buf.asFloatBuffer().put(a, from, count);
            case double[] a -> buf.asDoubleBuffer().put(a, from, count);
            case int[] a -> buf.asIntBuffer().put(a, from, count);
            case byte[] a -> buf.duplicate().put(a, from, count);
            case short[] a -> buf.asShortBuffer().put(a, from, count);
            default -> throw new IllegalArgumentException("unsupported array " + array.getClass());
        }
    }

    /** Reads count elements from the buffer's start into array[from...]. */
    static void get(Object array, DType dt, ByteBuffer buf, int from, int count) {
        switch (array) {
            case float[] a -> buf.asFloatBuffer().get(a, from, count);
            case double[] a -> buf.asDoubleBuffer().get(a, from, count);
            case int[] a -> buf.asIntBuffer().get(a, from, count);
            case byte[] a -> buf.duplicate().get(a, from, count);
            case short[] a -> buf.asShortBuffer().get(a, from, count);
            default -> throw new IllegalArgumentException("unsupported array " + array.getClass());
        }
    }
}
