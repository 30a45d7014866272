package org.wpunet.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.wpunet.image.LabelImage;

/** The linkers' rules on hand-made slices (one row of pixels is enough: only overlaps and centroids matter). */
class LinkerRulesTest {
    private static LabelImage row(int... v) { return new LabelImage(v.length, 1, v); }

    @Test
    void overlapGivesALoserItsSecondChoiceInALaterRound() {
        // previous: id 7 on 0..5, id 9 on 6..9. current grain 1 (0..3) and 2 (4..9):
        // grain 1 overlaps 7 by 4; grain 2 overlaps 7 by 2 and 9 by 4, so it proposes to 9: no conflict
        assertArrayEquals(new int[] {0, 7, 9}, new OverlapLinker().link(row(7, 7, 7, 7, 7, 7, 9, 9, 9, 9), row(1, 1, 1, 1, 2, 2, 2, 2, 2, 2)));
        // grain 1 (0..2) overlaps 7 by 3; grain 2 (3..7) overlaps 7 by 3 and 9 by 2: tie on 7 -> lower label wins,
        // grain 2 gets 9 in round two
        assertArrayEquals(new int[] {0, 7, 9}, new OverlapLinker().link(row(7, 7, 7, 7, 7, 7, 9, 9), row(1, 1, 1, 2, 2, 2, 2, 2)));
        // grain 2 overlaps 7 more than grain 1 does: grain 2 takes 7, grain 1 has no other overlap -> new
        assertArrayEquals(new int[] {0, 0, 7, 9}, new OverlapLinker().link(row(7, 7, 7, 7, 7, 9), row(1, 1, 2, 2, 2, 3)));
    }

    @Test
    void overlapTieBetweenPreviousGrainsGoesToTheLowerId() {
        // current grain 1 overlaps 9 and 4 by two pixels each -> the lower id, 4
        assertArrayEquals(new int[] {0, 4}, new OverlapLinker().link(row(9, 9, 4, 4), row(1, 1, 1, 1)));
    }

    @Test
    void centroidNeedsIouAboveOneFifth() {
        // previous 5 spans 0..9; five current grains of two pixels each: IoU 2/10 = 0.2 each, not above -> all new
        int[] prev = new int[10];
        java.util.Arrays.fill(prev, 5);
        assertArrayEquals(new int[6], new CentroidLinker().link(row(prev), row(2, 2, 3, 3, 1, 1, 4, 4, 5, 5)));
        // current 1 spans 3..6 (IoU 0.4, distance 0); 2 and 3 also pass (IoU 0.3) but lie 3.5 away -> 5 keeps 1
        assertArrayEquals(new int[] {0, 5, 0, 0}, new CentroidLinker().link(row(prev), row(2, 2, 2, 1, 1, 1, 1, 3, 3, 3)));
    }

    @Test
    void centroidKeepsTheNearestOfTheCurrentGrainsThatChoseAPreviousGrain() {
        // previous 3 on 0..5, 8 on 6..11 (centroids 2.5, 8.5); current 1 on 0..2 (1.0), 2 on 3..11 (7.0):
        // 1 -> nearest 3 (IoU 3/6 = .5); 2 -> nearest 8 (IoU 6/9)
        assertArrayEquals(new int[] {0, 3, 8}, new CentroidLinker().link(row(3, 3, 3, 3, 3, 3, 8, 8, 8, 8, 8, 8),
                row(1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2)));
        // two current grains accept previous 3 (centroid 2.5): the nearer one (2, at 3.5) wins, 1 (at 0.5) starts a new grain
        assertArrayEquals(new int[] {0, 0, 3}, new CentroidLinker().link(row(3, 3, 3, 3, 3, 3), row(1, 1, 2, 2, 2, 2)));
        // equally near (1.0 and 4.0 around 2.5): the lower label wins
        assertArrayEquals(new int[] {0, 3, 0}, new CentroidLinker().link(row(3, 3, 3, 3, 3, 3), row(1, 1, 1, 2, 2, 2)));
    }

    @Test
    void singleSliceGrainIsMergedIntoItsBestNeighbour() {
        int[] prev = {1, 1, 1, 2, 2, 2}, cur = {1, 1, 5, 5, 5, 2}, next = {1, 1, 2, 2, 2, 2};
        // grain 5 lies on prev 1 (1 px) and 2 (2 px), on next 2 (3 px): next's count is larger -> 2
        assertEquals(1, SingleSliceGrains.merge(prev, cur, next));
        assertArrayEquals(new int[] {1, 1, 2, 2, 2, 2}, cur);
        // equal counts (prev 3 and next 4 cover both pixels) keep prev's choice
        int[] cur2 = {1, 6, 6, 2, 2, 2};
        SingleSliceGrains.merge(new int[] {1, 3, 3, 2, 2, 2}, cur2, new int[] {1, 4, 4, 2, 2, 2});
        assertArrayEquals(new int[] {1, 3, 3, 2, 2, 2}, cur2);
        // a grain present in a neighbour is left alone
        int[] cur3 = {1, 1, 2, 2};
        assertEquals(0, SingleSliceGrains.merge(new int[] {1, 1, 1, 1}, cur3, new int[] {2, 2, 2, 2}));
        assertArrayEquals(new int[] {1, 1, 2, 2}, cur3);
    }
}
