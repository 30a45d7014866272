package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Variable;
import org.wpunet.nn.module.ConvTranspose2d;
import org.wpunet.nn.module.Layer;

import java.util.Arrays;

/**
 * Decoder up-step: a 2x2 stride-2 transposed convolution (child {@code deconv}) doubles H and W, then
 * the encoder's skip features are concatenated in front: {@code [skip, upsampled]} along channels.
 */
public final class UpConcat extends Layer {
    private final int inChannels, outChannels;
    private final ConvTranspose2d deconv;

    public UpConcat(int inChannels, int outChannels, Rng rng) {
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        deconv = registerModule("deconv", new ConvTranspose2d(inChannels, outChannels, 2, 2, rng));
    }

    /**
     * [skip, deconv(x)] along channels: skip.size(1) + outChannels channels (at inference written into
     * one buffer, see {@link ConvTranspose2d#forwardAfter}).
     */
    public Variable forward(Variable x, Variable skip) {
        if (x.rank() != 4 || x.size(1) != inChannels) {
            throw new IllegalArgumentException("UpConcat(" + inChannels + ", " + outChannels + "): input " + Arrays.toString(x.shape())
                    + " is not [N, " + inChannels + ", H, W]");
        }
        int[] up = {x.size(0), outChannels, deconv.outputHeight(x.size(2)), deconv.outputWidth(x.size(3))};
        if (skip.rank() != 4 || skip.size(0) != up[0] || skip.size(2) != up[2] || skip.size(3) != up[3]) {
            throw new IllegalArgumentException("UpConcat: skip " + Arrays.toString(skip.shape()) + " does not match upsampled "
                    + Arrays.toString(up) + " in batch and spatial size");
        }
        return deconv.forwardAfter(skip, x);
    }

    /** Needs the skip features: use {@link #forward(Variable, Variable)}. */
    @Override
    public Variable forward(Variable x) {
        throw new UnsupportedOperationException("UpConcat needs the skip features: call forward(x, skip)");
    }

    @Override
    public String toString() { return "UpConcat(" + inChannels + ", " + outChannels + ")"; }
}
