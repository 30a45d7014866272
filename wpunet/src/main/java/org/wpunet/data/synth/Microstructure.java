package org.wpunet.data.synth;

/**
 * A 3D grain structure cut into parallel serial sections. Section k is the plane at depth
 * {@code k * spacing} (in pixels); its labels are ids of 3D grains, so a grain keeps its id from one
 * section to the next.
 */
public interface Microstructure {
    int width();
    int height();
    int sections();

    /** Grain ids of section k, width*height row-major, all positive. Safe to call from several threads. */
    int[] section(int k);
}
