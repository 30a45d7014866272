package org.wpunet.benchmarks.wpunet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.model.AbstractUNet;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.TrainingModel;

/**
 * How a trained WPU-Net does on slices it never saw when it must feed itself, as a user's stack
 * makes it: the first slice from an all-grain mask, every later slice from the previous slice's own
 * post-processed prediction; beside it the paper's setting (the true previous boundary) and no prior
 * at all. Whole slices in one pass (their sides must be multiples of 16); means of per-slice ARI and
 * VI (crop 10). Used to choose the training defaults of the previous-mask input (docs/training.md).
 *
 * <pre>
 * PropagationCheck RUN_DIR [best-vi|best-loss|last] DATA FIRST-LAST   (1-based inclusive slices)
 * </pre>
 */
public final class PropagationCheck {
    private PropagationCheck() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: PropagationCheck RUN_DIR best-vi|best-loss|last DATA FIRST-LAST");
            System.exit(2);
        }
        Path run = Path.of(args[0]), data = Path.of(args[2]);
        String[] r = args[3].split("-");
        int from = Integer.parseInt(r[0]) - 1, to = Integer.parseInt(r[1]);
        Checkpoints.Loaded c = Checkpoints.load(run, args[1]);
        TrainConfig cfg = c.config();
        SerialStack stack = data.toString().endsWith(".h5") ? Hdf5Stack.read(data) : DirectoryStack.read(data);
        Device d = Device.CPU;
        try (AbstractUNet model = TrainingModel.build(cfg, d)) {
            Checkpoints.restore(c, model, null);
            model.eval();
            String[] modes = {"own", "gt", "none"};
            for (String mode : modes) {
                double ari = 0, vi = 0;
                byte[] prev = null;   // null = all-grain mask
                StringBuilder per = new StringBuilder();
                for (int k = from; k < to; k++) {
                    byte[] prior = switch (mode) {
                        case "own" -> prev;
                        case "gt" -> k == from ? null : stack.boundaries()[k - 1];
                        default -> null;
                    };
                    byte[] pred = predict(model, cfg, stack, k, prior, d);
                    SegmentationMetrics.Scores s = SegmentationMetrics.evaluate(pred, stack.boundaries()[k], stack.width(), stack.height());
                    ari += s.ari();
                    vi += s.vi();
                    per.append(String.format(Locale.ROOT, " %.2f", s.ari()));
                    prev = pred;
                }
                int n = to - from;
                System.out.printf(Locale.ROOT, "%-5s slices %d-%d: mean ARI %.4f, mean VI %.4f; ARI per slice:%s%n", mode, from + 1, to,
                        ari / n, vi / n, per);
            }
        }
    }

    private static byte[] predict(AbstractUNet model, TrainConfig cfg, SerialStack stack, int k, byte[] prior, Device d) {
        int w = stack.width(), h = stack.height(), n = w * h;
        float[] img = new float[n], prev = new float[n];
        byte[] src = stack.images()[k];
        for (int i = 0; i < n; i++) {
            img[i] = (float) (((src[i] & 0xFF) / 255.0 - cfg.mean()) / cfg.std());
            prev[i] = prior != null && prior[i] != 0 ? -6f : 1f;
        }
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            Variable logits = TrainingModel.forward(model, Variable.constant(Tensor.of(img, 1, 1, h, w).to(d)),
                    Variable.constant(Tensor.of(prev, 1, 1, h, w).to(d)));
            float[] scores = logits.value().toFloatArray();
            return TrainingModel.boundaryMap(scores, 0, scores.length / n, w, h);
        }
    }
}
