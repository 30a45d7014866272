package org.wpunet.tracking.cnn;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.AdaptiveAvgPool2d;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.Flatten;
import org.wpunet.nn.module.Linear;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.module.ReLU;
import org.wpunet.nn.module.Sequential;

/**
 * Our default tracker classifier: four conv3x3-BN-ReLU blocks (2 -> 16 -> 32 -> 64 -> 64 channels,
 * 2x2 max pool after the first three), global average pooling and Linear(64, 2). The question "same
 * grain?" is about how much of each mask the other covers and where, which per-pixel features
 * averaged over the crop express directly; so any input size works (64 by default, about 13 M
 * multiply-adds per pair against VGG13-BN's 11 G at 224). Keys: {@code features.N.*},
 * {@code classifier.N.*} like the VGG's.
 */
public final class SmallTracker extends Layer {
    static final int[] WIDTHS = {16, 32, 64, 64};
    private final Sequential features, classifier;

    public SmallTracker(Rng rng) {
        Sequential f = new Sequential();
        int in = 2;
        for (int i = 0; i < WIDTHS.length; i++) {
            f.add(new Conv2d(in, WIDTHS[i], 3, 1, 1, rng)).add(new BatchNorm2d(WIDTHS[i])).add(new ReLU());
            if (i < WIDTHS.length - 1) f.add(new MaxPool2d(2));
            in = WIDTHS[i];
        }
        f.add(new AdaptiveAvgPool2d(1)).add(new Flatten());
        this.features = registerModule("features", f);
        this.classifier = registerModule("classifier", new Sequential(new Linear(in, 2, rng)));
    }

    /** x [N, 2, S, S] (S >= 8) -> logits [N, 2] (class 0 = same grain). */
    @Override
    public Variable forward(Variable x) {
        if (x.rank() != 4 || x.size(1) != 2 || x.size(2) < 8 || x.size(3) < 8) {
            throw new IllegalArgumentException("the small tracker expects [N, 2, S, S] crops with S >= 8, got " + java.util.Arrays.toString(x.shape()));
        }
        return classifier.forward(features.forward(x));
    }
}
