package org.wpunet.examples;

import java.nio.file.Path;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.SliceResult;
import org.wpunet.train.ModelFiles;

/**
 * Loads weights trained in PyTorch and segments with them. The file is a safetensors state dict with
 * the original code's parameter names: an original {@code .pth} checkpoint converted by
 * {@code python3 benchmarks/pytorch/convert_pth.py best_model_state.pth wpunet.safetensors}, or one
 * saved by the PyTorch twin ({@code benchmarks/gpu/wpunet_torch.py}). The architecture (WPU-Net or
 * U-Net, widths, fusion) is read off the tensors' names and shapes.
 *
 * <pre>
 * bin/wpunet example pytorch WEIGHTS.safetensors STACK.h5
 * </pre>
 */
public final class PyTorchWeightsExample {
    private PyTorchWeightsExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PyTorchWeightsExample WEIGHTS.safetensors STACK.h5");
            System.exit(2);
        }
        SerialStack stack = Hdf5Stack.read(Path.of(args[1]));
        try (ModelFiles.LoadedModel m = ModelFiles.load(Path.of(args[0]), Device.CPU)) {
            System.out.println("loaded " + m.describe());   // e.g. WPU-Net (fusion on), widths [64, ..., 1024], ...
            // the paper's normalisation (the file carries no run config); the first slice without a prior, the second with it
            Segmenter segmenter = new Segmenter(m.model(), m.mean(), m.std(), SegmentOptions.defaults());
            byte[] previous = null;
            for (int k = 0; k < Math.min(2, stack.slices()); k++) {
                SliceResult r = segmenter.segment(stack.images()[k], stack.width(), stack.height(), previous);
                System.out.printf("slice %d: %d grains, boundary density %.3f, prior %s%n", k + 1, r.grains(), r.boundaryDensity(),
                        r.priorUsed() ? "used" : "none");
                previous = r.boundary();
            }
        }
    }
}
