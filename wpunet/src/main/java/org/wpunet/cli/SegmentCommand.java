package org.wpunet.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.wpunet.core.Precision;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.image.LabelImage;
import org.wpunet.infer.Direction;
import org.wpunet.infer.Propagation;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.SliceResult;
import org.wpunet.infer.Stitch;
import org.wpunet.io.FloatImage;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.train.ModelFiles;
import org.wpunet.train.TrainingModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wpunet segment}: boundary maps, probabilities and grains for every slice of a stack. */
@Command(name = "segment", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Segment every slice of a stack into closed one-pixel boundaries and grains.",
                "Tiled inference with a trained or the bundled WPU-Net (or U-Net), each slice getting the previous slice's own",
                "prediction as its prior (--propagate own), post-processed to closed one-pixel boundaries.",
                "Writes DIR/boundary/NNN.png (255 = boundary), DIR/probability/NNN.tiff (float32) and DIR/grains/NNN.tiff (32-bit",
                "labels), and for an HDF5 input DIR/segmentation.h5 (the same as H x W x N datasets); with ground truth (--truth,",
                "or an input that has it) also scores every slice (DIR/scores.json)."})
public final class SegmentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "pretrained", paramLabel = "RUN_DIR|FILE.safetensors|pretrained",
            description = "a training run (its best-vi checkpoint), a checkpoint directory, a model file, or pretrained: the model that "
                    + "ships with wpunet (default)")
    String model;
    @Option(names = "--data", required = true, paramLabel = "FILE.h5|DIR|FILE.tif", description = "the stack (HDF5, PNG directory, TIFF stack or one image)")
    Path data;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (new or empty, or --force)")
    Path out;
    @Option(names = "--slices", paramLabel = "A-B", description = "1-based inclusive slice range (default: all)")
    String slices;
    @Option(names = "--propagate", defaultValue = "own", paramLabel = "own|gt|none",
            description = "prior of slice k: own = slice k-1's prediction (default), gt = its true boundary (needs truth), none")
    String propagate;
    @Option(names = "--reverse", description = "pass the prior from the last slice towards the first (slice k gets slice k+1's boundary)")
    boolean reverse;
    @Option(names = "--two-way", description = "a reverse pass, then a forward pass averaging both passes' probabilities: each slice hears from"
            + " both neighbours (better ARI/VI on our tests, twice the time)")
    boolean twoWay;
    @Option(names = "--first-mask", paramLabel = "FILE.png", description = "the first slice's prior (0/255 boundary image); default: none")
    Path firstMask;
    @Option(names = "--tile", defaultValue = "256", description = "tile core size (default ${DEFAULT-VALUE})")
    int tile;
    @Option(names = "--margin", defaultValue = "32", description = "tile overlap margin (default ${DEFAULT-VALUE})")
    int margin;
    @Option(names = "--stitch", defaultValue = "blend", paramLabel = "original|blend",
            description = "original: post-process each tile (the paper); blend: stitch probabilities, post-process once (default)")
    String stitch;
    @Option(names = "--no-close-gaps", description = "skip closing short gaps and removing spurs")
    boolean noCloseGaps;
    @Option(names = "--batch", defaultValue = "4", description = "tiles per forward pass (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:k]", description = "(default auto)")
    String device;
    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|tf32|bf16", description = "(default fp32)")
    String precision;
    @Option(names = "--truth", paramLabel = "FILE.h5|DIR", description = "ground truth to score against (and for --propagate gt)")
    Path truth;
    @Option(names = "--force", description = "write into a non-empty DIR, replacing only what wpunet wrote there (never an input)")
    boolean force;
    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    static final String BOUNDARY = "boundary", PROBABILITY = "probability", GRAINS = "grains", SCORES = "scores.json",
            SEGMENTATION_H5 = "segmentation.h5";

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        List<Path> inputs = new ArrayList<>(List.of(data));
        if (truth != null) inputs.add(truth);
        if (firstMask != null) inputs.add(firstMask);
        if (!model.equals("pretrained")) inputs.add(Path.of(model));
        Path dir = OutputPolicy.directory("--out", out, force, List.of(BOUNDARY, PROBABILITY, GRAINS, SCORES, SEGMENTATION_H5), inputs);
        Propagation mode = switch (propagate.toLowerCase(Locale.ROOT)) {
            case "own" -> Propagation.OWN;
            case "gt" -> Propagation.GT;
            case "none" -> Propagation.NONE;
            default -> throw new IllegalArgumentException("--propagate must be own, gt or none, got '" + propagate + "'");
        };
        Stitch st = switch (stitch.toLowerCase(Locale.ROOT)) {
            case "original" -> Stitch.ORIGINAL;
            case "blend" -> Stitch.BLEND;
            default -> throw new IllegalArgumentException("--stitch must be original or blend, got '" + stitch + "'");
        };
        if (reverse && twoWay) throw new IllegalArgumentException("--reverse and --two-way exclude each other (--two-way runs both directions)");
        Direction direction = twoWay ? Direction.BOTH : reverse ? Direction.REVERSE : Direction.FORWARD;
        SegmentOptions options = new SegmentOptions(tile, margin, st, !noCloseGaps, batch, precision.toLowerCase(Locale.ROOT));
        StackInput input = StackInput.read(data);
        byte[][] gt = input.truth();
        if (truth != null) {
            StackInput t = StackInput.read(truth);
            if (t.truth() == null) throw new IllegalArgumentException(truth + ": has no ground truth (expected HDF5 or images/ + labels/)");
            if (t.slices() != input.slices() || t.width() != input.width() || t.height() != input.height()) {
                throw new IllegalArgumentException(truth + ": " + t.slices() + " slices of " + t.width() + "x" + t.height() + ", but "
                        + data + " has " + input.slices() + " of " + input.width() + "x" + input.height());
            }
            gt = t.truth();
        }
        input = new StackInput(input.width(), input.height(), input.images(), gt, input.names(), input.source());
        if (slices != null) {
            int[] r = org.wpunet.train.data.TrainingSplits.parseRange(slices, "--slices", input.slices());
            input = input.range(r[0], r[1]);
        }
        if (mode == Propagation.GT && input.truth() == null)
            throw new IllegalArgumentException("--propagate gt needs the true boundaries: give --truth, or an input with labels");
        int min = org.wpunet.model.AbstractUNet.SIZE_MULTIPLE;
        if (input.width() < min || input.height() < min) {
            throw new IllegalArgumentException(data + ": the slices are " + input.width() + "x" + input.height() + "; both sides must be at least "
                    + min + " pixels (four 2x2 poolings)");
        }
        byte[] first = firstMask == null ? null : readMask(firstMask, input.width(), input.height());
        if (input.source().getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(h5|hdf5|hdf)")) {
            // segmentation.h5 needs every slice's boundary, probability and grains at once, and its writer a copy
            Estimates.requireHeap("segment", Estimates.segmentationH5Bytes(input.width(), input.height(), input.slices()),
                    input.slices() + " slices of " + input.width() + "x" + input.height());
        }

        boolean tf32Before = Precision.allowTf32();
        Precision.setAllowTf32(options.precision().equals("tf32"));
        ModelFiles.LoadedModel m = ModelFiles.load(model, TrainingModel.resolveDevice(device));
        AtomicFiles.createParentDirectories(dir.resolve("x"));
        Path stage = AtomicFiles.stagingDirectory(dir.resolve(BOUNDARY));
        List<EvalCommand.Row> rows = new ArrayList<>();
        try (var net = m.model(); Progress progress = new Progress(quiet || !Terminal.isInteractive())) {
            err.println("segmenting " + input.slices() + " slices of " + input.width() + "x" + input.height() + " with " + m.describe()
                    + ", propagation " + mode.name().toLowerCase(Locale.ROOT) + (direction == Direction.FORWARD ? "" : " (" + (direction == Direction.BOTH
                    ? "two-way" : "reverse") + ")") + ", " + st.name().toLowerCase(Locale.ROOT) + " stitching");
            err.flush();
            Segmenter seg = new Segmenter(net, m.mean(), m.std(), options);
            int passes = seg.passes(input.slices(), mode, direction);
            progress.begin(passes, passes > input.slices() ? " passes" : " slices");
            Path bd = Files.createDirectories(stage.resolve(BOUNDARY)), pd = Files.createDirectories(stage.resolve(PROBABILITY)),
                    gd = Files.createDirectories(stage.resolve(GRAINS));
            StackInput in = input;
            boolean h5 = in.source().getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(h5|hdf5|hdf)");
            // by slice index: a reverse pass delivers the slices last to first
            byte[][] allBoundary = new byte[h5 ? in.slices() : 0][];
            float[][] allProbability = new float[h5 ? in.slices() : 0][];
            int[][] allGrains = new int[h5 ? in.slices() : 0][];
            EvalCommand.Row[] scored = new EvalCommand.Row[in.slices()];
            seg.forEachSlice(in.images(), in.truth(), in.width(), in.height(), mode, direction, first, new Segmenter.Listener() {
                @Override
                public void slice(int k, int count, SliceResult r) {
                    try {
                        String name = in.names().get(k), base = name.substring(0, name.length() - 4);
                        PngIO.writeGray8(bd.resolve(name), r.boundary(), r.width(), r.height());
                        TiffIO.writeFloat(pd.resolve(base + ".tiff"), new FloatImage(r.width(), r.height(), r.probability()));
                        TiffIO.write(gd.resolve(base + ".tiff"), new LabelImage(r.width(), r.height(), r.labels()), TiffIO.Depth.BITS_32);
                        if (h5) {   // the HDF5 copy needs the whole stack at once
                            allBoundary[k] = r.boundary();
                            allProbability[k] = r.probability();
                            allGrains[k] = r.labels();
                        }
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    if (in.truth() != null) {
                        scored[k] = new EvalCommand.Row(in.names().get(k), SegmentationMetrics.evaluate(r.boundary(), in.truth()[k], r.width(),
                                r.height()));
                    }
                }

                @Override
                public void progress(int done, int total) {
                    progress.step();
                }

                @Override
                public void warning(int k, String message) {
                    progress.warn("warning: " + message);
                }
            });
            for (EvalCommand.Row row : scored) if (row != null) rows.add(row);
            List<AtomicFiles.Move> moves = new ArrayList<>(List.of(new AtomicFiles.Move(bd, dir.resolve(BOUNDARY)),
                    new AtomicFiles.Move(pd, dir.resolve(PROBABILITY)), new AtomicFiles.Move(gd, dir.resolve(GRAINS))));
            if (h5) {
                Hdf5Stack.writeSegmentation(stage.resolve(SEGMENTATION_H5), in.width(), in.height(), List.of(allBoundary), List.of(allProbability),
                        List.of(allGrains));
                moves.add(new AtomicFiles.Move(stage.resolve(SEGMENTATION_H5), dir.resolve(SEGMENTATION_H5)));
            }
            if (!rows.isEmpty()) {
                EvalCommand.writeJson(stage.resolve(SCORES), rows);
                moves.add(new AtomicFiles.Move(stage.resolve(SCORES), dir.resolve(SCORES)));
            }
            moves.add(OutputPolicy.markerMove(dir, stage, moves));
            AtomicFiles.publish(moves, true);
        } finally {
            AtomicFiles.discard(stage);
            Precision.setAllowTf32(tf32Before);
        }
        if (!rows.isEmpty()) EvalCommand.print(rows, System.out);
        err.println("wrote " + input.slices() + " slices to " + dir + " (" + BOUNDARY + "/, " + PROBABILITY + "/, " + GRAINS + "/"
                + (Files.exists(dir.resolve(SEGMENTATION_H5)) ? ", " + SEGMENTATION_H5 : "") + (rows.isEmpty() ? "" : ", " + SCORES) + ")");
        return 0;
    }

    private static byte[] readMask(Path f, int w, int h) throws IOException {
        Gray8Image g = PngIO.readGray8(f);
        if (g.width() != w || g.height() != h)
            throw new IllegalArgumentException("--first-mask " + f + " is " + g.width() + "x" + g.height() + ", the slices are " + w + "x" + h);
        EvalCommand.checkBinary(g, f);
        return g.pixels();
    }

    /** Slices/s progress bar on a terminal, else nothing but warnings. */
    private static final class Progress implements AutoCloseable {
        private final boolean plain;
        private ProgressBar bar;

        Progress(boolean plain) {
            this.plain = plain;
        }

        /** Starts the bar: {@code total} network passes; {@code unit} " slices", or " passes" for two-way (two a slice). */
        void begin(int total, String unit) {
            if (!plain) bar = new ProgressBarBuilder().setTaskName("segment").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setUpdateIntervalMillis(500).showSpeed().setUnit(unit, 1).build();
        }

        void step() { if (bar != null) bar.step(); }

        void warn(String line) { System.err.println(line); }

        @Override
        public void close() { if (bar != null) bar.close(); }
    }
}
