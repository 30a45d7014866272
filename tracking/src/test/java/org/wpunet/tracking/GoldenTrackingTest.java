package org.wpunet.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wpunet.data.LabelVolume;
import org.wpunet.image.LabelImage;

/** Per-slice grains, one linking step and whole stacks against the Python port of the original (golden/make_golden.py). */
class GoldenTrackingTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void sliceGrainsMatchTheOriginal(int c) {
        LabelVolume b = Golden.read("grains" + c + "_boundary.txt"), want = Golden.read("grains" + c + "_labels.txt");
        LabelImage got = SliceGrains.of(Golden.bytes(b.data()), b.width(), b.height());
        assertArrayEquals(want.data(), got.labels(), "case " + c);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void centroidLinkMatchesMethod1(int c) {
        assertLinks(c, new CentroidLinker(), "centroid");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void overlapLinkMatchesMethod2(int c) {
        assertLinks(c, new OverlapLinker(), "overlap");
    }

    private static void assertLinks(int c, GrainLinker linker, String method) {
        LabelVolume last = Golden.read("link" + c + "_last.txt"), b = Golden.read("link" + c + "_boundary.txt");
        int w = last.width(), h = last.height();
        LabelImage cur = SliceGrains.of(Golden.bytes(b.data()), w, h);
        int[] prevIdOf = linker.link(new LabelImage(w, h, last.data()), cur);
        int labelNum = last.maxLabel(), n = cur.maxLabel();
        int[] idOf = new int[n + 1];
        for (int g = 1; g <= n; g++) idOf[g] = prevIdOf[g] != 0 ? prevIdOf[g] : ++labelNum;
        int[] track = new int[w * h];
        for (int i = 0; i < track.length; i++) track[i] = idOf[cur.labels()[i]];
        assertArrayEquals(Golden.read("link" + c + "_" + method + ".txt").data(), track, method + " case " + c);
    }

    @Test
    void wholeStacksMatchTheOriginal() {
        for (int c = 0; c < 2; c++) {
            LabelVolume b = Golden.read("stack" + c + "_boundary.txt");
            int w = b.width(), h = b.height();
            byte[][] slices = new byte[b.depth()][];
            for (int z = 0; z < b.depth(); z++) slices[z] = Golden.bytes(b.slice(z));
            for (String m : new String[] {"centroid", "overlap"}) {
                GrainLinker linker = m.equals("centroid") ? new CentroidLinker() : new OverlapLinker();
                LabelVolume got = StackTracker.track(slices, w, h, linker);
                LabelVolume want = Golden.read("stack" + c + "_" + m + ".txt");
                assertEquals(want.maxLabel(), got.maxLabel(), m + " stack " + c + ": grain count");
                assertArrayEquals(Golden.canonical(want.data()), Golden.canonical(got.data()), m + " stack " + c);
            }
        }
    }
}
