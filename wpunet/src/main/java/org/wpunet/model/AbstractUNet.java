package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.module.Sequential;

import java.util.Arrays;

/**
 * What {@link UNet} and {@link WpuNet} share: the widths check, the input check and the expanding
 * path. Subclasses register {@code down1..down4} first, then call {@link #registerDecoder}, which adds
 * {@code bottom} (= Sequential(MaxPool2d, DoubleConv)), {@code up1, upconv1, ..., up4, upconv4} and
 * {@code final} (= Sequential(1x1 Conv2d)) in the original code's order, so state-dict keys and their
 * order equal PyTorch's.
 */
public abstract class AbstractUNet extends Layer {
    /** H and W must be multiples of this: four 2x2 poolings. */
    public static final int SIZE_MULTIPLE = 16;
    /** The original widths (64, 128, 256, 512, 1024). */
    static final int[] DEFAULT_WIDTHS = {64, 128, 256, 512, 1024};

    private final int inChannels, classes;
    private final int[] widths;
    private Sequential bottom, head;
    private UpConcat[] ups;
    private DoubleConv[] upconvs;

    protected AbstractUNet(int inChannels, int classes, int[] widths) {
        this.inChannels = inChannels;
        this.classes = classes;
        this.widths = widths.clone();
    }

    static int[] checkWidths(int[] widths) {
        if (widths == null || widths.length != 5) {
            throw new IllegalArgumentException("widths must have 5 entries (4 encoder levels + bottom), got " + Arrays.toString(widths));
        }
        for (int w : widths) if (w < 1) throw new IllegalArgumentException("widths must be positive, got " + Arrays.toString(widths));
        return widths.clone();
    }

    /**
     * Registers the bottom level, the four up-steps and the 1x1 head. The concatenation
     * [skip, upsampled] has 2 w[k] channels (equal to w[k+1] for doubling widths, as in the original).
     */
    protected final void registerDecoder(Rng rng) {
        int[] w = widths;
        bottom = registerModule("bottom", new Sequential(new MaxPool2d(2), new DoubleConv(w[3], w[4], rng)));
        ups = new UpConcat[4];
        upconvs = new DoubleConv[4];
        for (int k = 0; k < 4; k++) {
            int level = 3 - k;   // up1 goes from the bottom (w[4]) to level 4 (w[3])
            ups[k] = registerModule("up" + (k + 1), new UpConcat(w[level + 1], w[level], rng));
            upconvs[k] = registerModule("upconv" + (k + 1), new DoubleConv(2 * w[level], w[level], rng));
        }
        head = registerModule("final", new Sequential(new Conv2d(w[0], classes, 1, 1, 0, rng)));
    }

    /** The expanding path from the four encoder levels' features to logits [N, classes, H, W]. */
    protected final Variable decode(Variable d1, Variable d2, Variable d3, Variable d4) {
        Variable[] skips = {d4, d3, d2, d1};
        Variable y = bottom.forward(d4);
        for (int k = 0; k < 4; k++) y = upconvs[k].forward(ups[k].forward(y, skips[k]));
        return head.forward(y);
    }

    /** Rank 4, {@code inChannels} channels, H and W positive multiples of 16; else an error naming the shape. */
    protected final void checkInput(Variable x) {
        int[] s = x.shape();
        String expect = getClass().getSimpleName() + " expects input [N," + inChannels + ",H,W] with H and W positive multiples of "
                + SIZE_MULTIPLE + " (four 2x2 poolings), got " + Arrays.toString(s);
        if (s.length != 4 || s[0] < 1) throw new IllegalArgumentException(expect);
        if (s[1] != inChannels) throw new IllegalArgumentException(expect + ": wrong channel count " + s[1]);
        if (s[2] < 1 || s[3] < 1 || s[2] % SIZE_MULTIPLE != 0 || s[3] % SIZE_MULTIPLE != 0) {
            throw new IllegalArgumentException(expect + ": H=" + s[2] + ", W=" + s[3] + " not divisible by " + SIZE_MULTIPLE);
        }
    }

    public int inChannels() { return inChannels; }

    public int classes() { return classes; }

    public int[] widths() { return widths.clone(); }
}
