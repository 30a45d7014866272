package org.wpunet.train.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.wpunet.data.SerialStack;

class DataLoaderTest {
    private static final SerialStack STACK = Stacks.synthetic(64, 64, 8, 21);
    private static final SliceDataset MIXED = SliceDataset.training(STACK, 0, 8,
            Stacks.options(32).withPrevMode(PrevMaskMode.MIXED).withMixed(new MixedPrevMask(0.3, 0.2, 0.4, 0.1, 2)));

    private static List<Batch> all(Iterator<Batch> it) {
        List<Batch> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    @Test
    void sameSeedGivesBitIdenticalBatchesForAnyThreadCountAndResumesMidEpoch() {
        try (DataLoader one = DataLoader.training(MIXED, 3, 42, 1, 1);
             DataLoader four = DataLoader.training(MIXED, 3, 42, 4, 3)) {
            assertEquals(3, one.batchesPerEpoch()); // 7 samples: 3 + 3 + 1 (drop_last=False)
            for (int epoch = 1; epoch <= 2; epoch++) {
                List<Batch> a = all(one.epoch(epoch, 0)), b = all(four.epoch(epoch, 0));
                assertEquals(List.of(3, 3, 1), a.stream().map(Batch::size).toList());
                assertEquals(a, b, "1 thread vs 4 threads, epoch " + epoch);
                // every sample exactly once per epoch, in the loader's order
                int[] slices = a.stream().flatMapToInt(x -> Arrays.stream(x.slices())).toArray();
                int[] expected = Arrays.stream(one.order(epoch)).map(i -> i + 1).toArray();
                assertArrayEquals(expected, slices);
                assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7}, Arrays.stream(slices).sorted().toArray());
                // the batches are those the dataset makes on the caller's thread
                assertEquals(MIXED.batch(Arrays.copyOfRange(one.order(epoch), 3, 6), epoch, 42), a.get(1));
                for (int k = 0; k <= 3; k++)
                    assertEquals(a.subList(k, 3), all(four.epoch(epoch, k)), "epoch(" + epoch + ", " + k + ") is the tail");
            }
            assertNotEquals(all(one.epoch(1, 0)), all(DataLoader.training(MIXED, 3, 43, 1, 1).epoch(1, 0)), "another seed");
        }
    }

    @Test
    void epochsDifferInOrderAndCrops() {
        try (DataLoader l = DataLoader.training(MIXED, 7, 5, 2, 2)) {
            assertFalse(Arrays.equals(l.order(1), l.order(2)));
            int same = 0;
            for (int i = 0; i < MIXED.size(); i++) if (MIXED.augmentation(i, 1, 5).equals(MIXED.augmentation(i, 2, 5))) same++;
            assertTrue(same <= 1, same + " samples with the same crop in epochs 1 and 2");
            assertNotEquals(all(l.epoch(1, 0)), all(l.epoch(2, 0)));
        }
    }

    @Test
    void validationLoaderServesTilesInOrder() {
        SliceDataset v = SliceDataset.validation(STACK, 4, 8, Stacks.options(32));
        try (DataLoader l = DataLoader.validation(v, 5, 2, 2)) {
            assertEquals(12, v.size());
            assertEquals(3, l.batchesPerEpoch());
            List<Batch> a = all(l.epoch(1, 0));
            assertEquals(List.of(5, 5, 2), a.stream().map(Batch::size).toList());
            assertEquals(v.batch(new int[] {0, 1, 2, 3, 4}, 1, 0), a.get(0));
            assertEquals(v.batch(new int[] {10, 11}, 1, 0), a.get(2));
            assertEquals(a, all(l.epoch(7, 0)));
        }
    }

    @Test
    void closeStopsEveryWorkerThread() throws Exception {
        DataLoader l = DataLoader.training(MIXED, 2, 1, 3, 4);
        Iterator<Batch> it = l.epoch(1, 0);
        it.next(); // workers started, prefetched batches in flight
        assertTrue(liveThreads(l.threadNamePrefix()) > 0);
        l.close();
        assertEquals(0, liveThreads(l.threadNamePrefix()), "threads left after close()");
        assertThrows(IllegalStateException.class, () -> l.epoch(1, 0));
        l.close(); // idempotent
    }

    private static int liveThreads(String prefix) {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    @Test
    void badArgumentsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DataLoader.training(MIXED, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.training(MIXED, 2, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.training(MIXED, 2, 1, 1, 0));
        try (DataLoader l = DataLoader.training(MIXED, 2, 1, 1, 1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> l.epoch(1, 5));
            assertTrue(e.getMessage().contains("0..4"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> l.epoch(0, 0));
            Iterator<Batch> end = l.epoch(1, 4);
            assertFalse(end.hasNext());
            assertThrows(NoSuchElementException.class, end::next);
        }
    }
}
