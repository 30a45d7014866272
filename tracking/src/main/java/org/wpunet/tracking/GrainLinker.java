package org.wpunet.tracking;

import org.wpunet.image.LabelImage;

/**
 * Links the grains of one slice to those of the slice before it: one step of tracking a stack.
 * Implementations: the original's centroid, maximum-overlap and CNN rules (ORIGINAL.md section 8).
 */
public interface GrainLinker {
    /**
     * @param previous slice k-1 as tracked so far: every pixel carries its 3D grain id (positive)
     * @param current  slice k's own grains: every pixel labelled 1..n (n = {@code current.maxLabel()})
     * @return an array of length n + 1: entry c is the id of the previous grain that current grain c
     *         continues, or 0 where c starts a new grain; entry 0 is unused. A previous id appears at
     *         most once (one winner per previous grain).
     */
    int[] link(LabelImage previous, LabelImage current);
}
