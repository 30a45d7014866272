package org.wpunet.infer;

/**
 * The order in which a stack's slices pass on their boundaries ({@link Propagation}).
 * Measured on three unseen synthetic stacks with the bundled model (docs/inference.md): BOTH
 * improves ARI and VI on every stack (mean ARI +0.004, VI -0.010 against FORWARD) at twice the cost.
 */
public enum Direction {
    /** Slice k gets slice k-1's boundary; the first slice gets the first mask (the paper's order). */
    FORWARD,
    /** Slice k gets slice k+1's boundary; the last slice gets the first mask. */
    REVERSE,
    /**
     * Two-way: a REVERSE pass is run first and its boundary probabilities kept (in memory, or in a
     * temporary file for large stacks); then a FORWARD pass whose probability at each slice is averaged
     * with the reverse pass's before post-processing, so every slice hears from both neighbours. The
     * forward chain passes on these averaged boundaries. Twice the network passes of one direction. For a
     * U-Net, or with {@link Propagation#NONE}, both passes would be identical, so one FORWARD pass runs.
     */
    BOTH
}
