package org.wpunet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;

class StackTrackerTest {
    private static final SerialStack STACK = StackSynthesizer.generate(
            StackSynthesizer.Config.of(96, 96, 12, 24, 5).withFlaws(Flaws.LIGHT));

    @Test
    void overlapTrackerRecoversTheTrueGrainsFromTrueBoundaries() {
        List<Integer> seen = new ArrayList<>();
        LabelVolume found = StackTracker.track(STACK.boundaries(), STACK.width(), STACK.height(), new OverlapLinker(),
                (k, n) -> seen.add(k));
        TrackingScores s = TrackingScores.compare(found, STACK.labelVolume());
        assertTrue(s.ari() >= 0.95, "3D ARI " + s);
        assertTrue(s.linkAccuracy() >= 0.9, "link accuracy " + s);
        assertEquals(STACK.slices(), seen.size());
        assertEquals(STACK.slices() - 1, seen.get(seen.size() - 1));
    }

    @Test
    void centroidTrackerIsReasonableToo() {
        LabelVolume found = StackTracker.track(STACK.boundaries(), STACK.width(), STACK.height(), new CentroidLinker());
        TrackingScores s = TrackingScores.compare(found, STACK.labelVolume());
        assertTrue(s.ari() >= 0.8, "3D ARI " + s);
    }

    @Test
    void unmatchedGrainsStartNewIdsAndRelabelIsThreeD() {
        // slice 0: one grain; slice 1: a vertical boundary at x = 4 splits it; the boundary column goes to the right
        // grain (equal areas: painted last), which so overlaps more and continues; the left one is new.
        // slice 2: the same split -> both continue. Final volume: two 3D grains.
        int w = 9, h = 7;
        byte[] none = new byte[w * h], split = new byte[w * h];
        for (int y = 0; y < h; y++) split[4 + w * y] = (byte) 255;
        LabelVolume v = StackTracker.track(new byte[][] {none, split, split}, w, h, new OverlapLinker());
        assertEquals(2, v.maxLabel());
        assertEquals(v.get(7, 3, 0), v.get(7, 3, 2));
        assertEquals(v.get(4, 3, 0), v.get(4, 3, 1));
        assertTrue(v.get(7, 3, 1) != v.get(1, 3, 1));
    }

    @Test
    void aGrainOfOneMiddleSliceIsMerged() {
        // slices 0 and 2 one grain; slice 1 has a small closed box that exists nowhere else -> merged away
        int w = 12, h = 12;
        byte[] none = new byte[w * h], box = new byte[w * h];
        for (int i = 3; i <= 7; i++) { box[i + w * 3] = box[i + w * 7] = box[3 + w * i] = box[7 + w * i] = (byte) 255; }
        LabelVolume v = StackTracker.track(new byte[][] {none, box, none}, w, h, new OverlapLinker());
        assertEquals(1, v.maxLabel());
    }

    @Test
    void aVolumeOfSliceGrainsTracksLikeTheBoundaryMaps() {
        int w = STACK.width(), h = STACK.height();
        int[][] planes = new int[STACK.slices()][];
        for (int k = 0; k < planes.length; k++) planes[k] = SliceGrains.of(STACK.boundaries()[k], w, h).labels();
        LabelVolume fromGrains = StackTracker.track(LabelVolume.ofSlices(w, h, planes), new OverlapLinker(), null);
        LabelVolume fromMaps = StackTracker.track(STACK.boundaries(), w, h, new OverlapLinker());
        org.junit.jupiter.api.Assertions.assertArrayEquals(fromMaps.data(), fromGrains.data());
    }

    @Test
    void badInputIsOneClearError() {
        var e = assertThrows(IllegalArgumentException.class, () -> StackTracker.track(new byte[0][], 4, 4, new OverlapLinker()));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> StackTracker.track(new byte[][] {new byte[16], new byte[12]}, 4, 4,
                new OverlapLinker()));
        assertTrue(e.getMessage().contains("slice 2"), e.getMessage());
        // a linker that breaks the contract is caught, not silently used
        var s = assertThrows(IllegalStateException.class, () -> StackTracker.track(new byte[][] {new byte[16], new byte[16]}, 4, 4,
                (prev, cur) -> new int[] {0, 99}));
        assertTrue(s.getMessage().contains("99"), s.getMessage());
    }
}
