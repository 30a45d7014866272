package org.wpunet.train.data;

import java.util.Objects;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;
import org.wpunet.image.Morphology;
import org.wpunet.image.StructuringElement;
import org.wpunet.train.weights.BoundaryWeightMap;

/**
 * The samples of a range of slices, as the original {@code IronDataset}: sample = (image k, boundary
 * k, previous boundary k-1), the first slice of the range skipped (it has no predecessor there).
 * <ul>
 *   <li>Training: one sample per slice, a random crop with a random rot90 / flips ({@link Augmentation});
 *       the previous-slice input per {@link DatasetOptions#prevMode()}.</li>
 *   <li>Validation: every non-overlapping crop x crop tile of every slice, tiles that do not fit
 *       dropped (the original's {@code tailor(region=0)}); index = (slice - from - 1) * tiles + row *
 *       tilesX + column; no augmentation; previous = the true previous boundary whatever the mode.</li>
 * </ul>
 * A sample's randomness comes only from (seed, epoch, index) through {@link SampleRandom}.
 */
public final class SliceDataset implements Samples {
    private final SerialStack stack;
    private final int from, to, tilesX, tilesY;
    private final boolean training;
    private final DatasetOptions options;
    private final float[] normalised = new float[256];
    private final StructuringElement dilation;

    private SliceDataset(SerialStack stack, int from, int to, DatasetOptions o, boolean training) {
        Objects.requireNonNull(stack, "stack");
        Objects.requireNonNull(o, "options");
        String part = training ? "training" : "validation";
        if (to <= from)
            throw new IllegalArgumentException("the " + part + " split [" + from + ", " + to + ") is empty");
        if (from < 0 || to > stack.slices())
            throw new IllegalArgumentException("the " + part + " split, slices " + StackSplits.describe(new int[] {from, to})
                    + ", is outside the stack of " + stack.slices() + " slices");
        if (to - from < 2)
            throw new IllegalArgumentException("the " + part + " split, slice " + StackSplits.describe(new int[] {from, to})
                    + ", has nothing to train on: a split needs at least 2 slices (its first slice has no previous slice)");
        int c = o.crop(), w = stack.width(), h = stack.height();
        if (c > w || c > h)
            throw new IllegalArgumentException("crop " + c + "x" + c + " is larger than the images (" + w + "x" + h + ")");
        for (int k = from; k < to; k++) {
            byte[] b = stack.boundaries()[k];
            for (int i = 0; i < b.length; i++)
                if (b[i] != 0 && b[i] != (byte) 255)
                    throw new IllegalArgumentException("boundary of slice " + (k + 1) + " holds " + (b[i] & 0xFF) + " at pixel ("
                            + i % w + ", " + i / w + "); boundaries must be 0 (grain) or 255 (boundary)");
        }
        this.stack = stack;
        this.from = from;
        this.to = to;
        this.options = o;
        this.training = training;
        this.tilesX = w / c;
        this.tilesY = h / c;
        this.dilation = StructuringElement.square(o.dilation());
        // as torchvision in float32: ToTensor's v / 255, then Normalize's (x - mean) / std
        float mean = (float) o.mean(), std = (float) o.std();
        for (int v = 0; v < 256; v++) normalised[v] = (v / 255f - mean) / std;
    }

    /** Training samples from slices [from, to) (0-based): size() = to - from - 1. */
    public static SliceDataset training(SerialStack stack, int from, int to, DatasetOptions o) {
        return new SliceDataset(stack, from, to, o, true);
    }

    /** Validation tiles of slices [from, to) (0-based): size() = (to - from - 1) * tiles per slice. */
    public static SliceDataset validation(SerialStack stack, int from, int to, DatasetOptions o) {
        return new SliceDataset(stack, from, to, o, false);
    }

    @Override
    public int size() { return (to - from - 1) * tilesPerSlice(); }

    /** 1 for training, the number of whole tiles per slice for validation. */
    public int tilesPerSlice() { return training ? 1 : tilesX * tilesY; }

    public boolean isTraining() { return training; }
    @Override
    public int crop() { return options.crop(); }
    public DatasetOptions options() { return options; }
    public SerialStack stack() { return stack; }

    /** The 0-based stack slice of sample {@code index} (its previous slice is one less). */
    public int slice(int index) {
        Objects.checkIndex(index, size());
        return from + 1 + index / tilesPerSlice();
    }

    /** The crop and transform of sample {@code index} in the 1-based {@code epoch} (a tile for validation). */
    public Augmentation augmentation(int index, int epoch, long seed) {
        Objects.checkIndex(index, size());
        if (!training) {
            int t = index % tilesPerSlice(), c = crop();
            return Augmentation.tile(t % tilesX * c, t / tilesX * c);
        }
        return Augmentation.draw(random(index, epoch, seed), stack.width(), stack.height(), crop());
    }

    private static SampleRandom random(int index, int epoch, long seed) {
        if (epoch < 1) throw new IllegalArgumentException("epochs are 1-based, got " + epoch);
        return SampleRandom.of(seed, epoch, index, SampleRandom.SAMPLE);
    }

    /** The samples {@code indices} of the 1-based {@code epoch}, made on the caller's thread. */
    public Batch batch(int[] indices, int epoch, long seed) {
        if (indices.length == 0) throw new IllegalArgumentException("a batch needs at least one sample");
        Batch b = Batch.allocate(indices.length, crop(), crop());
        for (int s = 0; s < indices.length; s++) fill(b, s, indices[s], epoch, seed);
        return b;
    }

    /** Writes sample {@code index} into slot {@code slot} of {@code b} (slots are disjoint, so threads may share b). */
    @Override
    public void fill(Batch b, int slot, int index, int epoch, long seed) {
        Objects.checkIndex(index, size());
        int c = crop(), n = c * c, off = slot * n, s = slice(index);
        SampleRandom r = random(index, epoch, seed);
        Augmentation a;
        if (training) {
            a = Augmentation.draw(r, stack.width(), stack.height(), c);
        } else {
            int t = index % tilesPerSlice();
            a = Augmentation.tile(t % tilesX * c, t / tilesX * c);
        }
        int[] src = a.sourceIndices(c, stack.width());
        byte[] img = stack.images()[s], prevImg = stack.images()[s - 1], bd = stack.boundaries()[s], prevBd = stack.boundaries()[s - 1];
        byte[] label = new byte[n], prev = new byte[n];
        float[] images = b.images(), previousImages = b.previousImages();
        for (int i = 0; i < n; i++) {
            int j = src[i];
            images[off + i] = normalised[img[j] & 0xFF];
            previousImages[off + i] = normalised[prevImg[j] & 0xFF];
            label[i] = bd[j];
            prev[i] = prevBd[j];
        }
        System.arraycopy(prev, 0, b.previousBoundaries(), off, n);
        System.arraycopy(label, 0, b.boundaries(), off, n);

        PrevSource source = PrevSource.TRUE;
        byte[] prevInput = prev;
        if (training && options.prevMode() == PrevMaskMode.MIXED) {
            source = options.mixed().choose(r.nextDouble(), epoch);
            if (source == PrevSource.EMPTY) prevInput = null;
            else if (source == PrevSource.DEGRADED) prevInput = BoundaryDegrader.degrade(prev, c, c, r);
            // OWN: the true coding as a fallback; the trainer replaces it with its own prediction
        }
        float[] previous = b.previous();
        for (int i = 0; i < n; i++) previous[off + i] = prevInput != null && prevInput[i] != 0 ? -6f : 1f;

        // target: the crop's boundary dilated with a square; pixels outside the crop do not count
        byte[] dilated = Morphology.dilate(label, c, c, dilation);
        float[] targets = b.targets();
        for (int i = 0; i < n; i++) targets[off + i] = dilated[i] != 0 ? 1f : 0f;
        BoundaryWeightMap.computeInto(label, c, c, b.weights(), 2 * off);
        b.sources()[slot] = source;
        b.slices()[slot] = s;
    }
}
