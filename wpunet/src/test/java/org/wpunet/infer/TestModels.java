package org.wpunet.infer;

import java.util.ArrayList;
import java.util.List;
import org.wpunet.core.Tensor;
import org.wpunet.model.AbstractUNet;
import org.wpunet.nn.autograd.Variable;

/** Parameter-free stand-ins for a trained network, computing on the host. */
final class TestModels {
    private TestModels() {}

    /**
     * Logits [N, 2, H, W] = (0, x[:,0]) : the boundary probability is sigmoid(normalised image), pixel
     * by pixel; records every prior channel it sees (one float[] per tile, decoded later).
     * {@code collapse}: when the prior channel has any boundary (-6), the boundary logit is -10
     * everywhere (a network that outputs no boundary when given a prior).
     */
    static final class Identity extends AbstractUNet {
        final List<float[]> priors = new ArrayList<>();
        final List<int[]> shapes = new ArrayList<>();
        private final boolean collapse;

        Identity(int inChannels, boolean collapse) {
            super(inChannels, 2, new int[] {1, 1, 1, 1, 1});
            this.collapse = collapse;
            eval();
        }

        @Override
        public Variable forward(Variable x) {
            checkInput(x);
            int[] s = x.shape();
            int n = s[0], c = s[1], plane = s[2] * s[3];
            float[] in = x.value().toFloatArray(), out = new float[n * 2 * plane];
            for (int k = 0; k < n; k++) {
                boolean prior = false;
                if (c == 2) {
                    float[] p = new float[plane];
                    System.arraycopy(in, (k * c + 1) * plane, p, 0, plane);
                    for (float v : p) if (v < 0) prior = true;
                    priors.add(p);
                }
                shapes.add(new int[] {s[2], s[3]});
                for (int i = 0; i < plane; i++) out[(k * 2 + 1) * plane + i] = collapse && prior ? -10f : in[k * c * plane + i];
            }
            return Variable.constant(Tensor.of(out, n, 2, s[2], s[3]));
        }
    }

    /**
     * Logits (0, a) for every pixel of its first {@code switchAfter} tiles, (0, b) afterwards: a network
     * whose answer differs between the passes of a two-way run, so their average can be checked.
     */
    static final class TwoAnswers extends AbstractUNet {
        private final float a, b;
        private final int switchAfter;
        private int calls;

        TwoAnswers(float a, float b, int switchAfter) {
            super(2, 2, new int[] {1, 1, 1, 1, 1});
            this.a = a; this.b = b; this.switchAfter = switchAfter;
            eval();
        }

        @Override
        public Variable forward(Variable x) {
            checkInput(x);
            int[] s = x.shape();
            int plane = s[2] * s[3];
            float[] out = new float[s[0] * 2 * plane];
            for (int k = 0; k < s[0]; k++, calls++)
                java.util.Arrays.fill(out, (k * 2 + 1) * plane, (k * 2 + 2) * plane, calls < switchAfter ? a : b);
            return Variable.constant(Tensor.of(out, s[0], 2, s[2], s[3]));
        }
    }

    /** The probability Segmenter computes for grey value v through {@link Identity}. */
    static float identityProbability(int v, double mean, double std) {
        float n = (float) ((v / 255.0 - mean) / std);
        return (float) (1.0 / (1.0 + Math.exp(0.0 - n)));
    }
}
