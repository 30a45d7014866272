package org.wpunet.tracking.cnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wpunet.image.LabelImage;

class CnnLinkerTest {
    @Test
    void theOriginalsDecisionRule() {
        List<int[]> pairs = new ArrayList<>();
        List<Float> s = new ArrayList<>();
        add(pairs, s, 1, 5, 0.7f);
        add(pairs, s, 1, 6, 0.7f);    // c1: a tie between 5 and 6 -> the first maximum, 5
        add(pairs, s, 2, 5, 0.9f);    // c2 takes 5 from c1 (higher score)
        add(pairs, s, 3, 6, 0.4f);    // below 0.5: nothing recorded, and c1 gets no second choice
        add(pairs, s, 4, 7, 0.8f);
        add(pairs, s, 5, 7, 0.8f);    // tie for 7 -> the lower current label, 4
        add(pairs, s, 6, 8, 0.5f);    // 0.5 is not > 0.5
        float[] score = new float[s.size()];
        for (int i = 0; i < score.length; i++) score[i] = s.get(i);
        assertArrayEquals(new int[]{0, 0, 5, 0, 7, 0, 0, 0}, CnnLinker.assign(7, pairs, score));
    }

    private static void add(List<int[]> pairs, List<Float> s, int c, int p, float score) {
        pairs.add(new int[]{c, p});
        s.add(score);
    }

    /** A fake scorer: the IoU of the crop's two masks, so "same grain" means mostly overlapping. */
    static float[] iou(float[] crops, int count, int size) {
        int per = 2 * size * size, plane = size * size;
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            int both = 0, any = 0;
            for (int k = 0; k < plane; k++) {
                boolean a = crops[i * per + k] > 0, b = crops[i * per + plane + k] > 0;
                if (a && b) both++;
                if (a || b) any++;
            }
            out[i] = any == 0 ? 0 : (float) both / any;
        }
        return out;
    }

    @Test
    void linksThroughTheScorerInBatches() {
        int w = 12, h = 8;
        int[] prev = new int[w * h], cur = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                prev[x + w * y] = x < 6 ? 10 : 20;                     // two previous grains, ids 10 and 20
                cur[x + w * y] = x < 5 ? 1 : x < 11 ? 2 : 3;          // 1 ~ 10, 2 ~ 20 shifted, 3 a sliver on the right
            }
        }
        CnnLinker l = new CnnLinker(CnnLinkerTest::iou, 16);
        int[] link = l.link(new LabelImage(w, h, prev), new LabelImage(w, h, cur));
        // 3 overlaps 20 with IoU 8/48: a new grain
        assertArrayEquals(new int[]{0, 10, 20, 0}, link);
        assertThrows(IllegalArgumentException.class, () -> l.link(new LabelImage(w, h, prev), new LabelImage(h, w, cur)));
    }

    @Test
    void manyPairsGoThroughSeveralBatches() {
        // a checkerboard of 2x2 grains, previous shifted by one pixel: every current grain overlaps 4 previous ones
        int w = 40, h = 40;
        int[] prev = new int[w * h], cur = new int[w * h];
        int[] calls = {0};
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                cur[x + w * y] = 1 + x / 2 + (w / 2) * (y / 2);
                prev[x + w * y] = 1000 + (x + 1) / 2 + (w / 2 + 1) * ((y + 1) / 2);
            }
        }
        CnnLinker l = new CnnLinker((crops, count, size) -> {
            calls[0]++;
            assertEquals(true, count <= CnnLinker.BATCH);
            return iou(crops, count, size);
        }, 8);
        int[] link = l.link(new LabelImage(w, h, prev), new LabelImage(w, h, cur));
        assertEquals(401, link.length);
        assertEquals(true, calls[0] > 1, "more pairs than one batch");
        for (int v : link) assertEquals(0, v, "IoU 1/7 everywhere: nothing above 0.5");
    }
}
