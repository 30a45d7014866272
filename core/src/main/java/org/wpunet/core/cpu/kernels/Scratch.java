package org.wpunet.core.cpu.kernels;

/**
 * Per-thread scratch arrays that grow on demand, so the packing buffers of GEMM and the column
 * buffers of convolution are not reallocated on every call. Each user takes its own slot, so a
 * convolution holding its column buffer can call GEMM, which packs into other slots.
 */
final class Scratch {
    static final int GEMM_A = 0, GEMM_B = 1, CONV_COL = 2, CONV_TMP = 3, CONV_WPACK = 4, CONV_WFLIP = 5,
            WINO_TILE = 6, CONV_STRIP = 7;
    private static final int SLOTS = 8;

    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[SLOTS][]);
    private static final ThreadLocal<double[][]> DOUBLES = ThreadLocal.withInitial(() -> new double[SLOTS][]);

    private Scratch() {}

    /** Larger requests are allocated afresh and not kept, so idle threads do not pin big buffers. */
    private static final int KEEP_LIMIT = 1 << 22;

    /** A float array of at least {@code size} elements; contents are undefined. */
    static float[] floats(int slot, int size) {
        if (size > KEEP_LIMIT) return new float[size];
        float[][] s = FLOATS.get();
        float[] a = s[slot];
        if (a == null || a.length < size) {
            a = new float[size];
            s[slot] = a;
        }
        return a;
    }

    static double[] doubles(int slot, int size) {
        if (size > KEEP_LIMIT) return new double[size];
        double[][] s = DOUBLES.get();
        double[] a = s[slot];
        if (a == null || a.length < size) {
            a = new double[size];
            s[slot] = a;
        }
        return a;
    }
}
