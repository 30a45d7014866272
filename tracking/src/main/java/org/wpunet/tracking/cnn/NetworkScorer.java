package org.wpunet.tracking.cnn;

import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.Layer;

/**
 * P(same grain) from a tracker network: softmax(logits)[:, 0] in eval mode; with test-time
 * augmentation the mean of it over the original's 7 copies of each crop (identity, channel swap,
 * hflip, vflip, rot 90/180/270).
 */
final class NetworkScorer implements CnnLinker.Scorer {
    private final Layer model;
    private final Device device;
    private final boolean augment;

    NetworkScorer(Layer model, Device device, boolean augment) {
        this.model = model;
        this.device = device;
        this.augment = augment;
    }

    @Override
    public float[] sameProbability(float[] crops, int count, int size) {
        int per = 2 * size * size, copies = augment ? PairTransforms.TTA_COPIES : 1;
        float[] input = crops;
        if (augment) {
            input = new float[count * copies * per];
            for (int i = 0; i < count; i++) for (int k = 0; k < copies; k++) PairTransforms.tta(k, crops, i * per, input, (i * copies + k) * per, size);
        }
        float[] p;
        model.eval();
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            Variable logits = model.forward(Variable.constant(Tensor.of(input, count * copies, 2, size, size).to(device)));
            p = Ops.softmax(logits, 1).value().toFloatArray();
        }
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            double sum = 0;
            for (int k = 0; k < copies; k++) sum += p[2 * (i * copies + k)];
            out[i] = (float) (sum / copies);
        }
        return out;
    }
}
