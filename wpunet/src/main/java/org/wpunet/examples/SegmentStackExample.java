package org.wpunet.examples;

import java.nio.file.Path;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.infer.Propagation;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.StackResult;
import org.wpunet.train.ModelFiles;

/**
 * The library in a few lines: load a model (a training run, a model file, or the bundled one), segment
 * every slice of a stack with the previous slice's own prediction as prior, and use the boundary maps
 * and grain labels as arrays.
 *
 * <pre>
 * java -cp ... org.wpunet.examples.SegmentStackExample STACK.h5 [RUN_DIR|FILE.safetensors|pretrained]
 * </pre>
 */
public final class SegmentStackExample {
    private SegmentStackExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: SegmentStackExample STACK.h5 [RUN_DIR|FILE.safetensors|pretrained]");
            System.exit(2);
        }
        SerialStack stack = Hdf5Stack.read(Path.of(args[0]));
        try (ModelFiles.LoadedModel m = ModelFiles.load(args.length > 1 ? args[1] : ModelFiles.PRETRAINED, Device.CPU)) {
            Segmenter segmenter = new Segmenter(m.model(), m.mean(), m.std(), SegmentOptions.defaults());
            StackResult r = segmenter.segmentStack(stack, Propagation.OWN, null, null);
            for (int k = 0; k < r.slices().size(); k++) {
                byte[] boundary = r.slices().get(k).boundary();   // 255 = boundary, row-major width x height
                int[] grains = r.slices().get(k).labels();       // 1..n, every pixel in a grain
                System.out.printf("slice %d: %d grains, %d boundary pixels of %d%n", k + 1, r.slices().get(k).grains(),
                        count(boundary), grains.length);
            }
            System.out.printf("%.2f slices/s%n", r.slicesPerSecond());
        }
    }

    private static int count(byte[] map) {
        int n = 0;
        for (byte b : map) if (b != 0) n++;
        return n;
    }
}
