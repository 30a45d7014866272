package org.wpunet.train.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TrainingSplitsTest {
    @Test
    void paperSplitAndItsScaling() {
        TrainingSplits p = TrainingSplits.paper(296);
        assertArrayEquals(new int[] {0, 116}, p.train());
        assertArrayEquals(new int[] {116, 148}, p.validation());
        assertEquals("train 1-116, validation 117-148", p.toString());
        TrainingSplits half = TrainingSplits.paper(296, 0.5); // the paper's split of the first 148 slices
        assertArrayEquals(new int[] {0, 58}, half.train());
        assertArrayEquals(new int[] {58, 74}, half.validation());
        assertArrayEquals(new int[] {0, 8}, TrainingSplits.paper(20).train());
        var e = assertThrows(IllegalArgumentException.class, () -> TrainingSplits.paper(5));
        assertTrue(e.getMessage().contains("fewer than 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainingSplits.paper(296, 0));
    }

    @Test
    void explicitRangesAreOneBasedInclusive() {
        TrainingSplits s = TrainingSplits.parse("1-116", " 117 - 148 ", 296);
        assertEquals(TrainingSplits.paper(296), s);
        TrainingSplits r = TrainingSplits.parse("10-20", "2-5", 30);
        assertArrayEquals(new int[] {9, 20}, r.train());
        assertArrayEquals(new int[] {1, 5}, r.validation());
    }

    @Test
    void badRangesGiveClearErrors() {
        assertMessage(() -> TrainingSplits.parse("1-20", "15-30", 40), "overlap");
        assertMessage(() -> TrainingSplits.parse("1-20", "21-41", 40), "outside", "1-40");
        assertMessage(() -> TrainingSplits.parse("0-20", "21-30", 40), "outside");
        assertMessage(() -> TrainingSplits.parse("5-5", "21-30", 40), "at least 2");
        assertMessage(() -> TrainingSplits.parse("9-5", "21-30", 40), "ends before");
        assertMessage(() -> TrainingSplits.parse("1..20", "21-30", 40), "first-last");
        assertMessage(() -> TrainingSplits.parse("1-20", null, 40), "validation");
        var stack = Stacks.synthetic(32, 32, 4, 1);
        assertMessage(() -> TrainingSplits.parse("1-2", "3-4", 5).trainingSet(stack, Stacks.options(16)), "5 slices", "has 4");
        assertEquals(1, TrainingSplits.parse("1-2", "3-4", 4).trainingSet(stack, Stacks.options(16)).size());
        assertEquals(4, TrainingSplits.parse("1-2", "3-4", 4).validationSet(stack, Stacks.options(16)).size());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable e, String... parts) {
        var x = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) assertTrue(x.getMessage().contains(p), x.getMessage());
    }
}
