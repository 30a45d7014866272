package org.wpunet.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Rng;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.model.WpuNet;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;

/** The Segmenter on a real (tiny, untrained) WPU-Net. */
class SegmenterModelTest {
    @Test
    void oneTileIsOneForwardOfImageAndPrior() {
        int w = 48, h = 32;
        Random r = new Random(3);
        byte[] img = new byte[w * h], prior = new byte[w * h];
        r.nextBytes(img);
        for (int i = 0; i < prior.length; i++) if (i % w == 17 || i / w == 9) prior[i] = (byte) 255;
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(4, 4, 8, 8, 8), new Rng(1))) {
            net.eval();
            SliceResult res = new Segmenter(net, 0.9, 0.14, new SegmentOptions(64, 16, Stitch.BLEND, false, 2, "fp32")).segment(img, w, h, prior);
            float[] x = new float[w * h], m = new float[w * h];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (((img[i] & 0xFF) / 255.0 - 0.9) / 0.14);
                m[i] = prior[i] != 0 ? -6f : 1f;
            }
            float[] logits;
            try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
                logits = net.forward(Variable.constant(Tensor.of(x, 1, 1, h, w)), Variable.constant(Tensor.of(m, 1, 1, h, w))).value().toFloatArray();
            }
            float[] p = new float[w * h];
            for (int i = 0; i < p.length; i++) p[i] = (float) (1.0 / (1.0 + Math.exp((double) logits[i] - logits[w * h + i])));
            assertArrayEquals(p, res.probability());
            assertTrue(res.priorUsed());
        }
    }

    @Test
    void tiledPaddedBatchedBf16RunGivesACompleteSegmentation() {
        int w = 50, h = 37;
        Random r = new Random(4);
        byte[] img = new byte[w * h];
        r.nextBytes(img);
        try (WpuNet net = new WpuNet(WpuNet.Config.defaults().withWidths(4, 4, 8, 8, 8), new Rng(2))) {
            net.eval();
            for (Stitch st : Stitch.values()) {
                Segmenter s = new Segmenter(net, 0.5, 0.2, new SegmentOptions(16, 8, st, true, 3, "bf16"));
                SliceResult res = s.segment(img, w, h, null);
                assertEquals(w * h, res.labels().length);
                for (float v : res.probability()) assertTrue(v >= 0 && v <= 1);
                for (int v : res.labels()) assertTrue(v >= 1 && v <= res.grains());
            }
        }
    }
}
