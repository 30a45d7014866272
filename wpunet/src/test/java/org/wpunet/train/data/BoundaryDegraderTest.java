package org.wpunet.train.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class BoundaryDegraderTest {
    private static byte[] mask(int w, String... rows) {
        byte[] m = new byte[w * rows.length];
        for (int y = 0; y < rows.length; y++)
            for (int x = 0; x < w; x++) if (rows[y].charAt(x) == '#') m[x + w * y] = (byte) 255;
        return m;
    }

    @Test
    void junctionsAreThePixelsWithThreeOrMoreRunsAround() {
        byte[] t = mask(5,
                ".....",
                "#####",
                "..#..",
                "..#..");
        assertEquals(3, BoundaryDegrader.crossings(t, 5, 4, 2, 1), "T junction");
        assertEquals(2, BoundaryDegrader.crossings(t, 5, 4, 1, 1), "straight run");
        assertEquals(1, BoundaryDegrader.crossings(t, 5, 4, 2, 3), "end point");
        byte[] stairs = mask(4,
                "##..",
                ".##.",
                "..##");
        for (int[] p : new int[][] {{1, 0}, {1, 1}, {2, 1}, {2, 2}})
            assertEquals(2, BoundaryDegrader.crossings(stairs, 4, 3, p[0], p[1]), "a 4-connected staircase is no junction at " + p[0] + "," + p[1]);
    }

    @Test
    void shiftMovesTheMaskAndDropsWhatLeaves() {
        byte[] m = mask(4,
                "#...",
                ".#..",
                "...#");
        assertArrayEquals(mask(4,
                "....",
                ".#..",
                "..#."), BoundaryDegrader.shift(m, 4, 3, 1, 1));
        assertArrayEquals(mask(4,
                "#...",
                "..#.",
                "...."), BoundaryDegrader.shift(m, 4, 3, -1, -1));
        assertArrayEquals(m, BoundaryDegrader.shift(m, 4, 3, 0, 0));
    }

    @Test
    void degradationIsAFunctionOfTheSampleStream() {
        byte[] b = Stacks.synthetic(48, 48, 1, 3).boundaries()[0];
        byte[] a1 = BoundaryDegrader.degrade(b, 48, 48, SampleRandom.of(1, 1, 0, 1));
        assertArrayEquals(a1, BoundaryDegrader.degrade(b, 48, 48, SampleRandom.of(1, 1, 0, 1)));
        assertFalse(java.util.Arrays.equals(a1, BoundaryDegrader.degrade(b, 48, 48, SampleRandom.of(1, 1, 1, 1))));
        assertArrayEquals(new byte[48 * 48], BoundaryDegrader.degrade(new byte[48 * 48], 48, 48, SampleRandom.of(1, 1, 0, 1)));
    }
}
