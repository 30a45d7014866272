package org.wpunet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.wpunet.data.SerialStack;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.EpochMetrics;
import org.wpunet.train.RunState;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.Trainer;
import org.wpunet.train.TrainingModel;
import org.wpunet.train.data.MixedPrevMask;
import org.wpunet.train.data.PrevMaskMode;
import org.wpunet.train.loss.LossKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wpunet train}: trains WPU-Net (or U-Net) on a stack with ground truth, resumably. */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train WPU-Net (or U-Net) on serial-section stacks with ground truth.",
                "Stacks: HDF5 (image/label/boundary) or a directory images/ + labels/. Defaults are the original recipe: abw loss, RMSprop(lr 1e-4, alpha 0.9, eps 1e-5),",
                "Xavier init, gradient-norm clip 5, lr x0.8 every 10 epochs, batch 24 of 256x256 random crops with rot90/flips.",
                "RUN_DIR receives checkpoints/{last,best-loss,best-vi}/, log.csv, curves.png and samples/epoch-NNN.png.",
                "A run killed at any moment continues exactly with --resume."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE.h5|DIR",
            description = "the stack (required unless --resume); repeat for several stacks (each split alike, samples pooled)")
    List<Path> data;
    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "run directory (new or empty; with --resume: the run to continue)")
    Path out;
    @Option(names = "--resume", description = "continue the run in RUN_DIR from its last checkpoint (only --epochs, --device, --data may change)")
    boolean resume;
    @Option(names = "--model", paramLabel = "wpunet|unet", description = "network (default wpunet)")
    String model;
    @Option(names = "--no-fusion", description = "WPU-Net without multi-level fusion of the previous mask")
    boolean noFusion;
    @Option(names = "--loss", paramLabel = "NAME", description = "abw (default, the paper's), cbw, wce1, wce2, wce3, wce5, mse7, mse8")
    String loss;
    @Option(names = "--preset", paramLabel = "full|small|tiny",
            description = "widths 64..1024 (full, lr 1e-4, batch 24), 32..512 (small) or 16..256 (tiny; both lr 1e-3, batch 8) (default full)")
    String preset;
    @Option(names = "--widths", paramLabel = "W1,..,W5", split = ",", description = "the five widths, overriding the preset's")
    int[] widths;
    @Option(names = "--epochs", description = "epochs (default 500, the original's)")
    Integer epochs;
    @Option(names = "--batch", description = "batch size (default: the preset's)")
    Integer batch;
    @Option(names = "--crop", description = "training crop and validation tile size, a multiple of 16 (default 256)")
    Integer crop;
    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:k]", description = "auto takes the GPU when the CUDA backend is available (default auto)")
    String device;
    @Option(names = "--precision", paramLabel = "fp32|tf32|bf16", description = "(default fp32)")
    String precision;
    @Option(names = "--seed", description = "random seed of init, data order and augmentation (default 2019, the original's)")
    Long seed;
    @Option(names = "--lr", description = "learning rate (default: the preset's)")
    Double lr;
    @Option(names = "--lr-step", description = "epochs between lr decays (default 10)")
    Integer lrStep;
    @Option(names = "--lr-gamma", description = "lr decay factor (default 0.8)")
    Double lrGamma;
    @Option(names = "--min-lr", description = "no decay below this rate (default 1e-6)")
    Double minLr;
    @Option(names = "--clip", description = "gradient-norm clip (default 5)")
    Double clip;
    @Option(names = "--prev-mask", paramLabel = "gt|mixed",
            description = "previous-slice input in training: gt (the original: the true previous boundary) or mixed (default)")
    String prevMask;
    @Option(names = "--p-true", description = "mixed: probability of the true previous boundary")
    Double pTrue;
    @Option(names = "--p-empty", description = "mixed: probability of an all-grain mask")
    Double pEmpty;
    @Option(names = "--p-degraded", description = "mixed: probability of a degraded true boundary")
    Double pDegraded;
    @Option(names = "--p-own", description = "mixed: probability of the network's own prediction of the previous slice")
    Double pOwn;
    @Option(names = "--own-from", description = "mixed: first epoch (1-based) using own predictions")
    Integer ownFrom;
    @Option(names = "--mean", description = "normalisation mean of x/255 (default 0.9336267, the paper's)")
    Double mean;
    @Option(names = "--std", description = "normalisation std (default 0.1365774)")
    Double std;
    @Option(names = "--train-slices", paramLabel = "A-B", description = "training slices, 1-based inclusive (default: the paper's split scaled)")
    String trainSlices;
    @Option(names = "--val-slices", paramLabel = "A-B", description = "validation slices (default: the paper's split scaled)")
    String valSlices;
    @Option(names = "--loader-threads", description = "threads preparing batches (default 2)")
    Integer loaderThreads;
    @Option(names = "--prefetch", description = "batches prepared ahead (default 4)")
    Integer prefetch;
    @Option(names = "--checkpoint-steps", description = "also save 'last' every N steps inside an epoch (default 0 = off)")
    Integer checkpointSteps;
    @Option(names = "--checkpoint-minutes", description = "also save 'last' every M minutes inside an epoch (default 10; 0 = off)")
    Double checkpointMinutes;
    @Option(names = "--samples", description = "validation tiles in each epoch's sample picture (default 3)")
    Integer samples;
    @Option(names = "--quiet", description = "no progress bar, only a line per epoch")
    boolean quiet;

    /** Options a resumed run may not change (they define the run). */
    private static final Set<String> RESUMABLE = Set.of("--out", "--resume", "--epochs", "--device", "--data", "--quiet",
            "--loader-threads", "--prefetch", "--checkpoint-steps", "--checkpoint-minutes");

    @Override
    public Integer call() throws IOException {
        Path runDir = OutputPolicy.absolute("--out", out);
        PrintWriter err = spec.commandLine().getErr();
        TrainConfig config;
        Checkpoints.Loaded last = null;
        if (resume) {
            List<String> fixed = new ArrayList<>();
            for (var o : spec.commandLine().getParseResult().matchedOptions()) if (!RESUMABLE.contains(o.longestName())) fixed.add(o.longestName());
            if (!fixed.isEmpty()) {
                throw new IllegalArgumentException("--resume continues the run as it was configured; these options cannot change: "
                        + String.join(", ", fixed) + " (only --epochs, --device, --data and loader/checkpoint settings may)");
            }
            last = Checkpoints.load(runDir, Checkpoints.LAST);
            TrainConfig c = last.config();
            config = c.withRuntime(data != null ? joined(data) : c.data(), or(epochs, c.epochs()),
                    device != null ? device : c.device(), or(loaderThreads, c.loaderThreads()), or(prefetch, c.prefetch()),
                    or(checkpointSteps, c.checkpointSteps()), or(checkpointMinutes, c.checkpointMinutes()));
            if (last.state().epoch > config.epochs()) {
                err.println("the run in " + runDir + " has already finished its " + config.epochs() + " epochs (raise --epochs to continue)");
                return 0;
            }
        } else {
            if (data == null) throw new IllegalArgumentException("--data is required (the stack to train on), unless --resume");
            // a new or empty directory: never mix two runs, never overwrite a user's files
            OutputPolicy.checkNewRunDirectory(out, Checkpoints.directory(runDir, Checkpoints.LAST).resolve(Checkpoints.STATE_FILE),
                    "training", data);
            config = configure();
        }
        List<SerialStack> stacks = new ArrayList<>();
        for (String p : config.dataPaths()) stacks.add(StackInput.readWithTruth(Path.of(p)));
        if (TrainingModel.resolveDevice(config.device()).isCpu()) {
            // refuse up front, with the figure and the fix, rather than fail with an OutOfMemoryError mid-epoch
            long voxels = 0;
            for (SerialStack st : stacks) voxels += (long) st.width() * st.height() * st.slices();
            Estimates.requireHeap("train", Estimates.trainStepBytes(config.widths(), config.batch(), config.crop()) + Estimates.stackBytes(voxels),
                    "--batch " + config.batch() + ", --crop " + config.crop() + ", widths " + java.util.Arrays.toString(config.widths()));
        }
        if (!resume && !Files.exists(runDir.resolve(OutputPolicy.MARKER))) {
            Files.createDirectories(runDir);
            OutputPolicy.markNew(runDir);   // a wpunet output: no file of it may be replaced by another command's --force
        }
        Progress progress = new Progress(quiet || !Terminal.isInteractive(), err);
        long t0 = System.nanoTime();
        RunState end;
        try (Trainer trainer = resume ? Trainer.resume(last, config, stacks, runDir, progress) : Trainer.start(config, stacks, runDir, progress)) {
            err.printf(Locale.ROOT, "%s %s (%,d parameters) on %s, %s, loss %s, %d x %d^2 per step%s%n", resume ? "resuming" : "training",
                    config.model(), trainer.model().parameterCount(), trainer.device(), config.precision(), config.loss().cliName(),
                    config.batch(), config.crop(), resume ? ", from epoch " + last.state().epoch + " batch " + (last.state().batch + 1) : "");
            end = trainer.run();
        } finally {
            progress.close();
        }
        EpochMetrics m = end.history.get(end.history.size() - 1);
        err.printf(Locale.ROOT, "done in %.1f min: %d epochs, best validation loss %.4f, best VI %.4f; checkpoints in %s%n",
                (System.nanoTime() - t0) / 6e10, m.epoch(), end.bestValidationLoss, end.bestVi, runDir.resolve("checkpoints"));
        return 0;
    }

    private TrainConfig configure() {
        TrainConfig d = TrainConfig.defaults(joined(data));
        TrainConfig.Preset p = preset == null ? TrainConfig.Preset.FULL : TrainConfig.Preset.parse(preset);
        LossKind lk = loss == null ? d.loss() : LossKind.parse(loss);
        MixedPrevMask mx = d.mixed();
        if (pTrue != null || pEmpty != null || pDegraded != null || pOwn != null || ownFrom != null) {
            mx = new MixedPrevMask(or(pTrue, mx.pTrue()), or(pEmpty, mx.pEmpty()), or(pDegraded, mx.pDegraded()), or(pOwn, mx.pOwn()),
                    ownFrom != null ? ownFrom : mx.ownFromEpoch());
        }
        return new TrainConfig(joined(data), model == null ? d.model() : model.toLowerCase(Locale.ROOT),
                !noFusion, lk, p.cliName(), widths != null ? widths : p.widths, or(epochs, d.epochs()), or(batch, p.batch), or(crop, d.crop()),
                device == null ? d.device() : device, precision == null ? d.precision() : precision.toLowerCase(Locale.ROOT),
                seed != null ? seed : d.seed(), or(lr, p.lr), d.alpha(), d.eps(), or(clip, d.clip()), or(lrStep, d.lrStep()),
                or(lrGamma, d.lrGamma()), or(minLr, d.minLr()), prevMask == null ? d.prevMask() : PrevMaskMode.parse(prevMask), mx,
                or(mean, d.mean()), or(std, d.std()), trainSlices, valSlices, or(loaderThreads, d.loaderThreads()), or(prefetch, d.prefetch()),
                or(checkpointSteps, d.checkpointSteps()), or(checkpointMinutes, d.checkpointMinutes()), or(samples, d.samples()));
    }

    /** Absolute paths joined by the path separator (TrainConfig's form of several stacks). */
    private static String joined(List<Path> paths) {
        List<String> s = new ArrayList<>();
        for (Path p : paths) {
            String a = p.toAbsolutePath().normalize().toString();
            if (a.contains(java.io.File.pathSeparator))
                throw new IllegalArgumentException("--data " + p + ": a path containing '" + java.io.File.pathSeparator + "' is not supported");
            s.add(a);
        }
        return String.join(java.io.File.pathSeparator, s);
    }

    private static int or(Integer v, int d) { return v != null ? v : d; }

    private static double or(Double v, double d) { return v != null ? v : d; }

    /** Trainer events to {@link EpochProgress}: a bar per epoch on a terminal, plain lines with ETA otherwise. */
    private static final class Progress implements Trainer.Listener {
        private final EpochProgress out;

        Progress(boolean plain, PrintWriter err) {
            this.out = new EpochProgress(plain, err);
        }

        @Override
        public void epochStarted(int epoch, int epochs, int firstBatch, int batches, double lr) {
            out.epochStarted(epoch, epochs, firstBatch, batches, lr);
        }

        @Override
        public void stepDone(int epoch, int batch, int batches, long step, double loss, double imagesPerSecond) {
            out.stepDone(epoch, batch, batches, step, String.format(Locale.ROOT, "loss %.4f, %.1f img/s", loss, imagesPerSecond));
        }

        @Override
        public void validating(int epoch, int tiles) {
            out.note("validating " + tiles + " tiles");
        }

        @Override
        public void epochDone(EpochMetrics m, boolean bestLoss, boolean bestVi) {
            String noPrior = Double.isNaN(m.viNoPrior()) ? ""
                    : String.format(Locale.ROOT, " (without prior: VI %.3f, ARI %.3f)", m.viNoPrior(), m.ariNoPrior());
            out.epochDone(String.format(Locale.ROOT, "epoch %d: train loss %.4f, val loss %.4f, VI %.3f (merge %.3f, split %.3f), ARI %.3f%s, %.1f img/s, %.0f s%s%s",
                    m.epoch(), m.trainLoss(), m.validationLoss(), m.vi(), m.viMerge(), m.viSplit(), m.ari(), noPrior, m.imagesPerSecond(), m.seconds(),
                    bestLoss ? "  [best loss]" : "", bestVi ? "  [best VI]" : ""));
        }

        void close() {
            out.close();
        }
    }
}
