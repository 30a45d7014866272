package org.wpunet.tracking.cnn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wpunet.core.Device;
import org.wpunet.image.LabelImage;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.nn.module.Layer;
import org.wpunet.tracking.GrainLinker;
import org.wpunet.train.TrainingModel;

/**
 * The original's CNN tracker (ORIGINAL.md section 8, method 3): for each current grain c and each
 * previous grain p overlapping it, the pair's crop ({@link PairCrop}; skipped pairs get no score) is
 * scored with P(same grain); c's best previous grain is the first maximum, recorded for that previous
 * grain when above 0.5; each previous grain keeps its highest-scoring current grain (ties: the lower
 * current label). One pass; unmatched current grains start new grains. All crops of a slice pair go
 * through the network in batches.
 */
public final class CnnLinker implements GrainLinker, AutoCloseable {
    /** Scores crops: P(same grain) of {@code count} crops of [2, size, size] laid out one after another. */
    @FunctionalInterface
    public interface Scorer {
        float[] sameProbability(float[] crops, int count, int size);
    }

    /** The bundled tracker model's resources. */
    public static final String PRETRAINED = "pretrained", PRETRAINED_MODEL = "/org/wpunet/tracking/pretrained/tracker.safetensors",
            PRETRAINED_CONFIG = "/org/wpunet/tracking/pretrained/tracker.json";
    /** Most pairs per network batch (the original's max_num_tensor is 30). */
    static final int BATCH = 64;
    /** Input pixels per batch (64 crops of 64x64): large crops and TTA copies make smaller batches, so activations stay ~1 GB. */
    static final int BATCH_PIXELS = BATCH * 64 * 64;

    private final Scorer scorer;
    private final int size, batch;
    private final AutoCloseable owned;

    /** A linker over any scorer (crops of {@code size}); tests use a fake one. */
    public CnnLinker(Scorer scorer, int size) { this(scorer, size, 1, null); }

    private CnnLinker(Scorer scorer, int size, int copies, AutoCloseable owned) {
        this.scorer = scorer;
        this.size = size;
        this.batch = Math.max(1, Math.min(BATCH, BATCH_PIXELS / (size * size * copies)));
        this.owned = owned;
    }

    /** A linker scoring with a network (put in eval mode) on a device, with the 7-way test-time augmentation when {@code augment}. */
    public static CnnLinker of(Layer model, TrackerNet net, Device device, boolean augment) {
        NetworkScorer s = new NetworkScorer(model, device, augment);
        return new CnnLinker(s, net.size(), augment ? PairTransforms.TTA_COPIES : 1, model);
    }

    /**
     * Opens a tracker model: {@code null} or {@value #PRETRAINED} for the one bundled with this library,
     * else a train-tracker run directory (its {@code checkpoints/best}, else {@code last}), a checkpoint
     * directory, or a {@code .safetensors} file written by train-tracker (its metadata names the network).
     *
     * @param device  auto, cpu or cuda[:k] (null = auto)
     * @param augment the original's 7-way test-time augmentation (7 times the work)
     */
    public static CnnLinker open(String model, String device, boolean augment) throws IOException {
        Device d = TrainingModel.resolveDevice(device == null ? "auto" : device);
        if (model == null || model.equals(PRETRAINED)) {
            TrackerNet net;
            try (InputStream cfg = CnnLinker.class.getResourceAsStream(PRETRAINED_CONFIG);
                 InputStream in = CnnLinker.class.getResourceAsStream(PRETRAINED_MODEL)) {
                if (cfg == null || in == null) throw new IllegalStateException("the bundled tracker model " + PRETRAINED_MODEL + " is missing from the class path");
                net = TrackerNet.fromJson(new String(cfg.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), PRETRAINED_CONFIG);
                Path tmp = Files.createTempFile("wpunet-tracker-", ".safetensors");
                try {
                    Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return of(load(tmp, net, d), net, d, augment);
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
        Path file = resolve(Path.of(model));
        String meta;
        try (Safetensors.Contents c = Safetensors.readContents(file)) {
            meta = c.metadata().get(TrackerNet.METADATA);
        }
        if (meta == null) throw new IllegalArgumentException(file + ": not a tracker model (no '" + TrackerNet.METADATA + "' metadata; train one with train-tracker)");
        TrackerNet net = TrackerNet.fromJson(meta, file.toString());
        return of(load(file, net, d), net, d, augment);
    }

    /** The model file a path stands for: a run directory's best (else last) checkpoint, a checkpoint directory, or the file itself. */
    static Path resolve(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            for (Path f : List.of(TrackerTrainer.checkpointDir(p, TrackerTrainer.BEST).resolve(TrackerTrainer.MODEL_FILE),
                    TrackerTrainer.checkpointDir(p, TrackerTrainer.LAST).resolve(TrackerTrainer.MODEL_FILE), p.resolve(TrackerTrainer.MODEL_FILE))) {
                if (Files.isRegularFile(f)) return f;
            }
            throw new IllegalArgumentException(p + ": no tracker model there (expected a train-tracker run with checkpoints/best/"
                    + TrackerTrainer.MODEL_FILE + ")");
        }
        if (!Files.isRegularFile(p)) throw new java.nio.file.NoSuchFileException(p.toString());
        return p;
    }

    private static Layer load(Path file, TrackerNet net, Device d) throws IOException {
        Layer m = net.build(0);
        try (Safetensors.Contents c = Safetensors.readContents(file)) {
            Layer.LoadReport r = m.loadStateDict(c.tensors(), false);
            if (!r.isClean()) {
                m.close();
                throw new IllegalArgumentException(file + ": does not fit the " + net.net() + " tracker: " + r);
            }
        }
        m.to(d, org.wpunet.core.DType.F32);
        m.eval();
        return m;
    }

    public int cropSize() { return size; }

    /** Pairs per network batch. */
    public int pairsPerBatch() { return batch; }

    /** The pair scorer (for measurements). */
    public Scorer scorer() { return scorer; }

    @Override
    public int[] link(LabelImage previous, LabelImage current) {
        if (previous.width() != current.width() || previous.height() != current.height()) {
            throw new IllegalArgumentException("slices of different sizes: " + previous.width() + "x" + previous.height() + " and "
                    + current.width() + "x" + current.height());
        }
        int w = current.width(), h = current.height(), n = current.maxLabel(), maxP = previous.maxLabel();
        int[] prev = previous.labels(), cur = current.labels();
        int[][] bc = PairCrop.boxes(cur, w, n), bp = PairCrop.boxes(prev, w, maxP);
        int[][] ov = PairCrop.overlaps(prev, cur, n);
        // the pairs that get a crop, in the original's order (current ascending, previous ascending)
        List<int[]> pairs = new ArrayList<>();
        List<PairCrop.Box> boxes = new ArrayList<>();
        for (int c = 1; c <= n; c++) {
            for (int p : ov[c]) {
                PairCrop.Box b = PairCrop.box(prev, p, cur, c, w, h, bp[p], bc[c]);
                if (b == null) continue;
                pairs.add(new int[]{c, p});
                boxes.add(b);
            }
        }
        float[] score = new float[pairs.size()];
        int per = 2 * size * size;
        for (int from = 0; from < pairs.size(); from += batch) {
            int k = Math.min(batch, pairs.size() - from);
            float[] crops = new float[k * per];
            for (int i = 0; i < k; i++) {
                int[] pc = pairs.get(from + i);
                PairCrop.render(prev, pc[1], cur, pc[0], w, boxes.get(from + i), size, crops, i * per);
            }
            float[] s = scorer.sameProbability(crops, k, size);
            System.arraycopy(s, 0, score, from, k);
        }
        return assign(n, pairs, score);
    }

    /**
     * The original's decision on scored pairs (listed by current grain ascending, then previous
     * ascending): per current grain the first maximum, kept when above 0.5; per previous grain the
     * highest-scoring current grain, ties to the lower current label.
     */
    static int[] assign(int n, List<int[]> pairs, float[] score) {
        java.util.Map<Integer, float[]> winner = new java.util.HashMap<>();   // previous -> {current, score}
        int i = 0;
        while (i < pairs.size()) {
            int c = pairs.get(i)[0], bestP = -1;
            float best = Float.NEGATIVE_INFINITY;
            for (; i < pairs.size() && pairs.get(i)[0] == c; i++) {
                if (score[i] > best) {
                    best = score[i];
                    bestP = pairs.get(i)[1];
                }
            }
            if (best > 0.5f) {
                float[] wv = winner.get(bestP);
                if (wv == null || best > wv[1]) winner.put(bestP, new float[]{c, best});
            }
        }
        int[] link = new int[n + 1];
        for (var e : winner.entrySet()) link[(int) e.getValue()[0]] = e.getKey();
        return link;
    }

    @Override
    public void close() {
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
