package org.wpunet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.data.LabelVolume;

class TrackingScoresTest {
    // 4x1 pixels, 3 slices: true grains 1 (left half, all slices) and 2 (right half, all slices)
    private static final LabelVolume TRUTH = new LabelVolume(4, 1, 3, new int[] {1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2});

    @Test
    void perfectTrackingScoresOne() {
        LabelVolume same = new LabelVolume(4, 1, 3, new int[] {5, 5, 9, 9, 5, 5, 9, 9, 5, 5, 9, 9});
        TrackingScores s = TrackingScores.compare(same, TRUTH);
        assertEquals(1, s.ari(), 1e-12);
        assertEquals(1, s.ri(), 1e-12);
        assertEquals(0, s.vi(), 1e-12);
        assertEquals(1, s.linkAccuracy(), 1e-12);
        assertEquals(2, s.grains());
        assertEquals(2, s.trueGrains());
    }

    @Test
    void oneBrokenLinkOfFour() {
        // grain 2 gets a new id from slice 2 on: of the 4 true links (2 grains x 2 slice pairs) one is lost
        LabelVolume broken = new LabelVolume(4, 1, 3, new int[] {1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 3, 3});
        TrackingScores s = TrackingScores.compare(broken, TRUTH);
        assertEquals(0.75, s.linkAccuracy(), 1e-12);
        assertEquals(3, s.grains());
        assertEquals(0, s.viMerge(), 1e-12);
        assertEquals(true, s.viSplit() > 0);
    }

    @Test
    void mergingEverythingRecoversNoLink() {
        LabelVolume one = new LabelVolume(4, 1, 3, new int[12]);
        java.util.Arrays.fill(one.data(), 4);
        // id 4's majority true grain is grain 1 (tie -> lower id): grain 1's links count, grain 2's do not
        assertEquals(0.5, TrackingScores.compare(one, TRUTH).linkAccuracy(), 1e-12);
    }

    @Test
    void jsonKeysAreTheDocumentedOnes() {
        TrackingScores s = new TrackingScores(0.9, 0.8, 1.5, 0.7, 0.8, 10, 12, 0.95);
        assertEquals(List.of("ri", "ari", "vi", "vi_merge", "vi_split", "grains", "true_grains", "link_accuracy"), List.copyOf(s.toJson().keySet()));
        assertEquals("{\"ri\": 0.9, \"ari\": 0.8, \"vi\": 1.5, \"vi_merge\": 0.7, \"vi_split\": 0.8, \"grains\": 10, \"true_grains\": 12, "
                + "\"link_accuracy\": 0.95}", s.toJsonText());
    }

    @Test
    void shapesMustMatch() {
        var e = assertThrows(IllegalArgumentException.class, () -> TrackingScores.compare(new LabelVolume(4, 1, 2, new int[8]), TRUTH));
        assertEquals(true, e.getMessage().contains("4x1x3"), e.getMessage());
    }
}
