package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.TransientScope;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.MaxPool2d;
import org.wpunet.nn.module.Sequential;

import java.util.Arrays;

/**
 * The plain U-Net baseline (Ronneberger et al.), as in the WPU-Net paper's comparison: one image
 * channel by default, 2 classes, widths 64..1024, no propagation. Keys follow the original code's
 * {@code UNet}: {@code down1.0.*} (= Sequential(DoubleConv)), {@code down2.1.*} .. {@code down4.1.*}
 * (= Sequential(MaxPool2d, DoubleConv)), then the shared decoder keys (see {@link AbstractUNet}).
 * 31,042,434 parameters at the default widths.
 */
public final class UNet extends AbstractUNet {
    /** Input channels, output classes, the five widths, and the weight initialisation. */
    public record Config(int inChannels, int classes, int[] widths, ConvInit init) {
        public Config {
            if (inChannels < 1 || classes < 1) {
                throw new IllegalArgumentException("UNet needs inChannels >= 1 and classes >= 1, got " + inChannels + ", " + classes);
            }
            widths = checkWidths(widths);
            if (init == null) throw new IllegalArgumentException("init must not be null");
        }

        /** 1 channel, 2 classes, widths 64..1024, PyTorch's default init. */
        public static Config defaults() { return new Config(1, 2, DEFAULT_WIDTHS, ConvInit.PYTORCH_DEFAULT); }

        @Override
        public int[] widths() { return widths.clone(); }

        public Config withInChannels(int c) { return new Config(c, classes, widths, init); }

        public Config withClasses(int c) { return new Config(inChannels, c, widths, init); }

        public Config withWidths(int... w) { return new Config(inChannels, classes, w, init); }

        public Config withInit(ConvInit i) { return new Config(inChannels, classes, widths, i); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.inChannels == inChannels && c.classes == classes && Arrays.equals(c.widths, widths)
                    && c.init == init;
        }

        @Override
        public int hashCode() { return 31 * (31 * (31 * inChannels + classes) + Arrays.hashCode(widths)) + init.hashCode(); }

        @Override
        public String toString() {
            return "UNet.Config[inChannels=" + inChannels + ", classes=" + classes + ", widths=" + Arrays.toString(widths) + ", init=" + init + "]";
        }
    }

    private final Config config;
    private final Sequential down1, down2, down3, down4;

    public UNet(Config config, Rng rng) {
        super(config.inChannels(), config.classes(), config.widths());
        this.config = config;
        int[] w = config.widths();
        down1 = registerModule("down1", new Sequential(new DoubleConv(config.inChannels(), w[0], rng)));
        down2 = registerModule("down2", new Sequential(new MaxPool2d(2), new DoubleConv(w[0], w[1], rng)));
        down3 = registerModule("down3", new Sequential(new MaxPool2d(2), new DoubleConv(w[1], w[2], rng)));
        down4 = registerModule("down4", new Sequential(new MaxPool2d(2), new DoubleConv(w[2], w[3], rng)));
        registerDecoder(rng);
        config.init().apply(this, rng);
    }

    /** Seeded with 0. */
    public UNet(Config config) { this(config, new Rng(0)); }

    public Config config() { return config; }

    /** x [N, inChannels, H, W] with H, W multiples of 16 -> logits [N, classes, H, W]. */
    @Override
    public Variable forward(Variable x) {
        checkInput(x);
        // the intermediates never leave this method: graph-owned (see WpuNet#forward)
        try (TransientScope ts = TransientScope.open()) {
            Variable d1 = down1.forward(x);
            Variable d2 = down2.forward(d1);
            Variable d3 = down3.forward(d2);
            Variable d4 = down4.forward(d3);
            return ts.keep(decode(d1, d2, d3, d4));
        }
    }
}
