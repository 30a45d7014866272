package org.wpunet.core;

/**
 * Element types. F32, F64, I32 and U8 are computed on every backend; BF16 and F16 are storage types
 * for GPU mixed precision (the CPU backend converts them to F32 to compute).
 */
public enum DType {
    F32(4, true), F64(8, true), I32(4, false), U8(1, false), BF16(2, true), F16(2, true);

    private final int byteSize;
    private final boolean floating;

    DType(int byteSize, boolean floating) {
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() { return byteSize; }

    /** True for floating-point types. */
    public boolean isFloating() { return floating; }

    /**
     * The type of a binary op's result: the "wider" of two types (F64 > F32 > BF16/F16 > I32 > U8),
     * as NumPy/PyTorch type promotion does for tensors of these kinds.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        return a.rank() >= b.rank() ? a : b;
    }

    private int rank() {
        return switch (this) {
            case U8 -> 0;
            case I32 -> 1;
            case F16, BF16 -> 2;
            case F32 -> 3;
            case F64 -> 4;
        };
    }

    /** Converts a float to bfloat16 bits (round to nearest even, NaN kept NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** Converts bfloat16 bits to float (exact). */
    public static float bf16ToFloat(short h) { return Float.intBitsToFloat((h & 0xFFFF) << 16); }
}
