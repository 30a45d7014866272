package org.wpunet.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.model.AbstractUNet;
import org.wpunet.model.WpuNet;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.train.data.Batch;
import org.wpunet.train.data.DataLoader;
import org.wpunet.train.data.Samples;
import org.wpunet.train.loss.WeightMapLoss;

/**
 * Scores the model on the validation tiles after each epoch, in eval mode (BN running statistics):
 * the loss as the original (mean of per-tile losses, the true previous boundary as input), and the
 * segmentation quality of the post-processed prediction (argmax, 3x3 closing, skeleton) against the
 * tile's true boundary: VI (merge + split) and ARI with the paper's conventions (4-connected grains,
 * border crop of 10 px, or a quarter of the tile when tiles are tiny). For WPU-Net also the scores of
 * a prediction from an all-grain previous mask (no prior), which shows whether the network finds
 * boundaries itself or leans on the previous slice's.
 */
final class Validation implements AutoCloseable {
    /** One tile kept for the epoch's sample picture. */
    record Sample(int slice, int width, int height, float[] image, byte[] truth, byte[] prediction) {}

    record Result(double loss, double vi, double viMerge, double viSplit, double ari, double viNoPrior, double ariNoPrior,
                  List<Sample> samples) {}

    private final TrainConfig config;
    private final Samples tiles;
    private final DataLoader loader;

    Validation(TrainConfig config, Samples tiles) {
        this.config = config;
        this.tiles = tiles;
        this.loader = DataLoader.validation(tiles, config.batch(), config.loaderThreads(), config.prefetch());
    }

    int tiles() { return tiles.size(); }

    Result run(AbstractUNet model, Device device) {
        model.eval();
        boolean wpunet = model instanceof WpuNet;
        double loss = 0, vi = 0, merge = 0, split = 0, ari = 0, viNoPrior = 0, ariNoPrior = 0;
        int count = 0;
        List<Sample> samples = new ArrayList<>();
        try {
            for (Iterator<Batch> it = loader.epoch(1, 0); it.hasNext(); ) {
                Batch b = it.next();
                int n = b.size(), h = b.height(), w = b.width(), plane = h * w;
                float[] scores, noPrior = null;
                try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
                    Tensor img = Tensor.of(b.images(), n, 1, h, w).to(device);
                    Tensor prev = Tensor.of(b.previous(), n, 1, h, w).to(device);
                    Tensor target = Tensor.of(b.targets(), n, h, w).to(device);
                    Tensor weights = Tensor.of(b.weights(), n, 2, h, w).to(device);
                    Variable logits = TrainingModel.forward(model, Variable.constant(img), Variable.constant(prev));
                    for (int i = 0; i < n; i++) {
                        // the original validates with batch 1: one loss ratio per tile, then the mean
                        loss += WeightMapLoss.compute(config.loss(), logits.narrow(0, i, 1), target.narrow(0, i, 1),
                                weights.narrow(0, i, 1)).value().item();
                    }
                    scores = logits.value().toFloatArray();
                    if (wpunet) {
                        Tensor ones = Tensor.full(device, DType.F32, 1, n, 1, h, w);
                        noPrior = TrainingModel.forward(model, Variable.constant(img), Variable.constant(ones)).value().toFloatArray();
                    }
                }
                int classes = scores.length / (n * plane);
                int crop = Math.min(SegmentationMetrics.DEFAULT_CROP, Math.min(w, h) / 4);
                for (int i = 0; i < n; i++) {
                    byte[] pred = TrainingModel.boundaryMap(scores, i * classes * plane, classes, w, h);
                    byte[] truth = Arrays.copyOfRange(b.boundaries(), i * plane, (i + 1) * plane);
                    SegmentationMetrics.Scores sc = SegmentationMetrics.evaluate(pred, truth, w, h, crop);
                    vi += sc.vi();
                    merge += sc.viMerge();
                    split += sc.viSplit();
                    ari += sc.ari();
                    if (noPrior != null) {
                        SegmentationMetrics.Scores np = SegmentationMetrics.evaluate(
                                TrainingModel.boundaryMap(noPrior, i * classes * plane, classes, w, h), truth, w, h, crop);
                        viNoPrior += np.vi();
                        ariNoPrior += np.ari();
                    }
                    count++;
                    if (samples.size() < config.samples()) {
                        samples.add(new Sample(b.slices()[i], w, h, Arrays.copyOfRange(b.images(), i * plane, (i + 1) * plane), truth, pred));
                    }
                }
            }
        } finally {
            model.train();
        }
        if (count == 0) throw new IllegalStateException("no validation tiles");
        return new Result(loss / count, vi / count, merge / count, split / count, ari / count,
                wpunet ? viNoPrior / count : Double.NaN, wpunet ? ariNoPrior / count : Double.NaN, samples);
    }

    @Override
    public void close() { loader.close(); }
}
