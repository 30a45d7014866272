package org.wpunet.train.loss;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The losses of the original WPU-Net ({@code WeightMapLoss.forward(..., method)} and the trainer's
 * {@code --loss cbw}), named as the command line takes them. m is the dilated 0/1 boundary target, W0 and
 * W1 the background and boundary channels of the weight map; the cross-entropy variants weigh the two
 * classes per pixel (wb on background, wo on boundary) over a softmax clamped to [1e-20, 1] and take ONE
 * ratio over the batch, sum(-wb log p0 - wo log p1) / sum(wb + wo). Methods 0 and 6 (and any other
 * value in (-1, 6]) give wb = wo = 0, so 0/0 = NaN in the original: they are not offered.
 */
public enum LossKind {
    /** Method 4, the paper's adaptive boundary weighting (the original's default). */
    ABW(2, "adaptive boundary weighting (method 4, the paper's): wo = m*W1 where W1 >= W0 else 0, wb = W0 where wo <= W0 else 0"),
    /** nn.CrossEntropyLoss(weight=[1, 20]) on the dilated target (the original's --loss cbw). */
    CBW(2, "class-balanced cross-entropy, class weights [1, 20], weighted mean (the original's --loss cbw)"),
    /** Method 1: class balance. */
    WCE1(2, "method 1, class balance: wb = 5 (1-m), wo = 20 m"),
    /** Method 2: the weight map's two channels on their own classes. */
    WCE2(2, "method 2: wb = (1-m) W0, wo = m W1"),
    /** Method 3: constant background weight, boundary channel on boundary pixels. */
    WCE3(2, "method 3: wb = 5 (1-m), wo = m W1"),
    /** Method 5: method 4's boundary weight, background weight 1. */
    WCE5(2, "method 5: wo as abw, wb = 1 where wo <= W0 else 0"),
    /** Method 7: weighted MSE of a 1-channel prediction, weights 20 on the target, 5 elsewhere. */
    MSE7(1, "method 7, 1-channel weighted MSE: w = 15 m + 5, mean over samples of sum w (x-m)^2 / sum w"),
    /** Method 8: weighted MSE of a 1-channel prediction, weights 30 on the target, W0 elsewhere (at least 1). */
    MSE8(1, "method 8, 1-channel weighted MSE: w = max(1, 30 m + (1-m) W0), mean over samples of sum w (x-m)^2 / sum w");

    private final int channels;
    private final String description;

    LossKind(int channels, String description) {
        this.channels = channels;
        this.description = description;
    }

    /**
     * Parses abw|cbw|wce1|wce2|wce3|wce5|mse7|mse8 (case-insensitive, surrounding blanks ignored). Methods
     * 0 and 6 ("wce0", "wce6", "mse0", "mse6", "0", "6", "method6", ...) are refused with the reason.
     */
    public static LossKind parse(String name) {
        if (name == null) throw new IllegalArgumentException("no loss name given; valid names: " + validNames());
        String s = name.trim().toLowerCase(Locale.ROOT);
        for (LossKind k : values()) if (k.cliName().equals(s)) return k;
        if (s.matches("(wce|mse|method|m)?[06]")) {
            throw new IllegalArgumentException("loss '" + name + "': methods 0 and 6 of the original WeightMapLoss set both class"
                    + " weights to 0, so its loss is 0/0 = NaN; valid names: " + validNames());
        }
        throw new IllegalArgumentException("unknown loss '" + name + "'; valid names: " + validNames());
    }

    /** The valid names, comma-separated, in declaration order. */
    public static String validNames() {
        return Arrays.stream(values()).map(LossKind::cliName).collect(Collectors.joining(", "));
    }

    /** The command-line name: "abw", "cbw", "wce1", ... */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** Channels of the prediction the loss takes: 2 for the cross-entropy variants, 1 for MSE7/MSE8. */
    public int outputChannels() { return channels; }

    /** One line for --help and the docs. */
    public String description() { return description; }

    /** Whether the loss reads the weight maps (else they may be null). */
    boolean usesWeightMaps() { return this == ABW || this == WCE2 || this == WCE3 || this == WCE5 || this == MSE8; }
}
