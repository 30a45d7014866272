package org.wpunet.tracking.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.ArrayList;
import java.util.List;
import org.wpunet.cli.OutputPolicy;
import org.wpunet.cli.Subcommand;
import org.wpunet.cli.VersionProvider;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.CentroidLinker;
import org.wpunet.tracking.GrainLinker;
import org.wpunet.tracking.OverlapLinker;
import org.wpunet.tracking.cnn.CnnLinker;
import org.wpunet.tracking.SliceAlignment;
import org.wpunet.tracking.StackTracker;
import org.wpunet.tracking.TrackingMethod;
import org.wpunet.tracking.TrackingScores;
import org.wpunet.tracking.VoxelSize;
import org.wpunet.tracking.WatershedTracker;
import org.wpunet.tracking.export.VolumeExports;
import org.wpunet.tracking.stats.GrainStatistics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code wpunet track}: 3D grains from a stack of boundary maps, with exports, statistics and scores. */
@Command(name = "track", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Rebuild the 3D grains of a stack of boundary maps (segment's output or true boundaries).",
                "Grains of each slice are linked to the previous slice (centroid, overlap, cnn) or grown by a seeded 3D watershed on the",
                "boundary probability (watershed). Writes DIR/label.h5, labels.tif (ImageJ), labels.vti (ParaView), slices/NNN.png,",
                "orthogonal.png, grains.csv and grain-sizes.png; with --truth prints the 3D scores and writes DIR/scores.json."})
public final class TrackCommand implements Callable<Integer>, Subcommand {
    @Spec
    CommandSpec spec;

    @Option(names = "--boundaries", required = true, paramLabel = "DIR|FILE.h5",
            description = "segment's output directory (boundary/*.png), a directory of boundary PNGs, or HDF5 with dataset boundary (H x W x N)")
    Path boundaries;
    @Option(names = "--probability", paramLabel = "DIR|FILE.h5",
            description = "boundary probabilities for watershed: float TIFFs (segment's probability/) or HDF5 dataset probability; "
                    + "default: the ones beside --boundaries")
    Path probability;
    @Option(names = "--method", defaultValue = "overlap", paramLabel = "centroid|overlap|cnn|watershed",
            description = "centroid, overlap (default) or cnn: the original's methods 1-3; watershed: seeded 3D watershed")
    String method;
    @Option(names = "--model", paramLabel = "FILE|RUN_DIR",
            description = "the tracker network for --method cnn: a train-tracker run or model.safetensors (default: the bundled one)")
    Path model;
    @Option(names = "--tta", description = "cnn: the original's 7-way test-time augmentation (7x the work)")
    boolean tta;
    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:k]", description = "cnn: where the tracker network runs (default auto)")
    String device;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory (new or empty, or --force)")
    Path out;
    @Option(names = "--truth", paramLabel = "FILE.h5|DIR|FILE.tif", description = "true 3D labels (dataset label) to score against")
    Path truth;
    @Option(names = "--truth-slices", paramLabel = "A-B", description = "the truth's slices (1-based, inclusive) that the boundary maps are; "
            + "default: all, or the slice numbers of segment's NNN.png names (segment --slices 21-40 writes 021.png ... 040.png)")
    String truthSlices;
    @Option(names = "--pixel-um", defaultValue = "1", description = "pixel size in um (default ${DEFAULT-VALUE})")
    double pixelUm;
    @Option(names = "--spacing-um", defaultValue = "1.8", description = "section spacing in um (default ${DEFAULT-VALUE})")
    double spacingUm;
    @Option(names = "--align", description = "register each slice to the previous one (translation, phase correlation) before tracking")
    boolean align;
    @Option(names = "--force", description = "write into a non-empty DIR, replacing only track's own outputs")
    boolean force;
    @Option(names = "--quiet", description = "no progress")
    boolean quiet;

    public TrackCommand() {}

    static final String SCORES = "scores.json", GRAINS_CSV = GrainStatistics.CSV, HISTOGRAM = GrainStatistics.HISTOGRAM, ALIGNMENT = "alignment.csv";

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        TrackingMethod m = TrackingMethod.parse(method);
        VoxelSize voxel = new VoxelSize(pixelUm, spacingUm);
        if ((model != null || tta || device != null) && m != TrackingMethod.CNN)
            throw new IllegalArgumentException("--model, --tta and --device apply to --method cnn only");
        // the one output policy (OutputPolicy): new or empty DIR, or --force replacing only what wpunet wrote
        List<String> outputs = new ArrayList<>(VolumeExports.OUTPUT_NAMES);
        outputs.addAll(List.of(GRAINS_CSV, HISTOGRAM, ALIGNMENT, SCORES));
        List<Path> inputs = new ArrayList<>(List.of(boundaries));
        if (probability != null) inputs.add(probability);
        if (truth != null) inputs.add(truth);
        if (model != null) inputs.add(model);
        Path dir = OutputPolicy.directory("--out", out, force, outputs, inputs);
        GrainLinker linker = m.linksSlices() ? linkerFor(m) : null;

        TrackInputs.Boundaries in = TrackInputs.boundaries(boundaries);
        int w = in.width(), h = in.height(), n = in.slices().length;
        LabelVolume trueVolume = null;
        if (truth != null) {
            trueVolume = truthFor(TrackInputs.truth(truth), in);
            if (trueVolume.width() != w || trueVolume.height() != h || trueVolume.depth() != n)
                throw new IllegalArgumentException(truth + ": the truth is " + trueVolume.width() + "x" + trueVolume.height() + " with "
                        + trueVolume.depth() + " slices, the boundary maps are " + w + "x" + h + " with " + n
                        + (trueVolume.depth() > n ? " (give --truth-slices A-B: which slices of the truth they are)" : ""));
        } else if (truthSlices != null) {
            throw new IllegalArgumentException("--truth-slices needs --truth");
        }
        float[][] prob = null;
        if (m == TrackingMethod.WATERSHED) {
            Path p = probability != null ? probability : TrackInputs.probabilityBeside(boundaries);
            if (p == null)
                throw new IllegalArgumentException("--method watershed needs the boundary probability: give --probability DIR|FILE.h5 "
                        + "(segment writes DIR/probability/ and segmentation.h5)");
            prob = TrackInputs.probability(p, w, h, n);
        }
        byte[][] slices = in.slices();
        SliceAlignment.Shift[] shifts = null;
        if (align) {
            SliceAlignment.Result r = SliceAlignment.alignStack(slices, w, h);
            slices = r.aligned();
            shifts = r.shifts();
            if (prob != null) for (int k = 0; k < n; k++) if (!shifts[k].isZero()) prob[k] = SliceAlignment.shift(prob[k], w, h, shifts[k]);
            long moved = java.util.Arrays.stream(shifts).filter(s -> !s.isZero()).count();
            err.println("aligned " + n + " slices: " + moved + " moved" + (moved == 0 ? "" : " (largest total shift "
                    + java.util.Arrays.stream(shifts).max(java.util.Comparator.comparingInt(s -> Math.abs(s.dx()) + Math.abs(s.dy()))).get() + " px)"));
        }
        err.println("tracking " + n + " slices of " + w + "x" + h + " from " + in.source() + " with " + m.cliName());
        err.flush();
        LabelVolume volume;
        try (TrackProgress progress = new TrackProgress(quiet, n, err)) {
            volume = m.linksSlices() ? StackTracker.track(slices, w, h, linker, progress)
                    : new WatershedTracker(voxel).track(slices, prob, w, h, progress);
        } finally {
            if (linker instanceof CnnLinker c) c.close();
        }
        AtomicFiles.createParentDirectories(dir.resolve("x"));
        // everything is written into a staging directory beside DIR, then moved into place together
        Path stage = AtomicFiles.stagingDirectory(dir.resolve(SCORES));
        GrainStatistics stats;
        TrackingScores s = null;
        try {
            VolumeExports.writeAll(volume, stage, voxel);
            stats = GrainStatistics.of(volume, voxel);
            stats.writeCsv(stage.resolve(GRAINS_CSV));
            stats.writeHistogram(stage.resolve(HISTOGRAM));
            if (shifts != null) writeShifts(stage.resolve(ALIGNMENT), shifts);
            if (trueVolume != null) {
                s = TrackingScores.compare(volume, trueVolume);
                AtomicFiles.writeString(stage.resolve(SCORES), s.toJsonText() + "\n");
            }
            List<AtomicFiles.Move> moves = new ArrayList<>();
            for (String name : outputs)
                if (Files.exists(stage.resolve(name), LinkOption.NOFOLLOW_LINKS)) moves.add(new AtomicFiles.Move(stage.resolve(name), dir.resolve(name)));
            AtomicFiles.Move marker = OutputPolicy.markerMove(dir, stage, moves);
            if (marker != null) moves.add(marker);
            AtomicFiles.publish(moves, true);
        } finally {
            AtomicFiles.discard(stage);
        }
        for (String line : stats.summaryLines()) stdout.println(line);
        if (s != null) {
            stdout.println(String.format(Locale.ROOT, "3D scores: ARI %.4f  RI %.4f  VI %.4f (merge %.4f, split %.4f)  grains %d (true %d)  "
                    + "link accuracy %.4f", s.ari(), s.ri(), s.vi(), s.viMerge(), s.viSplit(), s.grains(), s.trueGrains(), s.linkAccuracy()));
        }
        stdout.flush();
        err.println("wrote " + volume.maxLabel() + " grains to " + dir + " (" + String.join(", ", VolumeExports.OUTPUT_NAMES) + ", "
                + GRAINS_CSV + ", " + HISTOGRAM + (shifts != null ? ", " + ALIGNMENT : "") + (trueVolume != null ? ", " + SCORES : "") + ")");
        return 0;
    }

    /**
     * The part of the truth that the boundary maps cover: {@code --truth-slices A-B}; else, for a truth with
     * more slices, the slice numbers in the maps' file names (segment's {@code NNN.png}); else all of it.
     */
    private LabelVolume truthFor(LabelVolume t, TrackInputs.Boundaries in) {
        int[] numbers = null;
        if (truthSlices != null) {
            int[] r = org.wpunet.train.data.TrainingSplits.parseRange(truthSlices, "--truth-slices", t.depth());
            numbers = new int[r[1] - r[0]];   // r is 0-based, half-open
            for (int k = 0; k < numbers.length; k++) numbers[k] = r[0] + 1 + k;
        } else if (t.depth() > in.slices().length && in.numbers() != null && in.numbers()[in.numbers().length - 1] <= t.depth()) {
            numbers = in.numbers();
        }
        if (numbers == null) return t;
        int[][] planes = new int[numbers.length][];
        for (int k = 0; k < numbers.length; k++) planes[k] = t.slice(numbers[k] - 1);
        return LabelVolume.ofSlices(t.width(), t.height(), planes);
    }

    /** The linker of a slice-by-slice method; cnn opens {@code --model} (default: the bundled tracker model). */
    GrainLinker linkerFor(TrackingMethod m) throws IOException {
        return switch (m) {
            case CENTROID -> new CentroidLinker();
            case OVERLAP -> new OverlapLinker();
            case CNN -> CnnLinker.open(model == null ? null : model.toString(), device, tta);
            case WATERSHED -> throw new IllegalStateException("watershed does not link slices");
        };
    }

    private static void writeShifts(Path file, SliceAlignment.Shift[] shifts) throws IOException {
        StringBuilder sb = new StringBuilder("slice,dx,dy,total_dx,total_dy\n");
        for (int k = 0; k < shifts.length; k++) {
            SliceAlignment.Shift d = k == 0 ? shifts[0] : shifts[k].minus(shifts[k - 1]);
            sb.append(k + 1).append(',').append(d.dx()).append(',').append(d.dy()).append(',')
                    .append(shifts[k].dx()).append(',').append(shifts[k].dy()).append('\n');
        }
        AtomicFiles.writeString(file, sb);
    }
}
