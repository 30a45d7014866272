package org.wpunet.train.data;

/** Where one sample's previous-slice input came from. */
public enum PrevSource {
    /** The previous slice's true boundary. */
    TRUE,
    /** No boundary at all (every pixel coded as grain, 1). */
    EMPTY,
    /** The true boundary with stretches removed, thickness jittered and the whole mask shifted. */
    DEGRADED,
    /**
     * To be replaced by the network's own prediction of {@link Batch#previousImages()}; the dataset
     * fills {@link Batch#previous()} with the true coding as a fallback.
     */
    OWN
}
