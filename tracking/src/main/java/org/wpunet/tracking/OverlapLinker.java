package org.wpunet.tracking;

import java.util.Arrays;
import org.wpunet.image.LabelImage;

/**
 * The original's method 2, maximum overlap (ORIGINAL.md section 8), in rounds until a round assigns
 * no new current grain:
 * <ol>
 *   <li>each still unassigned current grain, in label order, proposes itself to the previous grain it
 *       overlaps most among those not yet taken (the lowest previous id on ties);</li>
 *   <li>each previous grain with proposals takes the one with the largest overlap (the first proposer,
 *       i.e. the lowest current label, on ties); both are then taken.</li>
 * </ol>
 * A current grain that lost its first choice can so continue a previous grain it overlaps less. (The
 * original keeps its proposal lists across rounds; a previous grain that has proposals is taken at once
 * and never gets new ones, so re-running its choice changes nothing, and this class drops them.)
 */
public final class OverlapLinker implements GrainLinker {
    public OverlapLinker() {}

    @Override
    public int[] link(LabelImage previous, LabelImage current) {
        SliceOverlap o = new SliceOverlap(previous, current);
        int m = o.prevIds.length, n = o.current;
        boolean[] prevTaken = new boolean[m];
        int[] assigned = new int[n + 1];            // previous index + 1, 0 = unassigned
        int[] bestOf = new int[m];                  // this round's proposal kept by previous index j (current label)
        long[] bestCount = new long[m];
        while (true) {
            Arrays.fill(bestOf, 0);
            int proposals = 0;
            for (int c = 1; c <= n; c++) {
                if (assigned[c] != 0) continue;
                int pick = -1;
                long most = 0;
                for (int k = o.start[c]; k < o.start[c + 1]; k++) {   // ascending previous index
                    int j = o.prevIndex[k];
                    if (!prevTaken[j] && o.count[k] > most) { most = o.count[k]; pick = j; }
                }
                if (pick < 0) continue;
                proposals++;
                if (bestOf[pick] == 0 || most > bestCount[pick]) { bestOf[pick] = c; bestCount[pick] = most; }
            }
            if (proposals == 0) break;
            int added = 0;
            for (int j = 0; j < m; j++)
                if (bestOf[j] != 0) { assigned[bestOf[j]] = j + 1; prevTaken[j] = true; added++; }
            if (added == 0) break;
        }
        int[] prevIdOf = new int[n + 1];
        for (int c = 1; c <= n; c++) if (assigned[c] != 0) prevIdOf[c] = o.prevIds[assigned[c] - 1];
        return prevIdOf;
    }
}
