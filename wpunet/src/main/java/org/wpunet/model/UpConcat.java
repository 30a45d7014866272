package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.autograd.Ops;
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

    /** [skip, deconv(x)] along channels: skip.size(1) + outChannels channels. */
    public Variable forward(Variable x, Variable skip) {
        Variable up = deconv.forward(x);
        if (skip.rank() != 4 || skip.size(0) != up.size(0) || skip.size(2) != up.size(2) || skip.size(3) != up.size(3)) {
            throw new IllegalArgumentException("UpConcat: skip " + Arrays.toString(skip.shape()) + " does not match upsampled "
                    + Arrays.toString(up.shape()) + " in batch and spatial size");
        }
        return Ops.concat(1, skip, up);
    }

    /** Needs the skip features: use {@link #forward(Variable, Variable)}. */
    @Override
    public Variable forward(Variable x) {
        throw new UnsupportedOperationException("UpConcat needs the skip features: call forward(x, skip)");
    }

    @Override
    public String toString() { return "UpConcat(" + inChannels + ", " + outChannels + ")"; }
}
