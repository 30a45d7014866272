package org.wpunet.tracking.cnn;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.init.Init;
import org.wpunet.nn.module.BatchNorm2d;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.Dropout;
import org.wpunet.nn.module.Linear;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.module.ReLU;
import org.wpunet.nn.module.Sequential;

/**
 * The original's tracker classifier (ORIGINAL.md section 8, {@code modified_models/}): torchvision's
 * vgg13_bn (configuration B: 64,64,M,128,128,M,256,256,M,512,512,M,512,512,M, each conv 3x3 pad 1
 * followed by BatchNorm and ReLU) on 2 input channels, without the adaptive pool (so only 224x224
 * inputs fit: 512 x 7 x 7 = 25088 features), classifier Linear(25088,4096)-ReLU-Dropout-
 * Linear(4096,4096)-ReLU-Dropout-Linear(4096,2). 128,964,354 parameters; state-dict keys are
 * torchvision's ({@code features.N.*}, {@code classifier.N.*}). Init as torchvision: conv weights
 * kaiming-normal (fan_out, ReLU gain), biases 0; BN 1/0; linear N(0, 0.01), biases 0.
 */
public final class Vgg13BnTracker extends Layer {
    /** Configuration B; 0 stands for a 2x2 max pool. */
    private static final int[] CFG = {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0};

    private final Sequential features, classifier;

    public Vgg13BnTracker(Rng rng) { this(rng, true); }

    /** {@code torchvisionInit} false keeps PyTorch's default layer init (for weights loaded right after, and fast tests). */
    Vgg13BnTracker(Rng rng, boolean torchvisionInit) {
        Sequential f = new Sequential();
        int in = 2;
        for (int v : CFG) {
            if (v == 0) {
                f.add(new MaxPool2d(2));
                continue;
            }
            Conv2d conv = new Conv2d(in, v, 3, 1, 1, rng);
            if (torchvisionInit) {
                Init.normal(conv.parameter("weight").value(), 0, Math.sqrt(2.0 / Init.fanOut(conv.parameter("weight").value())), rng);
                Init.zeros(conv.parameter("bias").value());
            }
            f.add(conv).add(new BatchNorm2d(v)).add(new ReLU());
            in = v;
        }
        Sequential c = new Sequential(linear(512 * 7 * 7, 4096, rng, torchvisionInit), new ReLU(), new Dropout(0.5, rng),
                linear(4096, 4096, rng, torchvisionInit), new ReLU(), new Dropout(0.5, rng), linear(4096, 2, rng, torchvisionInit));
        this.features = registerModule("features", f);
        this.classifier = registerModule("classifier", c);
    }

    private static Linear linear(int in, int out, Rng rng, boolean torchvisionInit) {
        Linear l = new Linear(in, out, rng);
        if (!torchvisionInit) return l;
        Init.normal(l.parameter("weight").value(), 0, 0.01, rng);
        Init.zeros(l.parameter("bias").value());
        return l;
    }

    /** x [N, 2, 224, 224] -> logits [N, 2] (class 0 = same grain). */
    @Override
    public Variable forward(Variable x) {
        if (x.rank() != 4 || x.size(1) != 2 || x.size(2) != 224 || x.size(3) != 224) {
            throw new IllegalArgumentException("VGG13-BN tracker expects [N, 2, 224, 224] crops (it has no adaptive pool), got "
                    + java.util.Arrays.toString(x.shape()));
        }
        return classifier.forward(features.forward(x).flatten(1, -1));
    }
}
