package org.wpunet.benchmarks.wpunet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.infer.Propagation;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.StackResult;
import org.wpunet.infer.Stitch;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.ModelFiles;

/**
 * How a trained WPU-Net does on slices it never saw when it must feed itself, as a user's stack
 * makes it: the first slice from an all-grain mask, every later slice from the previous slice's own
 * post-processed prediction ({@code own}); beside it the paper's setting (the true previous boundary,
 * {@code gt}) and no prior at all ({@code none}). Whole slices in one tile, the original's
 * post-processing (no gap closing), so only the prior differs; means of per-slice ARI and VI (crop
 * 10). Used to choose the training defaults of the previous-mask input (docs/training.md).
 *
 * <pre>
 * PropagationCheck RUN_DIR best-vi|best-loss|last STACK.h5 FIRST-LAST   (1-based inclusive slices)
 * </pre>
 */
public final class PropagationCheck {
    private PropagationCheck() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: PropagationCheck RUN_DIR best-vi|best-loss|last STACK.h5 FIRST-LAST");
            System.exit(2);
        }
        String[] r = args[3].split("-");
        SerialStack stack = Hdf5Stack.read(Path.of(args[2])).range(Integer.parseInt(r[0]) - 1, Integer.parseInt(r[1]));
        try (ModelFiles.LoadedModel m = ModelFiles.load(Checkpoints.directory(Path.of(args[0]), args[1]), Device.CPU)) {
            int whole = Math.max(stack.width(), stack.height());
            Segmenter seg = new Segmenter(m.model(), m.mean(), m.std(), new SegmentOptions(whole, 0, Stitch.ORIGINAL, false, 1, "fp32"));
            for (Propagation mode : Propagation.values()) {
                StackResult res = seg.segmentStack(stack, mode, null, null);
                double ari = 0, vi = 0;
                StringBuilder per = new StringBuilder();
                for (int k = 0; k < stack.slices(); k++) {
                    SegmentationMetrics.Scores s = SegmentationMetrics.evaluate(res.slices().get(k).boundary(), stack.boundaries()[k],
                            stack.width(), stack.height());
                    ari += s.ari();
                    vi += s.vi();
                    per.append(String.format(Locale.ROOT, " %.2f", s.ari()));
                }
                int n = stack.slices();
                System.out.printf(Locale.ROOT, "%-5s slices %s: mean ARI %.4f, mean VI %.4f, guard fired %d x; ARI per slice:%s%n",
                        mode.name().toLowerCase(Locale.ROOT), args[3], ari / n, vi / n, res.guarded().size(), per);
            }
        }
    }
}
