package org.wpunet.data;

/**
 * Train / validation / test split by slice index, as in the paper: of 296 slices, 1-116 train,
 * 117-148 validation, 149-296 test. Other stack sizes are split at the same fractions
 * (116/296 and 148/296 of the stack, rounded). Ranges are 0-based, half-open.
 */
public record StackSplits(int slices, int trainEnd, int validationEnd) {
    /** Paper slice counts: the stack, end of training, end of validation (1-based inclusive ends). */
    public static final int PAPER_SLICES = 296, PAPER_TRAIN_END = 116, PAPER_VALIDATION_END = 148;

    public StackSplits {
        if (slices < 1) throw new IllegalArgumentException("a split needs at least one slice, got " + slices);
        if (trainEnd < 0 || validationEnd < trainEnd || validationEnd > slices)
            throw new IllegalArgumentException("bad split 0.." + trainEnd + ".." + validationEnd + ".." + slices);
    }

    /** The paper's split scaled to {@code slices} slices (exactly the paper's for 296). */
    public static StackSplits forSlices(int slices) {
        if (slices < 1) throw new IllegalArgumentException("a split needs at least one slice, got " + slices);
        int train = (int) Math.round((double) slices * PAPER_TRAIN_END / PAPER_SLICES);
        int val = (int) Math.round((double) slices * PAPER_VALIDATION_END / PAPER_SLICES);
        return new StackSplits(slices, train, Math.max(train, val));
    }

    /** [start, end) of the training slices. */
    public int[] train() { return new int[] {0, trainEnd}; }
    /** [start, end) of the validation slices. */
    public int[] validation() { return new int[] {trainEnd, validationEnd}; }
    /** [start, end) of the test slices. */
    public int[] test() { return new int[] {validationEnd, slices}; }

    /** Whether the part {@code range} ({@link #train()}, {@link #validation()} or {@link #test()}) has no slices. */
    public static boolean isEmpty(int[] range) { return range[1] <= range[0]; }

    /**
     * The training slices of {@code stack} (which must have {@link #slices()} slices). A stack has
     * at least one slice, so an empty part (small stacks) is an error; check {@link #isEmpty} first.
     */
    public SerialStack train(SerialStack stack) { return part(stack, train(), "training"); }
    public SerialStack validation(SerialStack stack) { return part(stack, validation(), "validation"); }
    public SerialStack test(SerialStack stack) { return part(stack, test(), "test"); }

    private SerialStack part(SerialStack stack, int[] r, String name) {
        if (stack.slices() != slices)
            throw new IllegalArgumentException("the split is for " + slices + " slices, the stack has " + stack.slices());
        if (isEmpty(r)) throw new IllegalArgumentException("the " + name + " part of " + this + " is empty");
        return stack.range(r[0], r[1]);
    }

    /**
     * "train 1-2, validation none, test 3-4": 1-based inclusive slice numbers of each part, a single
     * slice as its number, an empty part as "none".
     */
    @Override
    public String toString() {
        return "train " + describe(train()) + ", validation " + describe(validation()) + ", test " + describe(test());
    }

    /** A 0-based half-open range [start, end) as 1-based slice numbers: "none", "3" or "3-7". */
    public static String describe(int[] range) {
        if (range.length != 2) throw new IllegalArgumentException("a range is [start, end), got " + range.length + " numbers");
        int start = range[0], end = range[1];
        if (end <= start) return "none";
        return end - start == 1 ? Integer.toString(start + 1) : (start + 1) + "-" + end;
    }
}
