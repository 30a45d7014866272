package org.wpunet.tracking.cnn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.wpunet.core.Device;
import org.wpunet.core.Scope;
import org.wpunet.core.Tensor;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.LabelVolume;
import org.wpunet.nn.autograd.NoGrad;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.io.Json;
import org.wpunet.nn.loss.Losses;
import org.wpunet.nn.loss.Reduction;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.optim.Optimizer;
import org.wpunet.nn.optim.ParamGroup;
import org.wpunet.nn.optim.RMSprop;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.TrainingModel;

/**
 * Trains the same/different-grain classifier (the original's {@code train_track_net.py}): pairs of
 * {@link PairDataset} with the original's augmentation, class-weighted cross-entropy (class 0 weighted
 * by #different / #same of the training pairs, as the original's [2.43, 1] and [3.41, 1]), RMSprop at
 * a constant rate (the original) or cosine-annealed (our small net's default); per epoch validation accuracy, log.csv, curves.png and checkpoints {@code last} (with the
 * optimiser, for --resume) and {@code best} (highest validation accuracy) in RUN/checkpoints/, each
 * written to a staging directory and swapped in whole.
 */
public final class TrackerTrainer implements AutoCloseable {
    /** Progress callbacks, on the training thread. */
    public interface Listener {
        default void epochStarted(int epoch, int epochs, int firstBatch, int batches, double lr) {}

        default void stepDone(int epoch, int batch, int batches, long step, double loss, double pairsPerSecond) {}

        default void validating(int epoch, int pairs) {}

        default void epochDone(TrackerRunState.Epoch e, boolean best) {}
    }

    /** The checkpoint files are train's ({@link Checkpoints#write}). */
    public static final String LAST = "last", BEST = "best", MODEL_FILE = Checkpoints.MODEL_FILE, OPTIMIZER_FILE = Checkpoints.OPTIMIZER_FILE,
            STATE_FILE = Checkpoints.STATE_FILE, LOG = "log.csv";

    /** A checkpoint's config and position (its tensors stay on disk until restored). */
    public record Loaded(Path dir, TrackerTrainConfig config, TrackerRunState state) {}

    private final TrackerTrainConfig config;
    private final Path runDir;
    private final Device device;
    private final PairDataset train, validation;
    private final Layer model;
    private final Optimizer optimizer;
    private final org.wpunet.nn.optim.LrScheduler schedule;
    private final Tensor classWeight;
    private final TrackerRunState state;
    private final Listener listener;

    /** Starts (resumed == null) or continues a run; {@code volumes} are the config's stacks, in order. */
    public TrackerTrainer(TrackerTrainConfig config, List<LabelVolume> volumes, Path runDir, Loaded resumed, Listener listener) throws IOException {
        this.config = config;
        this.runDir = runDir;
        this.listener = listener == null ? new Listener() {} : listener;
        this.train = PairDataset.of(volumes, 0, 1 - config.valFraction());
        this.validation = PairDataset.of(volumes, 1 - config.valFraction(), 1);
        if (train.sameCount() == 0 || train.differentCount() == 0) {
            throw new IllegalArgumentException("the training pairs need both classes, got " + train.sameCount() + " same-grain and "
                    + train.differentCount() + " different-grain pairs (give stacks with more slices or grains)");
        }
        if (validation.size() == 0) throw new IllegalArgumentException("no validation pairs: give stacks with more slices or a larger --val-fraction");
        this.device = TrainingModel.resolveDevice(config.device());
        Layer m = config.net().build(config.seed());
        m.to(device, org.wpunet.core.DType.F32);
        this.model = m;
        this.optimizer = new RMSprop(List.of(new ParamGroup(m.parameters(), config.lr(), 0)), config.alpha(), config.eps(), 0, false);
        this.schedule = config.cosine() ? org.wpunet.nn.optim.LrScheduler.cosine(optimizer, config.epochs(), 0) : null;
        double w0 = (double) train.differentCount() / train.sameCount();
        this.classWeight = Tensor.of(new float[]{(float) w0, 1f}, 2).to(device);
        if (resumed != null) Checkpoints.restore(resumed.dir(), model, optimizer);
        this.state = resumed != null ? resumed.state() : new TrackerRunState();
    }

    public Layer model() { return model; }

    public Device device() { return device; }

    public PairDataset trainingPairs() { return train; }

    public PairDataset validationPairs() { return validation; }

    public TrackerRunState run() throws IOException {
        Files.createDirectories(runDir);
        while (state.epoch <= config.epochs()) runEpoch();
        return state;
    }

    private void runEpoch() throws IOException {
        int epoch = state.epoch, b = config.batch(), size = config.net().size();
        int[] order = permutation(train.size(), config.seed() * 31 + epoch);
        if (config.pairsPerEpoch() > 0 && config.pairsPerEpoch() < order.length) order = java.util.Arrays.copyOf(order, config.pairsPerEpoch());
        int batches = (order.length + b - 1) / b;
        if (schedule != null) schedule.setEpoch(epoch - 1);   // epoch 1 at lr, the last near 0
        double lr = optimizer.groups().get(0).lr();
        listener.epochStarted(epoch, config.epochs(), state.batch, batches, lr);
        model.train();
        long lastSave = System.nanoTime();
        while (state.batch < batches) {
            long t0 = System.nanoTime();
            int from = state.batch * b, n = Math.min(b, order.length - from);
            if (n < 2) break;   // batch norm needs two samples: a lone last pair waits for the next epoch's order
            int[] idx = java.util.Arrays.copyOfRange(order, from, from + n);
            float[] x = new float[n * 2 * size * size];
            int[] t = new int[n];
            train.batch(idx, size, x, t, config.seed() ^ ((long) epoch << 40));
            double loss = step(x, t, n, size);
            state.step++;
            state.batch++;
            state.epochLossSum += loss;
            state.epochBatches++;
            state.epochPairs += n;
            state.epochSeconds += (System.nanoTime() - t0) / 1e9;
            listener.stepDone(epoch, state.batch, batches, state.step, loss, state.epochPairs / Math.max(1e-9, state.epochSeconds));
            if (config.checkpointMinutes() > 0 && (System.nanoTime() - lastSave) / 6e10 >= config.checkpointMinutes() && state.batch < batches) {
                save(LAST, true);
                lastSave = System.nanoTime();
            }
        }
        listener.validating(epoch, validation.size());
        double[] v = evaluate(model, validation, size, device, classWeight, b);   // the training batch fits, so this does
        TrackerRunState.Epoch e = new TrackerRunState.Epoch(epoch, state.step, lr, state.epochLossSum / Math.max(1, state.epochBatches), v[0], v[1],
                v[2], v[3], state.epochPairs / Math.max(1e-9, state.epochSeconds), state.epochSeconds);
        state.history.add(e);
        boolean best = e.accuracy() > state.bestAccuracy;
        if (best) state.bestAccuracy = e.accuracy();
        AtomicFiles.writeString(runDir.resolve(LOG), state.csv());
        TrackerCurves.write(runDir, state.history);
        state.nextEpoch();
        if (best) save(BEST, false);
        save(LAST, true);
        listener.epochDone(e, best);
    }

    private double step(float[] x, int[] t, int n, int size) {
        try (Scope s = Scope.open()) {
            optimizer.zeroGrad();
            Variable logits = model.forward(Variable.constant(Tensor.of(x, n, 2, size, size).to(device)));
            Variable loss = Losses.crossEntropy(logits, Tensor.of(t, n).to(device), classWeight, Losses.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
            double value = loss.value().item();
            if (!Double.isFinite(value)) {
                throw new IllegalStateException("the loss is " + value + " at step " + (state.step + 1) + "; training stopped before updating "
                        + "the weights (the last checkpoint is intact); try a lower --lr");
            }
            loss.backward();
            optimizer.step();
            return value;
        }
    }

    /**
     * Weighted loss, accuracy, and the recall of class 0 and class 1 of a model (put in eval mode) on
     * all pairs of a dataset, without augmentation.
     */
    public static double[] evaluate(Layer model, PairDataset data, int size, Device device, Tensor classWeight, int batch) {
        model.eval();
        double lossSum = 0, weightSum = 0;
        long[] right = new long[2], total = new long[2];
        for (int from = 0; from < data.size(); from += batch) {
            int n = Math.min(batch, data.size() - from);
            int[] idx = new int[n];
            for (int k = 0; k < n; k++) idx[k] = from + k;
            float[] x = new float[n * 2 * size * size];
            int[] t = new int[n];
            data.batch(idx, size, x, t, null);
            float[] p;
            try (Scope s = Scope.open(); NoGrad ng = NoGrad.enter()) {
                Variable logits = model.forward(Variable.constant(Tensor.of(x, n, 2, size, size).to(device)));
                p = Ops.softmax(logits, 1).value().toFloatArray();
            }
            float[] w = classWeight == null ? new float[]{1, 1} : classWeight.toFloatArray();
            for (int k = 0; k < n; k++) {
                int c = t[k], guess = p[2 * k] >= p[2 * k + 1] ? 0 : 1;
                lossSum -= w[c] * Math.log(Math.max(1e-12, p[2 * k + c]));
                weightSum += w[c];
                total[c]++;
                if (guess == c) right[c]++;
            }
        }
        return new double[]{lossSum / Math.max(1e-12, weightSum), (double) (right[0] + right[1]) / Math.max(1, total[0] + total[1]),
                (double) right[0] / Math.max(1, total[0]), (double) right[1] / Math.max(1, total[1])};
    }

    /** A Fisher-Yates permutation of 0..n-1 from a seed. */
    static int[] permutation(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
        return a;
    }

    public static Path checkpointDir(Path runDir, String name) { return runDir.resolve("checkpoints").resolve(name); }

    private void save(String name, boolean withOptimizer) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "wpunet-tracker-checkpoint-1");
        json.put("config", config.toMap());
        json.put("state", state.toMap());
        Checkpoints.write(checkpointDir(runDir, name), model, Map.of(TrackerNet.METADATA, config.net().toJson()),
                withOptimizer ? optimizer : null, json);
    }

    /** Reads checkpoint {@code name} of a run (config and position); an error naming the path when there is none. */
    public static Loaded load(Path runDir, String name) throws IOException {
        Path dir = Checkpoints.readable(checkpointDir(runDir, name));   // or the backup of an interrupted swap
        if (dir == null)
            throw new IllegalArgumentException(checkpointDir(runDir, name) + ": no train-tracker checkpoint there (expected " + STATE_FILE + ")");
        Path f = dir.resolve(STATE_FILE);
        try {
            Map<?, ?> json = (Map<?, ?>) Json.parse(Files.readString(f, StandardCharsets.UTF_8));
            if (!"wpunet-tracker-checkpoint-1".equals(json.get("format"))) throw new IllegalArgumentException("unknown format " + json.get("format"));
            return new Loaded(dir, TrackerTrainConfig.fromMap((Map<?, ?>) json.get("config")), TrackerRunState.fromMap((Map<?, ?>) json.get("state")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(f + ": not a valid train-tracker checkpoint (" + e.getMessage() + ")", e);
        }
    }


    @Override
    public void close() {
        classWeight.close();
        optimizer.close();
        model.close();
    }
}
