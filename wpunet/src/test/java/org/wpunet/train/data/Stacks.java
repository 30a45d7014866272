package org.wpunet.train.data;

import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.StackSynthesizer;

/** Small synthetic stacks for the data pipeline tests. */
final class Stacks {
    private Stacks() {}

    static SerialStack synthetic(int width, int height, int slices, long seed) {
        return StackSynthesizer.generate(StackSynthesizer.Config.of(width, height, slices, 14, seed));
    }

    /** A stack whose image of each slice is a copy of its boundary (0/255): image and label must stay equal. */
    static SerialStack imageIsBoundary(SerialStack s) {
        byte[][] images = new byte[s.slices()][];
        for (int k = 0; k < s.slices(); k++) images[k] = s.boundaries()[k].clone();
        return new SerialStack(s.width(), s.height(), images, s.labels(), s.boundaries());
    }

    /** torchvision's float32 ToTensor + Normalize of one grey value. */
    static float normalised(int v, DatasetOptions o) {
        return (v / 255f - (float) o.mean()) / (float) o.std();
    }

    static DatasetOptions options(int crop) { return DatasetOptions.defaults().withCrop(crop); }
}
