package org.wpunet.infer;

/** Which previous-slice boundary WPU-Net gets for slice k > 0 of a stack. */
public enum Propagation {
    /** Slice k - 1's own predicted boundary (what a user's stack without ground truth allows). */
    OWN,
    /** The true boundary of slice k - 1 (the paper's setting); needs a stack with ground truth. */
    GT,
    /** No prior: an all-grain mask for every slice. */
    NONE
}
