package org.wpunet.train.data;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;

/**
 * The training and validation slices of a stack of {@code slices} slices, each 0-based half-open
 * [from, to) with at least 2 slices (a part's first slice only serves as the previous slice of its
 * second). Users write ranges 1-based inclusive, "1-116".
 */
public record TrainingSplits(int slices, int trainFrom, int trainTo, int validationFrom, int validationTo) {
    private static final Pattern RANGE = Pattern.compile("\\s*(\\d+)\\s*-\\s*(\\d+)\\s*");

    public TrainingSplits {
        if (slices < 1) throw new IllegalArgumentException("a stack has at least one slice, got " + slices);
        check("training", trainFrom, trainTo, slices);
        check("validation", validationFrom, validationTo, slices);
        if (trainFrom < validationTo && validationFrom < trainTo)
            throw new IllegalArgumentException("training slices " + StackSplits.describe(new int[] {trainFrom, trainTo})
                    + " and validation slices " + StackSplits.describe(new int[] {validationFrom, validationTo}) + " overlap");
    }

    private static void check(String part, int from, int to, int slices) {
        String r = StackSplits.describe(new int[] {from, to});
        if (from < 0 || to > slices || to <= from)
            throw new IllegalArgumentException("the " + part + " slices " + (to <= from ? "are empty" : r + " are outside 1-" + slices));
        if (to - from < 2)
            throw new IllegalArgumentException("the " + part + " part, slice " + r + ", needs at least 2 slices (its first slice has no previous slice)");
    }

    /** The paper's split (1-116 train, 117-148 validation of 296) scaled to {@code slices}. */
    public static TrainingSplits paper(int slices) { return paper(slices, 1.0); }

    /**
     * The paper's split scaled to the first round(fraction * slices) slices of the stack (fraction in
     * (0, 1]; smaller fractions give quick runs on part of a stack).
     */
    public static TrainingSplits paper(int slices, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("fraction must be in (0, 1], got " + fraction);
        if (slices < 1) throw new IllegalArgumentException("a stack has at least one slice, got " + slices);
        int used = Math.max(1, (int) Math.round(fraction * slices));
        StackSplits s = StackSplits.forSlices(used);
        int[] t = s.train(), v = s.validation();
        if (t[1] - t[0] < 2 || v[1] - v[0] < 2)
            throw new IllegalArgumentException("the paper's split of " + used + " slices (" + s + ") leaves fewer than 2 slices"
                    + " for training or validation; give explicit ranges or use more slices");
        return new TrainingSplits(slices, t[0], t[1], v[0], v[1]);
    }

    /** Explicit 1-based inclusive ranges such as "1-116" and "117-148" of a stack of {@code slices}. */
    public static TrainingSplits parse(String train, String validation, int slices) {
        int[] t = parseRange(train, "training", slices), v = parseRange(validation, "validation", slices);
        return new TrainingSplits(slices, t[0], t[1], v[0], v[1]);
    }

    /** "a-b" (1-based inclusive, a &lt; b, within 1..slices) as 0-based half-open {a - 1, b}. */
    public static int[] parseRange(String s, String part, int slices) {
        Matcher m = RANGE.matcher(s == null ? "" : s);
        if (!m.matches())
            throw new IllegalArgumentException("the " + part + " range '" + s + "' is not of the form first-last (1-based, inclusive), e.g. 1-116");
        long a, b;
        try {
            a = Long.parseLong(m.group(1));
            b = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the " + part + " range '" + s + "' has a number too large", e);
        }
        if (a < 1 || b > slices)
            throw new IllegalArgumentException("the " + part + " range " + a + "-" + b + " is outside the stack's slices 1-" + slices);
        if (b < a) throw new IllegalArgumentException("the " + part + " range " + a + "-" + b + " ends before it starts");
        if (b == a)
            throw new IllegalArgumentException("the " + part + " range " + a + "-" + b + " has 1 slice; it needs at least 2 (its first slice has no previous slice)");
        return new int[] {(int) a - 1, (int) b};
    }

    public int[] train() { return new int[] {trainFrom, trainTo}; }
    public int[] validation() { return new int[] {validationFrom, validationTo}; }

    /** The training samples of {@code stack}, which must have {@link #slices()} slices. */
    public SliceDataset trainingSet(SerialStack stack, DatasetOptions o) {
        return SliceDataset.training(checked(stack), trainFrom, trainTo, o);
    }

    /** The validation tiles of {@code stack}, which must have {@link #slices()} slices. */
    public SliceDataset validationSet(SerialStack stack, DatasetOptions o) {
        return SliceDataset.validation(checked(stack), validationFrom, validationTo, o);
    }

    private SerialStack checked(SerialStack stack) {
        if (stack.slices() != slices)
            throw new IllegalArgumentException("the split is for " + slices + " slices, the stack has " + stack.slices());
        return stack;
    }

    /** "train 1-116, validation 117-148" (1-based inclusive). */
    @Override
    public String toString() {
        return "train " + StackSplits.describe(train()) + ", validation " + StackSplits.describe(validation());
    }
}
