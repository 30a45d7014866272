package org.wpunet.nn.autograd;

import org.wpunet.core.DType;
import org.wpunet.core.Tensor;

import java.util.Arrays;

/** The one place where gradients of broadcast inputs are summed back to the input's shape. */
public final class GradReduce {
    private GradReduce() {}

    /**
     * Sums g over the dims that broadcasting added or stretched, so the result has {@code shape}:
     * leading extra dims are summed away, dims of size 1 in {@code shape} are summed with keepdim.
     * Always returns a new tensor object (possibly a view of g), cast to {@code dtype}.
     */
    public static Tensor sumToShape(Tensor g, int[] shape, DType dtype) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g.to(dtype);
        int lead = gs.length - shape.length;
        if (lead < 0) {
            throw new IllegalStateException("gradient shape " + Arrays.toString(gs) + " has fewer dims than input shape "
                    + Arrays.toString(shape));
        }
        int[] dims = new int[gs.length];
        int k = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead) dims[k++] = i;
            else if (shape[i - lead] == 1 && gs[i] != 1) dims[k++] = i;
            else if (shape[i - lead] != gs[i]) {
                throw new IllegalStateException("gradient shape " + Arrays.toString(gs) + " does not broadcast from input shape "
                        + Arrays.toString(shape));
            }
        }
        if (k == 0) {
            try (Tensor r = g.reshape(shape)) {
                return r.to(dtype);
            }
        }
        try (Tensor s = g.sum(true, Arrays.copyOf(dims, k)); Tensor r = s.reshape(shape)) {
            return r.to(dtype);
        }
    }
}
