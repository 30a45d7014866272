package org.wpunet.nn.init;

import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;

import java.util.Arrays;

/**
 * In-place initialisers with a seeded {@link Rng}, with PyTorch's formulas (torch.nn.init). Fans
 * follow torch: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field, where the
 * receptive field is the product of the dims after the first two.
 */
public final class Init {
    private Init() {}

    public static int fanIn(Tensor t) {
        needRank2(t, "fan_in");
        return t.size(1) * receptiveField(t);
    }

    public static int fanOut(Tensor t) {
        needRank2(t, "fan_out");
        return t.size(0) * receptiveField(t);
    }

    private static int receptiveField(Tensor t) {
        int r = 1;
        for (int i = 2; i < t.rank(); i++) r *= t.size(i);
        return r;
    }

    private static void needRank2(Tensor t, String what) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException(what + " needs a tensor of rank >= 2, got shape " + Arrays.toString(t.shape()));
        }
    }

    /** U(lo, hi). */
    public static Tensor uniform(Tensor t, double lo, double hi, Rng rng) {
        try (Tensor u = rng.uniformIn(t.device(), t.dtype(), lo, hi, t.shape())) {
            return t.assign(u);
        }
    }

    /** N(mean, std^2). */
    public static Tensor normal(Tensor t, double mean, double std, Rng rng) {
        try (Tensor z = rng.normalWith(t.device(), t.dtype(), mean, std, t.shape())) {
            return t.assign(z);
        }
    }

    public static Tensor zeros(Tensor t) { return t.fill(0); }

    public static Tensor ones(Tensor t) { return t.fill(1); }

    public static Tensor constant(Tensor t, double v) { return t.fill(v); }

    /**
     * Kaiming (He) uniform for leaky-ReLU slope a, fan_in mode: U(-b, b) with
     * b = gain sqrt(3 / fan_in), gain = sqrt(2 / (1 + a^2)). PyTorch's default for conv and linear
     * weights is a = sqrt(5), which gives b = 1 / sqrt(fan_in).
     */
    public static Tensor kaimingUniform(Tensor t, double a, Rng rng) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.sqrt(3.0 / fanIn(t));
        return uniform(t, -bound, bound, rng);
    }

    /** Kaiming normal, fan_in mode: N(0, gain^2 / fan_in). */
    public static Tensor kaimingNormal(Tensor t, double a, Rng rng) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        return normal(t, 0, gain / Math.sqrt(fanIn(t)), rng);
    }

    /** Xavier (Glorot) uniform: U(-b, b) with b = gain sqrt(6 / (fan_in + fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Rng rng) {
        double bound = gain * Math.sqrt(6.0 / (fanIn(t) + fanOut(t)));
        return uniform(t, -bound, bound, rng);
    }

    /** PyTorch's default weight init for conv and linear layers: kaiming-uniform with a = sqrt(5). */
    public static Tensor torchDefaultWeight(Tensor w, Rng rng) { return kaimingUniform(w, Math.sqrt(5), rng); }

    /** PyTorch's default bias init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in. */
    public static Tensor torchDefaultBias(Tensor b, int fanIn, Rng rng) {
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(b, -bound, bound, rng);
    }
}
