package org.wpunet.tracking;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The ways {@code track} builds 3D grains ({@code --method}). */
public enum TrackingMethod {
    /** The original's method 1: nearest centroid with IoU > 0.2 ({@link CentroidLinker}). */
    CENTROID,
    /** The original's method 2: maximum overlap in rounds ({@link OverlapLinker}). */
    OVERLAP,
    /** The original's method 3: a same/different-grain CNN on crops of grain pairs. */
    CNN,
    /** Beyond the original: a seeded 3D watershed on the boundary probability ({@link WatershedTracker}). */
    WATERSHED;

    /** The name on the command line. */
    public String cliName() { return name().toLowerCase(Locale.ROOT); }

    /** Parses a command-line name; an unknown one is an error listing the known ones. */
    public static TrackingMethod parse(String s) {
        for (TrackingMethod m : values()) if (m.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) return m;
        throw new IllegalArgumentException("--method must be one of " + Arrays.stream(values()).map(TrackingMethod::cliName)
                .collect(Collectors.joining(", ")) + ", got '" + s + "'");
    }

    /** True when the method links slice by slice through a {@link GrainLinker}. */
    public boolean linksSlices() { return this != WATERSHED; }
}
