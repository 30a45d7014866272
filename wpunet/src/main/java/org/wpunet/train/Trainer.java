package org.wpunet.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Precision;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.data.SerialStack;
import org.wpunet.model.AbstractUNet;
import org.wpunet.nn.autograd.Autocast;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.optim.GradClip;
import org.wpunet.nn.optim.LrScheduler;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;
import org.wpunet.train.data.Batch;
import org.wpunet.train.data.DataLoader;
import org.wpunet.train.data.DatasetOptions;
import org.wpunet.train.data.PrevSource;
import org.wpunet.train.data.Samples;
import org.wpunet.train.data.SliceDataset;
import org.wpunet.train.data.TrainingSplits;
import org.wpunet.train.loss.WeightMapLoss;

/**
 * The training loop of the original recipe (ORIGINAL.md section 5) with what a long run needs:
 * per step zero_grad, forward(image, previous mask), loss, backward, global gradient-norm clip,
 * RMSprop step; per epoch the lr rule, validation (loss and segmentation scores), log.csv, curves,
 * sample pictures, and the {@code last}, {@code best-loss} and {@code best-vi} checkpoints.
 *
 * <p>Exact resumption: the data order and augmentation depend only on (seed, epoch, sample), the
 * kernels are deterministic, and a checkpoint holds weights, BN statistics, optimiser state and the
 * position (epoch, batch, partial sums); so a run killed at any moment and resumed from its last
 * checkpoint replays the same batches and ends with the same weights as an uninterrupted one.
 */
public final class Trainer implements AutoCloseable {
    /** Callbacks for progress display; all on the training thread. */
    public interface Listener {
        default void epochStarted(int epoch, int epochs, int firstBatch, int batches, double lr) {}

        default void stepDone(int epoch, int batch, int batches, long step, double loss, double imagesPerSecond) {}

        default void validating(int epoch, int tiles) {}

        default void epochDone(EpochMetrics m, boolean bestLoss, boolean bestVi) {}

        default void checkpointSaved(String name, long step) {}
    }

    /** The target is the boundary dilated to a 5x5 square, as the original trainer (dilate_cof 5). */
    static final int DILATION = 5;

    private final TrainConfig config;
    private final Path runDir;
    private final Device device;
    private final AbstractUNet model;
    private final Optimizer optimizer;
    private final LrScheduler schedule;
    private final DataLoader trainLoader;
    private final Validation validation;
    private final RunState state;
    private final Listener listener;
    private long lastSavedStep;

    private Trainer(TrainConfig config, List<SerialStack> stacks, Path runDir, Checkpoints.Loaded resumed, Listener listener)
            throws IOException {
        this.config = config;
        this.runDir = runDir;
        this.listener = listener == null ? new Listener() {} : listener;
        DatasetOptions options = new DatasetOptions(config.crop(), config.mean(), config.std(), DILATION, config.prevMask(), config.mixed());
        List<SliceDataset> trainParts = new java.util.ArrayList<>(), valParts = new java.util.ArrayList<>();
        for (SerialStack stack : stacks) {
            TrainingSplits split = splits(config, stack.slices());   // each stack split alike
            trainParts.add(split.trainingSet(stack, options));
            valParts.add(split.validationSet(stack, options));
        }
        Samples trainSet = Samples.concat(trainParts), valSet = Samples.concat(valParts);
        this.device = TrainingModel.resolveDevice(config.device());
        AbstractUNet m = TrainingModel.build(config, device);
        Optimizer o = null;
        DataLoader tl = null;
        try {
            o = new RMSprop(List.of(new ParamGroup(m.parameters(), config.lr(), 0)), config.alpha(), config.eps(), 0, false);
            this.schedule = LrScheduler.stepDecayOneBased(o, config.lrStep(), config.lrGamma(), config.minLr());
            if (resumed != null) Checkpoints.restore(resumed, m, o);
            tl = DataLoader.training(trainSet, config.batch(), config.seed(), config.loaderThreads(), config.prefetch());
            this.validation = new Validation(config, valSet);
        } catch (IOException | RuntimeException e) {
            if (tl != null) tl.close();
            if (o != null) o.close();
            m.close();
            throw e;
        }
        this.model = m;
        this.optimizer = o;
        this.trainLoader = tl;
        this.state = resumed != null ? resumed.state() : new RunState();
        this.lastSavedStep = state.step;
    }

    /**
     * The explicit slice ranges when both are given, else the paper's split scaled to the stack;
     * one range alone is an error (which part would the other be?).
     */
    static TrainingSplits splits(TrainConfig c, int slices) {
        if (c.trainSlices() != null && c.validationSlices() != null) return TrainingSplits.parse(c.trainSlices(), c.validationSlices(), slices);
        if (c.trainSlices() != null || c.validationSlices() != null) {
            throw new IllegalArgumentException("give both --train-slices and --val-slices, or neither (for the paper's split scaled to the stack)");
        }
        return TrainingSplits.paper(slices);
    }

    /** A new run in {@code runDir} (the caller checked that it holds no earlier run). */
    public static Trainer start(TrainConfig config, SerialStack stack, Path runDir, Listener listener) throws IOException {
        return new Trainer(config, List.of(stack), runDir, null, listener);
    }

    /** A new run on several stacks (each split alike; their samples pooled). */
    public static Trainer start(TrainConfig config, List<SerialStack> stacks, Path runDir, Listener listener) throws IOException {
        return new Trainer(config, stacks, runDir, null, listener);
    }

    /** Continues the run saved in {@code runDir/checkpoints/last} with the given config (its epochs may be raised). */
    public static Trainer resume(Checkpoints.Loaded last, TrainConfig config, SerialStack stack, Path runDir, Listener listener)
            throws IOException {
        return new Trainer(config, List.of(stack), runDir, last, listener);
    }

    /** Continues a run on several stacks (the same, in the same order, as it started with). */
    public static Trainer resume(Checkpoints.Loaded last, TrainConfig config, List<SerialStack> stacks, Path runDir, Listener listener)
            throws IOException {
        return new Trainer(config, stacks, runDir, last, listener);
    }

    public AbstractUNet model() { return model; }

    public RunState state() { return state; }

    public Device device() { return device; }

    /** Trains until the configured epoch count; returns the final state. */
    public RunState run() throws IOException {
        return run(null);
    }

    /**
     * Trains until the configured epoch count or, whichever comes first, the end of the epoch during
     * which the time {@code budget} (null: none) runs out; at least one epoch runs. Returns the final state.
     */
    public RunState run(java.time.Duration budget) throws IOException {
        java.nio.file.Files.createDirectories(runDir);
        boolean tf32Before = Precision.allowTf32();
        Precision.setAllowTf32(config.precision().equals("tf32"));
        long start = System.nanoTime();
        try {
            boolean first = true;
            while (state.epoch <= config.epochs() && (first || budget == null || System.nanoTime() - start < budget.toNanos())) {
                runEpoch();
                first = false;
            }
        } finally {
            Precision.setAllowTf32(tf32Before);
        }
        return state;
    }

    private void runEpoch() throws IOException {
        int epoch = state.epoch, batches = trainLoader.batchesPerEpoch();
        schedule.setEpoch(epoch);
        double lr = optimizer.groups().get(0).lr();
        listener.epochStarted(epoch, config.epochs(), state.batch, batches, lr);
        model.train();
        long lastSave = System.nanoTime();
        Iterator<Batch> it = trainLoader.epoch(epoch, state.batch);
        while (it.hasNext()) {
            long t0 = System.nanoTime();
            Batch b = it.next();
            double loss = step(b);
            double dt = (System.nanoTime() - t0) / 1e9;
            state.step++;
            state.batch++;
            state.epochLossSum += loss;
            state.epochBatches++;
            state.epochImages += b.size();
            state.epochTrainSeconds += dt;
            listener.stepDone(epoch, state.batch, batches, state.step, loss, state.epochImages / Math.max(1e-9, state.epochTrainSeconds));
            boolean byStep = config.checkpointSteps() > 0 && state.step % config.checkpointSteps() == 0;
            boolean byTime = config.checkpointMinutes() > 0 && (System.nanoTime() - lastSave) / 6e10 >= config.checkpointMinutes();
            if ((byStep || byTime) && state.batch < batches) {
                save(Checkpoints.LAST, true);
                lastSave = System.nanoTime();
            }
        }
        listener.validating(epoch, validation.tiles());
        Validation.Result v = validation.run(model, device);
        EpochMetrics m = new EpochMetrics(epoch, state.step, lr, state.epochLossSum / Math.max(1, state.epochBatches), v.loss(), v.vi(),
                v.viMerge(), v.viSplit(), v.ari(), v.viNoPrior(), v.ariNoPrior(), state.epochImages / Math.max(1e-9, state.epochTrainSeconds), state.epochTrainSeconds);
        state.history.add(m);
        boolean bestLoss = v.loss() < state.bestValidationLoss, bestVi = v.vi() < state.bestVi;
        if (bestLoss) state.bestValidationLoss = v.loss();
        if (bestVi) state.bestVi = v.vi();
        // pictures and log first, then the checkpoints: a kill in between replays this epoch identically
        TrainingReport.write(runDir, state.history, v.samples(), epoch);
        state.nextEpoch();
        if (bestLoss) save(Checkpoints.BEST_LOSS, false);
        if (bestVi) save(Checkpoints.BEST_VI, false);
        save(Checkpoints.LAST, true);
        listener.epochDone(m, bestLoss, bestVi);
    }

    /** One optimisation step on a batch; returns the loss. A non-finite loss stops the run before any update. */
    private double step(Batch b) {
        int n = b.size(), h = b.height(), w = b.width();
        try (Scope s = Scope.open()) {
            if (config.isWpuNet()) fillOwnPredictions(b);
            Tensor img = Tensor.of(b.images(), n, 1, h, w).to(device);
            Tensor prev = config.isWpuNet() ? Tensor.of(b.previous(), n, 1, h, w).to(device) : null;
            Tensor target = Tensor.of(b.targets(), n, h, w).to(device);
            Tensor weights = Tensor.of(b.weights(), n, 2, h, w).to(device);
            optimizer.zeroGrad();
            Variable logits;
            try (Autocast ac = config.precision().equals("bf16") ? Autocast.enable(DType.BF16) : Autocast.disable()) {
                logits = TrainingModel.forward(model, Variable.constant(img), prev == null ? null : Variable.constant(prev));
            }
            Variable loss = WeightMapLoss.compute(config.loss(), logits, target, weights);
            double value = loss.value().item();
            if (!Double.isFinite(value)) {
                throw new TrainingDivergedException("the loss is " + value + " at step " + (state.step + 1) + " (epoch " + state.epoch
                        + ", batch " + (state.batch + 1) + "); training stopped before updating the weights. The last checkpoint ("
                        + Checkpoints.directory(runDir, Checkpoints.LAST) + ", step " + lastSavedStep()
                        + ") and everything written before are intact; try a lower --lr or --precision fp32");
            }
            loss.backward();
            GradClip.clipGradNorm(model.parameters(), config.clip());
            optimizer.step();
            return value;
        }
    }

    /**
     * Scheduled sampling: samples whose previous mask is to be the network's own prediction get it
     * here, predicted from the previous slice's image with an all-grain mask (what the network sees
     * at the first slice of a user's stack), post-processed as in inference and coded -6/1.
     */
    private void fillOwnPredictions(Batch b) {
        PrevSource[] src = b.sources();
        int k = 0;
        for (PrevSource p : src) if (p == PrevSource.OWN) k++;
        if (k == 0) return;
        int h = b.height(), w = b.width(), plane = h * w;
        int[] idx = new int[k];
        float[] imgs = new float[k * plane], ones = new float[k * plane];
        java.util.Arrays.fill(ones, 1f);
        for (int i = 0, j = 0; i < src.length; i++) {
            if (src[i] != PrevSource.OWN) continue;
            idx[j] = i;
            System.arraycopy(b.previousImages(), i * plane, imgs, j * plane, plane);
            j++;
        }
        model.eval();
        float[] scores;
        try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
            Variable logits = TrainingModel.forward(model, Variable.constant(Tensor.of(imgs, k, 1, h, w).to(device)),
                    Variable.constant(Tensor.of(ones, k, 1, h, w).to(device)));
            scores = logits.value().toFloatArray();
        } finally {
            model.train();
        }
        int c = scores.length / (k * plane);
        for (int j = 0; j < k; j++) {
            byte[] boundary = TrainingModel.boundaryMap(scores, j * c * plane, c, w, h);
            for (int p = 0; p < plane; p++) b.previous()[idx[j] * plane + p] = boundary[p] != 0 ? -6f : 1f;
        }
    }

    private long lastSavedStep() { return lastSavedStep; }

    private void save(String name, boolean withOptimizer) throws IOException {
        Checkpoints.save(runDir, name, model, withOptimizer ? optimizer : null, config, state);
        if (withOptimizer) lastSavedStep = state.step;
        listener.checkpointSaved(name, state.step);
    }

    @Override
    public void close() {
        trainLoader.close();
        validation.close();
        optimizer.close();
        model.close();
    }
}
