package org.wpunet.infer;

/** How tile outputs become one slice. */
public enum Stitch {
    /**
     * The original: each tile is post-processed on its own (argmax, 3x3 closing, skeleton over the
     * tile's real pixels), then its core is pasted. Skeletons may not meet across a seam.
     */
    ORIGINAL,
    /**
     * Boundary probabilities are stitched first, overlaps averaged with the weights of
     * {@link Tiling.Span#weight}, then the whole slice is post-processed once, so no seam exists for
     * the post-processing.
     */
    BLEND
}
