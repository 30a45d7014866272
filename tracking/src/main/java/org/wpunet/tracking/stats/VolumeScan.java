package org.wpunet.tracking.stats;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.wpunet.data.LabelVolume;

/**
 * One pass over a label volume gathering, per grain (label &gt; 0; label 0 is "no grain" and ignored),
 * the raw sums the statistics need, exactly in integers: voxel count, first and second moments of the
 * voxel indices, bounding box, whether a voxel lies on a face of the volume; the pairs of grains that
 * share a voxel face (6-neighbourhood); and along x, y and z lines the number of voxels in grains and
 * of steps from one grain into another (for mean linear intercepts). Grains are indexed densely
 * 0..count-1 in increasing id order.
 */
final class VolumeScan {
    final int count;
    final int[] ids;
    final long[] n, sx, sy, sz, sxx, syy, szz, sxy, sxz, syz;
    final int[] x0, x1, y0, y1, z0, z1;
    final boolean[] border;
    /** Sorted distinct neighbour indices of each grain. */
    final int[][] neighbours;
    /** Voxels that belong to a grain, and grain-to-grain steps between neighbouring voxels along x, y, z. */
    final long grainVoxels, crossingsX, crossingsY, crossingsZ;

    VolumeScan(LabelVolume v) {
        int w = v.width(), h = v.height(), d = v.depth();
        int[] lab = v.data();
        buildIndex(lab);
        ids = lastIds;
        count = ids.length;
        n = new long[count]; sx = new long[count]; sy = new long[count]; sz = new long[count];
        sxx = new long[count]; syy = new long[count]; szz = new long[count];
        sxy = new long[count]; sxz = new long[count]; syz = new long[count];
        x0 = filled(count, Integer.MAX_VALUE); y0 = filled(count, Integer.MAX_VALUE); z0 = filled(count, Integer.MAX_VALUE);
        x1 = filled(count, -1); y1 = filled(count, -1); z1 = filled(count, -1);
        border = new boolean[count];
        Set<Long> pairs = new HashSet<>();
        long inGrains = 0, cx = 0, cy = 0, cz = 0;
        int plane = w * h;
        for (int z = 0; z < d; z++) {
            for (int y = 0; y < h; y++) {
                boolean edgeRow = z == 0 || z == d - 1 || y == 0 || y == h - 1;
                int base = y * w + z * plane;
                long lastPair = -1;
                for (int x = 0; x < w; x++) {
                    int i = base + x, g = index(lab, i);
                    if (g < 0) continue;
                    inGrains++;
                    n[g]++;
                    sx[g] += x; sy[g] += y; sz[g] += z;
                    sxx[g] += (long) x * x; syy[g] += (long) y * y; szz[g] += (long) z * z;
                    sxy[g] += (long) x * y; sxz[g] += (long) x * z; syz[g] += (long) y * z;
                    if (x < x0[g]) x0[g] = x;
                    if (x > x1[g]) x1[g] = x;
                    if (y < y0[g]) y0[g] = y;
                    if (y > y1[g]) y1[g] = y;
                    if (z < z0[g]) z0[g] = z;
                    if (z > z1[g]) z1[g] = z;
                    if (edgeRow || x == 0 || x == w - 1) border[g] = true;
                    // faces towards +x, +y, +z: every face pair is seen once
                    if (x + 1 < w) { int o = index(lab, i + 1); if (o >= 0 && o != g) { cx++; lastPair = add(pairs, g, o, lastPair); } }
                    if (y + 1 < h) { int o = index(lab, i + w); if (o >= 0 && o != g) { cy++; lastPair = add(pairs, g, o, lastPair); } }
                    if (z + 1 < d) { int o = index(lab, i + plane); if (o >= 0 && o != g) { cz++; lastPair = add(pairs, g, o, lastPair); } }
                }
            }
        }
        grainVoxels = inGrains; crossingsX = cx; crossingsY = cy; crossingsZ = cz;
        neighbours = neighbourLists(pairs, count);
    }

    private int[] lastIds;
    /** id -> grain index (-1 for id 0) when ids are small enough for a table, else per-voxel indices. */
    private int[] table, sparse;

    private int index(int[] lab, int i) { return table != null ? table[lab[i]] : sparse[i]; }

    /** Gives every grain id its index (in increasing id order); fills {@link #lastIds} with the ids. */
    private void buildIndex(int[] lab) {
        int max = 0;
        for (int i = 0; i < lab.length; i++) {
            int l = lab[i];
            if (l < 0) throw new IllegalArgumentException("label volume holds a negative label " + l + " (at voxel " + i + "); grain ids must be >= 0");
            if (l > max) max = l;
        }
        if (max <= Math.max(lab.length, 1 << 20)) {       // direct table id -> index
            table = new int[max + 1];
            for (int l : lab) table[l] = 1;
            int k = 0;
            int[] found = new int[max + 1];
            for (int id = 1; id <= max; id++) if (table[id] != 0) { found[k] = id; table[id] = k++; }
            table[0] = -1;
            lastIds = Arrays.copyOf(found, k);
            return;
        }
        // sparse huge ids: sort the distinct ones
        Map<Integer, Integer> map = new HashMap<>();
        for (int l : lab) if (l != 0) map.putIfAbsent(l, 0);
        lastIds = map.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int k = 0; k < lastIds.length; k++) map.put(lastIds[k], k);
        int[] out = sparse = new int[lab.length];
        int prevLabel = 0, prevIndex = -1;
        for (int i = 0; i < lab.length; i++) {
            int l = lab[i];
            if (l != prevLabel) { prevLabel = l; prevIndex = l == 0 ? -1 : map.get(l); }
            out[i] = prevIndex;
        }
    }

    private static long add(Set<Long> pairs, int a, int b, long last) {
        long key = a < b ? ((long) a << 32) | b : ((long) b << 32) | a;
        if (key != last) pairs.add(key);   // runs along a shared face repeat the same pair
        return key;
    }

    private static int[][] neighbourLists(Set<Long> pairs, int count) {
        int[] deg = new int[count];
        for (long p : pairs) { deg[(int) (p >>> 32)]++; deg[(int) p]++; }
        int[][] out = new int[count][];
        for (int g = 0; g < count; g++) out[g] = new int[deg[g]];
        int[] fill = new int[count];
        for (long p : pairs) {
            int a = (int) (p >>> 32), b = (int) p;
            out[a][fill[a]++] = b;
            out[b][fill[b]++] = a;
        }
        for (int[] list : out) Arrays.sort(list);
        return out;
    }

    private static int[] filled(int size, int value) {
        int[] a = new int[size];
        Arrays.fill(a, value);
        return a;
    }
}
