package org.wpunet.infer;

import java.util.List;

/**
 * The segmentation of a stack.
 *
 * @param slices   one result per slice, in order
 * @param guarded  0-based indices of the slices the guard re-segmented without their prior
 * @param seconds  wall time of the whole stack
 */
public record StackResult(List<SliceResult> slices, List<Integer> guarded, double seconds) {
    public StackResult {
        slices = List.copyOf(slices);
        guarded = List.copyOf(guarded);
    }

    /** Slices per second. */
    public double slicesPerSecond() { return slices.size() / seconds; }
}
