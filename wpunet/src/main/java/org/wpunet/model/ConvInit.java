package org.wpunet.model;

import org.wpunet.core.Rng;
import org.wpunet.nn.init.Init;
import org.wpunet.nn.module.Conv2d;
import org.wpunet.nn.module.Layer;

/** How a freshly built network's convolution weights are initialised. */
public enum ConvInit {
    /** PyTorch's defaults as the layers create them (kaiming-uniform a = sqrt(5), uniform biases). */
    PYTORCH_DEFAULT,
    /**
     * The original training recipe: Xavier-uniform (gain 1) on every {@link Conv2d} weight, the 1x1
     * head included; biases and transposed convolutions keep the defaults (the original's
     * {@code classname.find('Conv2d')} test does not match {@code ConvTranspose2d}).
     */
    XAVIER_UNIFORM;

    /** Re-initialises {@code model}'s weights in place (a no-op for {@link #PYTORCH_DEFAULT}). */
    public void apply(Layer model, Rng rng) {
        if (this == PYTORCH_DEFAULT) return;
        if (model instanceof Conv2d conv) Init.xavierUniform(conv.parameter("weight").value(), 1.0, rng);
        for (Layer child : model.namedChildren().values()) apply(child, rng);
    }
}
