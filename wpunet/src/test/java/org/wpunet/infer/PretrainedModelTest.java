package org.wpunet.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.wpunet.core.Device;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.train.ModelFiles;

/** The model that ships with wpunet loads and segments a stack it has never seen, from no ground truth. */
class PretrainedModelTest {
    /** Measured: mean ARI 0.833 of the bundled model on this stack with OWN propagation (2026-12-01); 0.05 below it. */
    static final double MIN_ARI = 0.78;

    @Test
    void segmentsAnUnseenSyntheticStackWithOwnPropagation() throws IOException {
        SerialStack s = StackSynthesizer.run(StackSynthesizer.Config.of(128, 128, 4, 24, 4242), null).stack();
        try (ModelFiles.LoadedModel m = ModelFiles.loadPretrained(Device.CPU)) {
            assertTrue(m.isWpuNet() && m.fusion(), m.describe());
            assertEquals(ModelFiles.PRETRAINED, m.file().toString());
            Segmenter seg = new Segmenter(m.model(), m.mean(), m.std(), SegmentOptions.defaults());
            StackResult r = seg.segmentStack(s, Propagation.OWN, null, null);
            double ari = 0;
            for (int k = 0; k < s.slices(); k++) {
                ari += SegmentationMetrics.evaluate(r.slices().get(k).boundary(), s.boundaries()[k], 128, 128).ari() / s.slices();
            }
            assertTrue(ari > MIN_ARI, "mean ARI " + ari + " <= " + MIN_ARI);
        }
    }
}
