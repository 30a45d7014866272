package org.wpunet.infer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import org.wpunet.image.ConnectedComponents;

/**
 * Closes short gaps in a one-pixel skeleton boundary map and removes spurs, so boundaries are closed
 * and grains countable. Boundary maps are 0/255 bytes (non-zero = boundary), row-major.
 *
 * <p>Definitions. The <b>crossing number</b> CN(p) of a boundary pixel is the number of
 * non-boundary -> boundary transitions going once round its 8 neighbours (N, NE, E, ..., NW; outside
 * the image = non-boundary): 1 at a line end, 2 on a line, 3 or more at a junction, 0 when isolated.
 * An <b>end point</b> is a boundary pixel with CN = 1 that is not on the image border (lines reaching
 * the border are anchored there, as the border closes grains).
 *
 * <p>1. <b>Gaps</b> ({@code maxGap} = g). For each end point e of the input map in raster order
 * (re-checked on the current map, so the second end of a gap just closed is skipped): the pixels of e's own line within
 * 2g + 2 steps along the skeleton (8-connected breadth-first search) are excluded; then a Dijkstra
 * search from e over non-boundary pixels within Chebyshev distance g of e that do not touch
 * (8-adjacency) an excluded pixel other than e — so a join leaves its line rather than running
 * beside it — 8-connected, each step
 * costing its length (1 or √2) times (1.05 - p), p the boundary probability of the pixel entered,
 * stops at the cheapest pixel that is a non-excluded boundary pixel or lies on the image border (the
 * border only when no excluded pixel is on it: a line already anchored at the border is not joined to
 * it a second time). The
 * path's pixels (the border pixel included) become boundary: the join follows the probability ridge
 * and spans gaps of up to g - 1 missing pixels. Ends with no target within g stay open.
 *
 * <p>2. <b>Spurs</b> ({@code maxSpur} = s), one pass after step 1. From each end point walk along the
 * line (4-neighbours preferred, never revisiting) until a pixel with CN ≥ 3 (junction), a pixel on the
 * image border, a dead end, or more than s pixels. A branch of at most s pixels ending at a junction
 * or the border is deleted (the junction or border pixel kept); a free fragment of at most s pixels (dead end) is deleted whole. A
 * deletion happens only if every grain pixel 4-adjacent to the deleted pixels belongs to the same
 * 4-connected grain (labels computed before the pass), so removing a spur never merges two grains.
 */
public final class GapClosing {
    /** Default g: joins end points to boundary within 5 px (gaps of up to 4 missing pixels). */
    public static final int MAX_GAP = 5;
    /** Default s: dangling branches of up to 8 pixels are spurs. */
    public static final int MAX_SPUR = 8;

    private static final int[] DX = {0, 1, 1, 1, 0, -1, -1, -1}, DY = {-1, -1, 0, 1, 1, 1, 0, -1};   // N, NE, ..., NW

    private GapClosing() {}

    /** Both steps with the defaults; returns a new map. */
    public static byte[] apply(byte[] boundary, float[] probability, int width, int height) {
        return apply(boundary, probability, width, height, MAX_GAP, MAX_SPUR);
    }

    /** Both steps; {@code probability} may be null (then every path step costs its length). */
    public static byte[] apply(byte[] boundary, float[] probability, int width, int height, int maxGap, int maxSpur) {
        if (width <= 0 || height <= 0 || boundary.length != (long) width * height || (probability != null && probability.length != boundary.length))
            throw new IllegalArgumentException("boundary and probability must both have " + width + "x" + height + " pixels");
        if (maxGap < 1 || maxSpur < 0) throw new IllegalArgumentException("maxGap must be >= 1 and maxSpur >= 0, got " + maxGap + ", " + maxSpur);
        byte[] map = new byte[boundary.length];
        for (int i = 0; i < map.length; i++) if (boundary[i] != 0) map[i] = (byte) 255;
        closeGaps(map, probability, width, height, maxGap);
        removeSpurs(map, width, height, maxSpur);
        return map;
    }

    static int crossingNumber(byte[] m, int w, int h, int x, int y) {
        int cn = 0;
        boolean last = on(m, w, h, x + DX[7], y + DY[7]);
        for (int k = 0; k < 8; k++) {
            boolean cur = on(m, w, h, x + DX[k], y + DY[k]);
            if (cur && !last) cn++;
            last = cur;
        }
        return cn;
    }

    private static boolean on(byte[] m, int w, int h, int x, int y) {
        return x >= 0 && y >= 0 && x < w && y < h && m[x + w * y] != 0;
    }

    private static boolean border(int x, int y, int w, int h) { return x == 0 || y == 0 || x == w - 1 || y == h - 1; }

    private static boolean isEnd(byte[] m, int w, int h, int i) {
        int x = i % w, y = i / w;
        return m[i] != 0 && !border(x, y, w, h) && crossingNumber(m, w, h, x, y) == 1;
    }

    static void closeGaps(byte[] m, float[] p, int w, int h, int g) {
        int n = m.length, reach = 2 * g + 2;
        int[] stamp = new int[n];        // stamp[i] == current id: pixel i excluded for this end point
        int id = 0;
        int side = 2 * g + 1;
        double[] dist = new double[side * side];
        int[] from = new int[side * side];
        int[] queue = new int[n > 0 ? Math.min(n, 64 * reach * reach) : 1];
        // the end points of the input map only: the joins below create none that should be followed
        int[] ends = java.util.stream.IntStream.range(0, n).filter(i -> isEnd(m, w, h, i)).toArray();
        for (int e : ends) {
            if (!isEnd(m, w, h, e)) continue;     // closed by an earlier join
            id++;
            // exclusion: e's own line within `reach` skeleton steps (breadth-first, 8-connected)
            int qh = 0, qt = 0;
            queue[qt++] = e;
            stamp[e] = id;
            int levelEnd = qt, depth = 0;
            boolean anchored = false;         // e's line already reaches the image border
            while (qh < qt && depth < reach) {
                int i = queue[qh++], x = i % w, y = i / w;
                anchored |= border(x, y, w, h);
                for (int k = 0; k < 8; k++) {
                    int nx = x + DX[k], ny = y + DY[k];
                    if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                    int j = nx + w * ny;
                    if (m[j] != 0 && stamp[j] != id && qt < queue.length) { stamp[j] = id; queue[qt++] = j; }
                }
                if (qh == levelEnd) { depth++; levelEnd = qt; }
            }
            int[] path = shortestJoin(m, p, w, h, e, g, stamp, id, !anchored, dist, from);
            if (path != null) for (int j : path) m[j] = (byte) 255;
        }
    }

    /** Dijkstra in the (2g+1)² window around e; the pixels to set, or null when no target is in reach. */
    private static int[] shortestJoin(byte[] m, float[] p, int w, int h, int e, int g, int[] stamp, int id, boolean toBorder,
                                      double[] dist, int[] from) {
        int ex = e % w, ey = e / w, side = 2 * g + 1;
        Arrays.fill(dist, Double.POSITIVE_INFINITY);
        Arrays.fill(from, -1);
        int c0 = g + side * g;            // e's local index
        dist[c0] = 0;
        PriorityQueue<double[]> pq = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        pq.add(new double[] {0, c0});
        while (!pq.isEmpty()) {
            double[] top = pq.poll();
            int c = (int) top[1];
            if (top[0] > dist[c]) continue;
            int lx = c % side, ly = c / side, x = ex + lx - g, y = ey + ly - g, i = x + w * y;
            if (c != c0 && (m[i] != 0 || (toBorder && border(x, y, w, h)))) {
                // reached: a boundary pixel of another line (set nothing there) or the image border (set it)
                List<Integer> out = new ArrayList<>();
                for (int t = m[i] != 0 ? from[c] : c; t != c0; t = from[t]) out.add(ex + t % side - g + w * (ey + t / side - g));
                return out.stream().mapToInt(Integer::intValue).toArray();
            }
            for (int k = 0; k < 8; k++) {
                int nlx = lx + DX[k], nly = ly + DY[k];
                if (nlx < 0 || nly < 0 || nlx >= side || nly >= side) continue;
                int nx = x + DX[k], ny = y + DY[k];
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                int j = nx + w * ny;
                if (m[j] != 0 && stamp[j] == id) continue;            // own line: neither target nor passage
                if (m[j] == 0 && touchesOwn(m, w, h, j, e, stamp, id)) continue;   // no path along its own line
                double step = (k % 2 == 0 ? 1.0 : Math.sqrt(2)) * (1.05 - (p == null ? 0 : Math.min(1f, Math.max(0f, p[j]))));
                int nc = nlx + side * nly;
                if (dist[c] + step < dist[nc]) {
                    dist[nc] = dist[c] + step;
                    from[nc] = c;
                    pq.add(new double[] {dist[nc], nc});
                }
            }
        }
        return null;
    }

    /** Whether pixel j is 8-adjacent to a pixel of e's own line other than e. */
    private static boolean touchesOwn(byte[] m, int w, int h, int j, int e, int[] stamp, int id) {
        int x = j % w, y = j / w;
        for (int k = 0; k < 8; k++) {
            int nx = x + DX[k], ny = y + DY[k];
            if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
            int q = nx + w * ny;
            if (q != e && m[q] != 0 && stamp[q] == id) return true;
        }
        return false;
    }

    static void removeSpurs(byte[] m, int w, int h, int s) {
        int n = m.length;
        byte[] grainMask = new byte[n];
        for (int i = 0; i < n; i++) grainMask[i] = (byte) (m[i] == 0 ? 1 : 0);
        int[] grain = ConnectedComponents.label(grainMask, w, h, 4, 0).labels();
        List<Integer> path = new ArrayList<>();
        for (int e = 0; e < n; e++) {
            if (m[e] == 0) continue;
            int ex = e % w, ey = e / w;
            if (border(ex, ey, w, h)) continue;
            int cn = crossingNumber(m, w, h, ex, ey);
            if (cn > 1) continue;
            path.clear();
            boolean delete = false;
            int cur = e;
            while (true) {
                int x = cur % w, y = cur / w;
                if (cur != e && (border(x, y, w, h) || crossingNumber(m, w, h, x, y) >= 3)) { delete = true; break; }  // junction or border: keep it
                path.add(cur);
                if (path.size() > s) break;
                int next = nextOnLine(m, w, h, x, y, path);
                if (next < 0) { delete = true; break; }            // dead end: a free fragment of <= s pixels
                cur = next;
            }
            if (delete && !path.isEmpty() && singleGrain(path, grain, m, w, h)) for (int j : path) m[j] = 0;
        }
    }

    private static int nextOnLine(byte[] m, int w, int h, int x, int y, List<Integer> path) {
        for (int pass = 0; pass < 2; pass++)
            for (int k = pass; k < 8; k += 2) {            // pass 0: N, E, S, W; pass 1: diagonals
                int nx = x + DX[k], ny = y + DY[k];
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                int j = nx + w * ny;
                if (m[j] != 0 && !path.contains(j)) return j;
            }
        return -1;
    }

    private static boolean singleGrain(List<Integer> path, int[] grain, byte[] m, int w, int h) {
        int seen = 0;
        for (int i : path) {
            int x = i % w, y = i / w;
            for (int k = 0; k < 8; k += 2) {
                int nx = x + DX[k], ny = y + DY[k];
                if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
                int j = nx + w * ny;
                if (m[j] != 0 || grain[j] == 0) continue;
                if (seen == 0) seen = grain[j];
                else if (grain[j] != seen) return false;
            }
        }
        return true;
    }
}
