package org.wpunet.tracking.cnn;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.wpunet.cli.EpochProgress;
import org.wpunet.cli.Subcommand;
import org.wpunet.cli.VersionProvider;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.LabelVolume;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wpunet train-tracker}: trains the CNN tracker's same/different-grain classifier on ground-truth stacks. */
@Command(name = "train-tracker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Train the CNN tracker (same/different grain of two adjacent slices) on ground-truth 3D label stacks.",
                "Pairs: every grain of slice z with every overlapping grain of slice z-1 (the original's crops); the last",
                "--val-fraction of each stack's slice pairs is held out. Class-weighted cross-entropy, RMSprop, the original's",
                "channel-swap/flip/rot90 augmentation. RUN_DIR receives checkpoints/{last,best}/, log.csv and curves.png;",
                "--resume continues a run. Use the result with track --method cnn --model RUN_DIR."})
public final class TrainTrackerCommand implements Callable<Integer>, Subcommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE.h5", description = "HDF5 stack with a 'label' dataset (H x W x N), e.g. from synth; repeatable")
    List<Path> data;
    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "run directory (new or empty; with --resume: the run to continue)")
    Path out;
    @Option(names = "--net", paramLabel = "small|vgg13bn", description = "small (ours, default) or vgg13bn (the original's, 224 crops)")
    String net;
    @Option(names = "--size", description = "crop size (default 64 for small; vgg13bn needs 224)")
    Integer size;
    @Option(names = "--epochs", description = "epochs (default 20, the original's)")
    Integer epochs;
    @Option(names = "--batch", description = "pairs per step (default 64 small, 40 vgg13bn)")
    Integer batch;
    @Option(names = "--lr", description = "learning rate, constant (default 1e-3 small, 1e-4 vgg13bn as the original)")
    Double lr;
    @Option(names = "--lr-schedule", paramLabel = "constant|cosine", description = "(default cosine for small, constant for vgg13bn as the original)")
    String lrSchedule;
    @Option(names = "--val-fraction", description = "last fraction of each stack's slice pairs for validation (default 0.25)")
    Double valFraction;
    @Option(names = "--seed", description = "seed of init, data order and augmentation (default 2019)")
    Long seed;
    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:k]", description = "(default auto)")
    String device;
    @Option(names = "--checkpoint-minutes", description = "also save 'last' every M minutes inside an epoch (default 10; 0 = off)")
    Double checkpointMinutes;
    @Option(names = "--pairs-per-epoch", description = "train on this many randomly chosen pairs per epoch (default 0 = all)")
    Integer pairsPerEpoch;
    @Option(names = "--resume", description = "continue the run in RUN_DIR (only --epochs, --device, --data may be given)")
    boolean resume;
    @Option(names = "--quiet", description = "no progress bar, a line per epoch")
    boolean quiet;

    private static final Set<String> RESUMABLE = Set.of("--out", "--resume", "--epochs", "--device", "--data", "--quiet");

    @Override
    public Integer call() throws IOException {
        Path runDir = out.toAbsolutePath().normalize();
        PrintWriter err = spec.commandLine().getErr();
        TrackerTrainConfig config;
        TrackerTrainer.Loaded last = null;
        if (resume) {
            List<String> fixed = new ArrayList<>();
            for (var o : spec.commandLine().getParseResult().matchedOptions()) if (!RESUMABLE.contains(o.longestName())) fixed.add(o.longestName());
            if (!fixed.isEmpty()) throw new IllegalArgumentException("--resume continues the run as configured; these options cannot change: " + String.join(", ", fixed));
            last = TrackerTrainer.load(runDir, TrackerTrainer.LAST);
            TrackerTrainConfig c = last.config();
            config = c.withRuntime(data != null ? joined(data) : c.data(), epochs != null ? epochs : c.epochs(), device != null ? device : c.device());
            if (last.state().epoch > config.epochs()) {
                err.println("the run in " + runDir + " has already finished its " + config.epochs() + " epochs (raise --epochs to continue)");
                return 0;
            }
        } else {
            if (data == null) throw new IllegalArgumentException("--data is required (a ground-truth stack), unless --resume");
            newRunDir(out, runDir, data);
            String n = net == null ? TrackerNet.SMALL : net;
            TrackerNet tn = size == null ? TrackerNet.withDefaultSize(n) : new TrackerNet(n, size);
            TrackerTrainConfig d = TrackerTrainConfig.defaults(joined(data), tn);
            config = new TrackerTrainConfig(d.data(), tn, epochs != null ? epochs : d.epochs(), batch != null ? batch : d.batch(),
                    lr != null ? lr : d.lr(), d.alpha(), d.eps(), seed != null ? seed : d.seed(), valFraction != null ? valFraction : d.valFraction(),
                    device != null ? device : d.device(), checkpointMinutes != null ? checkpointMinutes : d.checkpointMinutes(),
                    lrSchedule == null ? d.cosine() : cosine(lrSchedule), pairsPerEpoch != null ? pairsPerEpoch : d.pairsPerEpoch());
        }
        List<LabelVolume> volumes = new ArrayList<>();
        for (String p : config.dataPaths()) volumes.add(readVolume(Path.of(p)));
        Progress progress = new Progress(quiet || System.console() == null, err);
        long t0 = System.nanoTime();
        TrackerRunState end;
        try (TrackerTrainer t = new TrackerTrainer(config, volumes, runDir, last, progress)) {
            PairDataset tr = t.trainingPairs(), va = t.validationPairs();
            err.printf(Locale.ROOT, "%s %s tracker (%,d parameters, %dx%d crops) on %s: %,d training pairs (%,d same, %,d different; "
                            + "class 0 weight %.2f), %,d validation pairs%s%n", resume ? "resuming" : "training", config.net().net(),
                    t.model().parameterCount(), config.net().size(), config.net().size(), t.device(), tr.size(), tr.sameCount(), tr.differentCount(),
                    (double) tr.differentCount() / tr.sameCount(), va.size(), resume ? ", from epoch " + last.state().epoch + " batch " + (last.state().batch + 1) : "");
            end = t.run();
        } finally {
            progress.close();
        }
        err.printf(Locale.ROOT, "done in %.1f min: best validation accuracy %.4f; checkpoints in %s%n", (System.nanoTime() - t0) / 6e10,
                end.bestAccuracy, runDir.resolve("checkpoints"));
        return 0;
    }

    private static boolean cosine(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "cosine" -> true;
            case "constant" -> false;
            default -> throw new IllegalArgumentException("--lr-schedule must be constant or cosine, got '" + s + "'");
        };
    }

    /** The ground-truth label volume of an HDF5 stack (synth's layout: datasets image, label, boundary). */
    static LabelVolume readVolume(Path p) throws IOException {
        if (!Files.isRegularFile(p)) throw new java.nio.file.NoSuchFileException(p.toString());
        return Hdf5Stack.read(p).labelVolume();
    }

    private static String joined(List<Path> paths) {
        List<String> s = new ArrayList<>();
        for (Path p : paths) {
            String a = p.toAbsolutePath().normalize().toString();
            if (a.contains(java.io.File.pathSeparator)) throw new IllegalArgumentException("--data " + p + ": a path containing '" + java.io.File.pathSeparator + "' is not supported");
            s.add(a);
        }
        return String.join(java.io.File.pathSeparator, s);
    }

    /** A new or empty run directory (OutputPolicy's rule), created with the marker of a wpunet output. */
    private static void newRunDir(Path out, Path dir, java.util.List<Path> inputs) throws IOException {
        Path lastState = TrackerTrainer.checkpointDir(dir, TrackerTrainer.LAST).resolve(TrackerTrainer.STATE_FILE);
        if (!org.wpunet.cli.OutputPolicy.checkNewRunDirectory(out, lastState, "train-tracker", inputs)) Files.createDirectories(dir);
        if (!Files.exists(dir.resolve(org.wpunet.cli.OutputPolicy.MARKER))) org.wpunet.cli.OutputPolicy.markNew(dir);
    }

    /** Trainer events to {@link EpochProgress}: a bar per epoch (with ETA) on a terminal, plain lines otherwise. */
    private static final class Progress implements TrackerTrainer.Listener {
        private final EpochProgress out;

        Progress(boolean plain, PrintWriter err) {
            this.out = new EpochProgress(plain, err);
        }

        @Override
        public void epochStarted(int epoch, int epochs, int firstBatch, int batches, double lr) {
            out.epochStarted(epoch, epochs, firstBatch, batches, lr);
        }

        @Override
        public void stepDone(int epoch, int batch, int batches, long step, double loss, double pairsPerSecond) {
            out.stepDone(epoch, batch, batches, step, String.format(Locale.ROOT, "loss %.4f, %.1f pairs/s", loss, pairsPerSecond));
        }

        @Override
        public void validating(int epoch, int pairs) {
            out.note("validating " + pairs + " pairs");
        }

        @Override
        public void epochDone(TrackerRunState.Epoch e, boolean best) {
            out.epochDone(String.format(Locale.ROOT, "epoch %d: train loss %.4f, val loss %.4f, val accuracy %.4f (same %.4f, different %.4f), %.1f pairs/s, %.0f s%s",
                    e.epoch(), e.trainLoss(), e.valLoss(), e.accuracy(), e.accuracySame(), e.accuracyDifferent(), e.pairsPerSecond(), e.seconds(),
                    best ? "  [best]" : ""));
        }

        void close() {
            out.close();
        }
    }
}
