package org.wpunet.benchmarks.wpunet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.image.Boundaries;
import org.wpunet.infer.Propagation;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.SliceResult;
import org.wpunet.infer.StackResult;
import org.wpunet.infer.Stitch;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.model.AbstractUNet;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.TrainingModel;

/**
 * The figures of docs/inference.md: ORIGINAL vs BLEND stitching (with and without gap closing) of a
 * trained run on unseen slices with OWN propagation (the first slice without prior), means of
 * per-slice ARI and VI (crop 10); then slices per second on a second (large) stack with the default
 * options (tile 256, margin 32, BLEND, gap closing, batch 4), OWN propagation, on the CPU.
 *
 * <pre>
 * InferenceCheck RUN_DIR best-vi|best-loss|last DATA.h5 FIRST-LAST TILE MARGIN [SPEED.h5 [big]]
 * </pre>
 * With {@code big}: only one 4096x4096 slice (SPEED.h5's first slice repeated 4x4) with the
 * defaults (batch from -Dbatch=N, default 4), reporting its time; run it under a small -Xmx to show
 * the memory bound.
 */
public final class InferenceCheck {
    private InferenceCheck() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 6) {
            System.err.println("usage: InferenceCheck RUN_DIR best-vi|best-loss|last DATA.h5 FIRST-LAST TILE MARGIN [SPEED.h5]");
            System.exit(2);
        }
        Checkpoints.Loaded c = Checkpoints.load(Path.of(args[0]), args[1]);
        TrainConfig cfg = c.config();
        SerialStack all = Hdf5Stack.read(Path.of(args[2]));
        String[] r = args[3].split("-");
        SerialStack stack = all.range(Integer.parseInt(r[0]) - 1, Integer.parseInt(r[1]));
        int tile = Integer.parseInt(args[4]), margin = Integer.parseInt(args[5]);
        try (AbstractUNet model = TrainingModel.build(cfg, Device.CPU)) {
            Checkpoints.restore(c, model, null);
            model.eval();
            double truthGrains = 0;
            for (int k = 0; k < stack.slices(); k++) truthGrains += Boundaries.toGrains(stack.boundaries()[k], stack.width(), stack.height()).maxLabel();
            System.out.printf(Locale.ROOT, "truth: grains/slice %.1f%n", truthGrains / stack.slices());
            for (Propagation mode : new Propagation[] {Propagation.OWN, Propagation.GT})
                for (int layout = 0; layout < 3; layout++)
                    for (boolean gaps : new boolean[] {false, true}) {
                        // layout 2: the whole slice as one tile (no tiling), the reference
                        Stitch st = layout == 0 ? Stitch.ORIGINAL : Stitch.BLEND;
                        int t = layout == 2 ? Math.max(stack.width(), stack.height()) : tile, mg = layout == 2 ? 0 : margin;
                        Segmenter s = new Segmenter(model, cfg.mean(), cfg.std(), new SegmentOptions(t, mg, st, gaps, 4, "fp32"));
                        StackResult res = s.segmentStack(stack, mode, null, null);
                        double ari = 0, vi = 0, grains = 0;
                        for (int k = 0; k < stack.slices(); k++) {
                            SliceResult sr = res.slices().get(k);
                            SegmentationMetrics.Scores sc = SegmentationMetrics.evaluate(sr.boundary(), stack.boundaries()[k], stack.width(), stack.height());
                            ari += sc.ari();
                            vi += sc.vi();
                            grains += sr.grains();
                        }
                        int n = stack.slices();
                        System.out.printf(Locale.ROOT, "%-4s %-8s tile %d margin %d closeGaps=%-5s slices %s: mean ARI %.4f, mean VI %.4f, grains/slice %.1f, guard fired %d, %.2f s%n",
                                mode, st, t, mg, gaps, args[3], ari / n, vi / n, grains / n, res.guarded().size(), res.seconds());
                    }
            if (args.length > 7) {
                // memory: a 4096x4096 slice (the first slice of SPEED.h5 repeated 4x4), peak heap reported
                SerialStack big = Hdf5Stack.read(Path.of(args[6]));
                int bw = big.width() * 4, bh = big.height() * 4;
                byte[] img = new byte[bw * bh];
                for (int y = 0; y < bh; y++)
                    for (int x = 0; x < bw; x++) img[x + bw * y] = big.images()[0][(x % big.width()) + big.width() * (y % big.height())];
                int batch = Integer.getInteger("batch", 4);
                Segmenter s = new Segmenter(model, cfg.mean(), cfg.std(), SegmentOptions.defaults().withBatch(batch));
                long t0 = System.nanoTime();
                SliceResult res = s.segment(img, bw, bh, null);
                System.out.printf(Locale.ROOT, "big %dx%d BLEND closeGaps=true batch %d: %.1f s, %d grains, completed within -Xmx %d MiB%n",
                        bw, bh, batch, (System.nanoTime() - t0) / 1e9, res.grains(), Runtime.getRuntime().maxMemory() >> 20);
                return;
            }
            if (args.length > 6) {
                SerialStack big = Hdf5Stack.read(Path.of(args[6]));
                Segmenter s = new Segmenter(model, cfg.mean(), cfg.std(), SegmentOptions.defaults());
                s.segment(big.images()[0], big.width(), big.height(), null);   // warm-up
                for (Stitch st : Stitch.values()) {
                    Segmenter t = new Segmenter(model, cfg.mean(), cfg.std(), SegmentOptions.defaults().withStitch(st));
                    StackResult res = t.segmentStack(big, Propagation.OWN, null, null);
                    System.out.printf(Locale.ROOT, "speed %dx%d, %d slices, %s closeGaps=true tile 256 margin 32 batch 4: %.2f s, %.3f slices/s%n",
                            big.width(), big.height(), big.slices(), st, res.seconds(), res.slicesPerSecond());
                }
            }
        }
    }
}
