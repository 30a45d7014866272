package org.wpunet.image;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-made cases with known answers. */
class ImageOpsTest {
    @Test
    void labellingFourVersusEightConnectivity() {
        int[] img = {
                1, 0, 0,
                0, 1, 0,
                0, 0, 1};
        assertArrayEquals(new int[]{1, 0, 0, 0, 2, 0, 0, 0, 3}, ConnectedComponents.label(img, 3, 3, 4, 0).labels());
        assertArrayEquals(new int[]{1, 0, 0, 0, 1, 0, 0, 0, 1}, ConnectedComponents.label(img, 3, 3, 8, 0).labels());
        // values differ -> different components even if touching; numbering in raster order of first pixel
        int[] two = {5, 5, 7, 7, 9, 9};
        assertArrayEquals(new int[]{1, 1, 2, 2, 0, 0}, ConnectedComponents.label(two, 6, 1, 4, 9).labels());
        // a U shape: merges two provisional labels, the first pixel's number wins
        int[] u = {1, 0, 1, 1, 0, 1, 1, 1, 1};
        assertArrayEquals(new int[]{1, 0, 1, 1, 0, 1, 1, 1, 1}, ConnectedComponents.label(u, 3, 3, 4, 0).labels());
        assertThrows(IllegalArgumentException.class, () -> ConnectedComponents.label(img, 3, 3, 6, 0));
        assertThrows(IllegalArgumentException.class, () -> ConnectedComponents.label(img, 4, 3, 4, 0));
    }

    @Test
    void labelling3DSixVersusTwentySix() {
        int[] vol = new int[2 * 2 * 2];
        vol[0] = 1;           // (0,0,0)
        vol[1 + 2 + 4] = 1;   // (1,1,1): corner neighbour only
        assertEquals(2, ConnectedComponents.count(ConnectedComponents.label3D(vol, 2, 2, 2, 6, 0)));
        assertEquals(1, ConnectedComponents.count(ConnectedComponents.label3D(vol, 2, 2, 2, 26, 0)));
        vol[4] = 1;           // (0,0,1): face neighbour of (0,0,0)
        int[] l6 = ConnectedComponents.label3D(vol, 2, 2, 2, 6, 0);
        assertEquals(l6[0], l6[4]);
        assertNotEquals(l6[0], l6[7]);
    }

    @Test
    void relabelSequential() {
        assertArrayEquals(new int[]{0, 2, 1, 2, 3}, ConnectedComponents.relabelSequential(new int[]{0, 40, 7, 40, 99}));
    }

    @Test
    void boundariesRightOrLowerRule() {
        int[] lab = {
                1, 1, 2, 2,
                1, 1, 2, 2,
                3, 3, 3, 3};
        byte[] b = Boundaries.fromLabels(lab, 4, 3);
        int[] want = {
                0, 1, 0, 0,
                1, 1, 1, 1,
                0, 0, 0, 0};
        for (int i = 0; i < want.length; i++) assertEquals(want[i] == 1 ? (byte) 255 : 0, b[i], "pixel " + i);
        // grains stay 4-separated: the grains of the map are as many as the labels
        LabelImage g = Boundaries.toGrains(b, 4, 3);
        assertTrue(g.maxLabel() >= 1);
        byte[] sym = Boundaries.fromLabelsSymmetric(lab, 4, 3, 4);
        int[] wantSym = {
                0, 1, 1, 0,
                1, 1, 1, 1,
                1, 1, 1, 1};
        for (int i = 0; i < wantSym.length; i++) assertEquals(wantSym[i] == 1 ? (byte) 255 : 0, sym[i], "sym pixel " + i);
    }

    @Test
    void boundaryRoundTripRecoversGrains() {
        // 3 vertical bands plus a block, 20x16; grains from the boundary map must reproduce the partition
        int w = 20, h = 16;
        int[] lab = new int[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) lab[x + w * y] = (x < 7 ? 1 : x < 13 ? 2 : 3) + (y >= 10 && x < 7 ? 10 : 0);
        byte[] b = Boundaries.fromLabels(lab, w, h);
        LabelImage g = Boundaries.toGrains(b, w, h);
        assertEquals(4, g.maxLabel());
        for (int v : g.labels()) assertTrue(v > 0, "every pixel belongs to a grain");
        // same partition: pairs of pixels are together in one iff together in the other
        int agree = 0, n = w * h;
        for (int i = 0; i < n; i += 3)
            for (int j = 0; j < n; j += 5) {
                boolean a = lab[i] == lab[j], c = g.labels()[i] == g.labels()[j];
                if (a == c) agree++;
            }
        assertTrue(agree > 0.97 * ((n + 2) / 3) * ((n + 4) / 5), "partition mostly preserved: " + agree);
        // non-boundary interior pixels keep their grain exactly
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
                if (b[x + w * y] == 0)
                    for (int y2 = 1; y2 < h - 1; y2++)
                        for (int x2 = 1; x2 < w - 1; x2++)
                            if (b[x2 + w * y2] == 0)
                                assertEquals(lab[x + w * y] == lab[x2 + w * y2], g.get(x, y) == g.get(x2, y2));
    }

    @Test
    void toGrainsAllBoundaryIsOneGrain() {
        LabelImage g = Boundaries.toGrains(new byte[]{-1, -1, -1, -1}, 2, 2);
        assertArrayEquals(new int[]{1, 1, 1, 1}, g.labels());
    }

    @Test
    void regionProperties() {
        int[] lab = {
                0, 1, 1, 0,
                0, 1, 2, 2,
                3, 0, 2, 2};
        LabelImage img = new LabelImage(4, 3, lab);
        List<Region> rs = Regions.of(img);
        assertEquals(3, rs.size());
        Region r1 = rs.get(0), r2 = rs.get(1), r3 = rs.get(2);
        assertEquals(3, r1.area());
        assertEquals(1, r1.minX()); assertEquals(0, r1.minY()); assertEquals(3, r1.maxX()); assertEquals(2, r1.maxY());
        assertEquals(4.0 / 3, r1.centroidX(), 1e-12);
        assertEquals(1.0 / 3, r1.centroidY(), 1e-12);
        assertArrayEquals(new byte[]{1, 1, 1, 0}, r1.mask(img));
        assertEquals(4, r2.area());
        assertEquals(2.5, r2.centroidX(), 1e-12);
        assertEquals(1.5, r2.centroidY(), 1e-12);
        assertArrayEquals(new int[]{2}, Regions.neighbours(img, 1, 4));
        assertArrayEquals(new int[]{}, Regions.neighbours(img, 3, 4));
        assertArrayEquals(new int[]{1}, Regions.neighbours(img, 3, 8)); // diagonal (1,1)
        assertArrayEquals(new int[]{1}, Regions.neighbours(img, 2, 8));
        assertArrayEquals(new int[]{2, 3}, Regions.neighbours(img, 1, 8)); // 3 only diagonally
        assertEquals(1, r3.area());
    }

    @Test
    void distanceTransformBasics() {
        byte[] m = new byte[7];
        java.util.Arrays.fill(m, (byte) 1);
        m[3] = 0;
        double[] d = DistanceTransform.edt(m, 7, 1);
        assertArrayEquals(new double[]{3, 2, 1, 0, 1, 2, 3}, d, 0);
        byte[] all = {1, 1, 1, 1};
        for (double v : DistanceTransform.edt(all, 2, 2)) assertEquals(Double.POSITIVE_INFINITY, v);
        // diagonal: one zero in a corner of a 3x3
        byte[] q = {0, 1, 1, 1, 1, 1, 1, 1, 1};
        assertEquals(Math.sqrt(8), DistanceTransform.edt(q, 3, 3)[8], 1e-15);
        assertEquals(5.0, DistanceTransform.squaredEdt(q, 3, 3)[7], 0);
    }

    @Test
    void skeletonOfThickBarIsOnePixelLine() {
        int w = 30, h = 9;
        byte[] m = new byte[w * h];
        for (int y = 2; y < 7; y++) for (int x = 3; x < 27; x++) m[x + w * y] = (byte) 255;
        byte[] s = Skeleton.skeletonize(m, w, h);
        int count = 0;
        for (int x = 0; x < w; x++) {
            int col = 0;
            for (int y = 0; y < h; y++) if (s[x + w * y] != 0) col++;
            assertTrue(col <= 1, "column " + x + " has " + col + " skeleton pixels");
            count += col;
        }
        assertTrue(count >= 18, "the line spans the bar: " + count);
        assertEquals(1, ConnectedComponents.labelMask(s, w, h, 8).maxLabel(), "one connected line");
    }

    @Test
    void skeletonKeepsTheHoleOfARing() {
        int w = 21, h = 21;
        byte[] m = new byte[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int r2 = (x - 10) * (x - 10) + (y - 10) * (y - 10);
                if (r2 <= 81 && r2 >= 16) m[x + w * y] = 1;
            }
        byte[] s = Skeleton.skeletonize(m, w, h);
        assertEquals(1, ConnectedComponents.labelMask(s, w, h, 8).maxLabel());
        byte[] bg = new byte[s.length];
        for (int i = 0; i < s.length; i++) bg[i] = (byte) (s[i] == 0 ? 1 : 0);
        assertEquals(2, ConnectedComponents.labelMask(bg, w, h, 4).maxLabel(), "inside and outside stay separate");
    }

    @Test
    void morphologyBorderConventions() {
        byte[] m = {1, 1, 0, 0, 0};
        assertArrayEquals(new byte[]{-1, -1, -1, 0, 0}, Morphology.dilate(m, 5, 1, StructuringElement.square(3)));
        // erosion: outside counts as foreground, so pixel 0 survives
        assertArrayEquals(new byte[]{-1, 0, 0, 0, 0}, Morphology.erode(m, 5, 1, StructuringElement.square(3)));
        byte[] gap = {1, 0, 1, 0, 0, 0, 1};
        assertArrayEquals(new byte[]{-1, -1, -1, 0, 0, 0, -1}, Morphology.close(gap, 7, 1, StructuringElement.square(3)));
        assertEquals(13, StructuringElement.disk(2).size());
        assertEquals(5, StructuringElement.cross(1).size());
        assertThrows(IllegalArgumentException.class, () -> StructuringElement.square(2));
    }

    @Test
    void postProcessingBridgesGapsAndThins() {
        int w = 24, h = 11;
        float[] scores = new float[2 * w * h];
        int n = w * h;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                boolean boundary = (y >= 4 && y <= 6) && x != 12; // thick horizontal line with a 1-px gap
                scores[x + w * y] = boundary ? 0.1f : 0.9f;
                scores[n + x + w * y] = boundary ? 0.9f : 0.1f;
            }
        byte[] b = PostProcessing.boundaryMap(scores, w, h);
        assertTrue(b[12 + w * 5] != 0, "the gap is closed");
        for (int x = 1; x < w - 1; x++) {
            int col = 0;
            for (int y = 0; y < h; y++) if (b[x + w * y] != 0) col++;
            assertEquals(1, col, "column " + x);
        }
        // ties go to class 0
        byte[] tie = PostProcessing.boundaryMap(new float[]{0.5f, 0.5f}, 1, 1);
        assertEquals(0, tie[0]);
    }
}
