package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Functional;
import org.wpunet.nn.autograd.Ops;
import org.wpunet.nn.autograd.TransientScope;
import org.wpunet.nn.autograd.Variable;

import java.util.Arrays;

/**
 * WPU-Net (Ma et al., "WPU-Net: Boundary learning by using weighted propagation in convolution
 * network"): a U-Net whose input carries the previous slice's boundary mask, so boundaries propagate
 * from slice to slice.
 *
 * <p>Input [N, C, H, W] (C = 2 by default: the normalised slice image, then the previous slice's
 * boundary mask encoded boundary -6, elsewhere 1; the mask is always the <em>last</em> channel),
 * H and W multiples of 16. Encoder level 1 is a {@link DoubleConv} on the input; levels 2..4 are
 * 2x2 max-pool then DoubleConv; with <b>multi-level fusion</b> the mask is max-pooled 2x2 once per
 * level and concatenated after the pooled features ([features, mask]) before levels 2, 3 and 4,
 * whose input widths become w0+1, w1+1, w2+1. Then the bottom level and the U-Net decoder
 * ({@link AbstractUNet}); output logits [N, classes, H, W].
 *
 * <p>State-dict keys equal the original PyTorch code's {@code WPU_Net} (and the twin
 * benchmarks/gpu/wpunet_torch.py): {@code down1..down4.conv{1,2}.{0,1}.*}, {@code bottom.1.*},
 * {@code up1..up4.deconv.*}, {@code upconv1..upconv4.*}, {@code final.0.*}. 31,051,074 parameters
 * at the default widths with fusion (31,043,010 without fusion).
 */
public final class WpuNet extends AbstractUNet {
    /** Input channels (mask last), output classes, the five widths, multi-level fusion, init. */
    public record Config(int inChannels, int classes, int[] widths, boolean multiLevelFusion, ConvInit init) {
        public Config {
            if (inChannels < 1 || classes < 1) {
                throw new IllegalArgumentException("WpuNet needs inChannels >= 1 and classes >= 1, got " + inChannels + ", " + classes);
            }
            if (multiLevelFusion && inChannels < 2) {
                throw new IllegalArgumentException("multi-level fusion needs a mask channel besides the image: inChannels >= 2, got " + inChannels);
            }
            widths = checkWidths(widths);
            if (init == null) throw new IllegalArgumentException("init must not be null");
        }

        /** 2 channels (image, previous mask), 2 classes, widths 64..1024, fusion on, PyTorch's default init. */
        public static Config defaults() { return new Config(2, 2, DEFAULT_WIDTHS, true, ConvInit.PYTORCH_DEFAULT); }

        /** The defaults with the original training recipe's Xavier-uniform convolution init. */
        public static Config original() { return defaults().withInit(ConvInit.XAVIER_UNIFORM); }

        @Override
        public int[] widths() { return widths.clone(); }

        public Config withInChannels(int c) { return new Config(c, classes, widths, multiLevelFusion, init); }

        public Config withClasses(int c) { return new Config(inChannels, c, widths, multiLevelFusion, init); }

        public Config withWidths(int... w) { return new Config(inChannels, classes, w, multiLevelFusion, init); }

        public Config withMultiLevelFusion(boolean on) { return new Config(inChannels, classes, widths, on, init); }

        public Config withInit(ConvInit i) { return new Config(inChannels, classes, widths, multiLevelFusion, i); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.inChannels == inChannels && c.classes == classes && Arrays.equals(c.widths, widths)
                    && c.multiLevelFusion == multiLevelFusion && c.init == init;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(new int[]{inChannels, classes, Arrays.hashCode(widths), multiLevelFusion ? 1 : 0, init.hashCode()});
        }

        @Override
        public String toString() {
            return "WpuNet.Config[inChannels=" + inChannels + ", classes=" + classes + ", widths=" + Arrays.toString(widths)
                    + ", multiLevelFusion=" + multiLevelFusion + ", init=" + init + "]";
        }
    }

    private static final int[] POOL = {2, 2}, NO_PAD = {0, 0}, DILATION = {1, 1};

    private final Config config;
    private final DoubleConv down1, down2, down3, down4;

    public WpuNet(Config config, Rng rng) {
        super(config.inChannels(), config.classes(), config.widths());
        this.config = config;
        int[] w = config.widths();
        int extra = config.multiLevelFusion() ? 1 : 0;
        down1 = registerModule("down1", new DoubleConv(config.inChannels(), w[0], rng));
        down2 = registerModule("down2", new DoubleConv(w[0] + extra, w[1], rng));
        down3 = registerModule("down3", new DoubleConv(w[1] + extra, w[2], rng));
        down4 = registerModule("down4", new DoubleConv(w[2] + extra, w[3], rng));
        registerDecoder(rng);
        config.init().apply(this, rng);
    }

    /** Seeded with 0. */
    public WpuNet(Config config) { this(config, new Rng(0)); }

    public Config config() { return config; }

    /** x [N, inChannels, H, W] (mask last), H and W multiples of 16 -> logits [N, classes, H, W]. */
    @Override
    public Variable forward(Variable x) {
        checkInput(x);
        // the intermediates never leave this method: graph-owned, so backward closes each value once
        // the last rule that reads it has run (the logits stay the caller's)
        try (TransientScope ts = TransientScope.open()) {
            Variable d1 = down1.forward(x), d2, d3, d4;
            if (config.multiLevelFusion()) {
                Variable m2 = pool(Ops.narrow(x, 1, config.inChannels() - 1, 1));
                d2 = down2.forward(Ops.concat(1, pool(d1), m2));
                Variable m3 = pool(m2);
                d3 = down3.forward(Ops.concat(1, pool(d2), m3));
                Variable m4 = pool(m3);
                d4 = down4.forward(Ops.concat(1, pool(d3), m4));
            } else {
                d2 = down2.forward(pool(d1));
                d3 = down3.forward(pool(d2));
                d4 = down4.forward(pool(d3));
            }
            return ts.keep(decode(d1, d2, d3, d4));
        }
    }

    /**
     * The original code's two-argument form: image channels [N, inChannels-1, H, W] and the previous
     * slice's mask [N, 1, H, W], concatenated as [image, mask].
     */
    public Variable forward(Variable image, Variable previousMask) {
        if (image.rank() != 4 || previousMask.rank() != 4 || previousMask.size(1) != 1 || image.size(0) != previousMask.size(0)
                || image.size(2) != previousMask.size(2) || image.size(3) != previousMask.size(3)) {
            throw new IllegalArgumentException("WpuNet expects image [N," + (config.inChannels() - 1) + ",H,W] and mask [N,1,H,W], got "
                    + Arrays.toString(image.shape()) + " and " + Arrays.toString(previousMask.shape()));
        }
        return forward(Ops.concat(1, image, previousMask));
    }

    private static Variable pool(Variable x) { return Functional.maxPool2d(x, POOL, POOL, NO_PAD, DILATION); }
}
