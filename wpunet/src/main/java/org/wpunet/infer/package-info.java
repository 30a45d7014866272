/**
 * Segmenting slices and stacks with a trained WPU-Net or U-Net: {@link org.wpunet.infer.Tiling}
 * (tiles with a core and a context margin, any image size), {@link org.wpunet.infer.Stitch}
 * (the original per-tile post-processing, or probability blending), {@link org.wpunet.infer.GapClosing}
 * (closing short gaps, removing spurs) and {@link org.wpunet.infer.Segmenter} (the public entry:
 * one slice, or a stack with {@link org.wpunet.infer.Propagation} of the previous slice's boundary
 * and a guard against a collapsing prior). See docs/inference.md.
 */
package org.wpunet.infer;
