package org.wpunet.core.cpu.kernels;

/** Argument checks shared by the kernels; every message names the sizes involved. */
final class Checks {
    private Checks() {}

    static void positive(String what, int... values) {
        for (int v : values) {
            if (v <= 0) {
                throw new IllegalArgumentException(what + ": sizes must be positive, got " + java.util.Arrays.toString(values));
            }
        }
    }

    static void nonNegative(String what, int... values) {
        for (int v : values) {
            if (v < 0) {
                throw new IllegalArgumentException(what + ": values must be non-negative, got " + java.util.Arrays.toString(values));
            }
        }
    }

    /** Requires {@code array.length >= needed}; {@code name} names the array, {@code shape} the sizes. */
    static void length(String what, String name, int actual, long needed, String shape) {
        if (actual < needed) {
            throw new IllegalArgumentException(what + ": " + name + " has " + actual + " elements but " + shape
                    + " needs " + needed);
        }
    }

    static void notNull(String what, String name, Object array) {
        if (array == null) throw new IllegalArgumentException(what + ": " + name + " must not be null");
    }

    /** Output size of a convolution or pooling window along one axis (PyTorch's formula, floor). */
    static int outSize(int in, int k, int s, int p, int d) {
        long num = (long) in + 2L * p - (long) d * (k - 1) - 1;
        if (num < 0) return 0;
        return (int) (num / s + 1);
    }

    /** Output {height, width} of a sliding window; an error naming every size when it is not positive. */
    static int[] windowOutput(String what, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int oh = outSize(h, kh, sh, ph, dh), ow = outSize(w, kw, sw, pw, dw);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(what + ": output size " + dims(oh, ow) + " is non-positive for input "
                    + dims(h, w) + ", kernel " + dims(kh, kw) + ", stride " + dims(sh, sw)
                    + ", padding " + dims(ph, pw) + ", dilation " + dims(dh, dw));
        }
        return new int[] {oh, ow};
    }

    static String dims(int... d) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < d.length; i++) {
            if (i > 0) sb.append('x');
            sb.append(d[i]);
        }
        return sb.toString();
    }
}
