package org.wpunet.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;

class WatershedTrackerTest {
    private static final SerialStack STACK = StackSynthesizer.generate(
            StackSynthesizer.Config.of(96, 96, 12, 24, 5).withFlaws(Flaws.LIGHT));

    static float[][] probabilityOf(byte[][] boundaries) {
        float[][] p = new float[boundaries.length][];
        for (int k = 0; k < p.length; k++) {
            p[k] = new float[boundaries[k].length];
            for (int i = 0; i < p[k].length; i++) p[k][i] = boundaries[k][i] != 0 ? 1 : 0;
        }
        return p;
    }

    @Test
    void recoversTheTrueGrainsFromTrueBoundaries() {
        LabelVolume found = new WatershedTracker(new VoxelSize(1, 2)).track(STACK.boundaries(), probabilityOf(STACK.boundaries()),
                STACK.width(), STACK.height(), null);
        TrackingScores s = TrackingScores.compare(found, STACK.labelVolume());
        assertTrue(s.ari() >= 0.9, "3D ARI " + s);
    }

    @Test
    void floodFollowsTheLowestProbability() {
        // two seeds at the ends of a row; the probability peaks at x = 2, so the ridge splits there
        int[] labels = {1, 0, 0, 0, 0, 2};
        float[] p = {0, 0.1f, 0.9f, 0.2f, 0.1f, 0};
        assertArrayEquals(new int[] {1, 1, 1, 2, 2, 2}, WatershedTracker.flood(labels, p, 6, 1));
    }

    @Test
    void corePiecesJoinOnlyWhenTheyOverlapEnough() {
        // 6x1 sections, 3 slices: slice 0 core on x 0..3; slice 1 on x 2..5 (overlap 2 of 4: joins at 0.5);
        // slice 2 on x 5 only (overlap 1 of 1: joins); a second run at 0.75 keeps slices 0 and 1 apart
        byte[] core = {1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1};
        int[] seeds = WatershedTracker.linkCores(core, 6, 1, 3, 0.5);
        assertTrue(seeds[0] == 1 && seeds[8] == 1 && seeds[17] == 1, java.util.Arrays.toString(seeds));
        seeds = WatershedTracker.linkCores(core, 6, 1, 3, 0.75);
        assertTrue(seeds[0] == 1 && seeds[8] == 2 && seeds[17] == 2 && seeds[4] == 0, java.util.Arrays.toString(seeds));
    }

    @Test
    void missingProbabilityIsAnError() {
        var e = assertThrows(IllegalArgumentException.class, () -> new WatershedTracker(new VoxelSize(1, 1.8))
                .track(STACK.boundaries(), null, STACK.width(), STACK.height(), null));
        assertTrue(e.getMessage().contains("probability"), e.getMessage());
    }
}
