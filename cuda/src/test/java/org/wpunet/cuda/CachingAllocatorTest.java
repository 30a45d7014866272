package org.wpunet.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The caching allocator's policy on a fake device: rounding, segments, splitting, merging, emptying, out of memory. */
class CachingAllocatorTest {
    /** A fake device: addresses count up, records frees and synchronisations, can be made to run out of memory. */
    static final class FakeRaw implements CachingAllocator.RawMemory {
        long next = 0x10000, live, capacity = Long.MAX_VALUE, mallocs, syncs;
        List<Long> freed = new ArrayList<>();
        java.util.Map<Long, Long> sizes = new java.util.HashMap<>();

        @Override
        public long malloc(long bytes) {
            if (live + bytes > capacity) throw new CachingAllocator.OutOfMemory("full");
            mallocs++;
            live += bytes;
            long a = next;
            next += bytes;
            sizes.put(a, bytes);
            return a;
        }

        @Override
        public void free(long address) {
            freed.add(address);
            live -= sizes.remove(address);
        }

        @Override
        public void synchronize() { syncs++; }
    }

    @Test
    void roundingAndSegmentSizes() {
        assertEquals(512, CachingAllocator.roundSize(0));
        assertEquals(512, CachingAllocator.roundSize(512));
        assertEquals(1024, CachingAllocator.roundSize(513));
        assertEquals((3L << 20) + 512, CachingAllocator.roundSize((3L << 20) + 1), "large requests round to 512 B too");
        assertEquals(2L << 20, CachingAllocator.segmentSize(512), "small requests share 2 MiB segments");
        assertEquals(2L << 20, CachingAllocator.segmentSize(1L << 20));
        assertEquals(20L << 20, CachingAllocator.segmentSize((1L << 20) + 512), "1-10 MiB requests share 20 MiB segments");
        assertEquals(12L << 20, CachingAllocator.segmentSize((11L << 20) + 512), "big ones: rounded to 2 MiB");
    }

    @Test
    void smallRequestsSplitOneSegmentAndMergeBack() {
        FakeRaw raw = new FakeRaw();
        CachingAllocator a = new CachingAllocator(raw);
        List<CachingAllocator.Block> bs = new ArrayList<>();
        for (int i = 0; i < 100; i++) bs.add(a.allocate(1000 + 37 * i, 1));
        assertEquals(1, raw.mallocs, "100 small tensors fit one 2 MiB segment");
        HashSet<Long> addrs = new HashSet<>();
        long end = 0;
        for (CachingAllocator.Block b : bs) {
            assertTrue(addrs.add(b.address()));
            assertTrue(b.address() >= end, "blocks do not overlap");
            end = b.address() + b.size();
        }
        for (int i = 0; i < bs.size(); i += 2) a.free(bs.get(i));
        for (int i = 1; i < bs.size(); i += 2) a.free(bs.get(i));
        assertEquals(0, a.stats().inUse());
        var whole = a.allocate(2L << 20, 1);
        assertEquals(0x10000 + (2L << 20), whole.address(), "2 MiB is a large request: its own segment");
        a.free(whole);
        var again = a.allocate((1L << 20), 1);
        assertEquals(0x10000, again.address(), "the merged first segment serves a 1 MiB request from its start");
        a.free(again);
        assertEquals(2, raw.mallocs);
    }

    @Test
    void largeBlocksSplitOnlyWhenTheRestIsUseful() {
        FakeRaw raw = new FakeRaw();
        CachingAllocator a = new CachingAllocator(raw);
        var b1 = a.allocate(3L << 20, 7);
        assertEquals(20L << 20, raw.sizes.get(b1.address()));
        var b2 = a.allocate(4L << 20, 7);
        assertEquals(b1.address() + (3L << 20), b2.address(), "split from the same 20 MiB segment");
        var other = a.allocate(4L << 20, 8);
        assertEquals(2, raw.mallocs, "another stream gets its own segment");
        a.free(b2);
        var b3 = a.allocate((12L << 20) + 512, 7);
        assertEquals(b2.address(), b3.address(), "the free 17 MiB tail");
        var b4 = a.allocate(4L << 20, 7);
        assertEquals(b3.address() + b3.size(), b4.address(), "the 5 MiB - 512 B after it was split off and kept");
        a.free(b4);
        a.free(b1);
        a.free(b3);
        a.free(other);
        assertEquals(0, a.stats().inUse());
        assertEquals(40L << 20, a.stats().reserved());
        assertEquals(40L << 20, a.stats().cached());
        a.emptyCache();
        assertEquals(0, a.stats().reserved());
        assertEquals(1, raw.syncs, "one stream wait for the whole cache");
        assertEquals(2, raw.freed.size());
    }

    @Test
    void aTrainingStepsChurnReachesAFlatFootprint() {
        FakeRaw raw = new FakeRaw();
        CachingAllocator a = new CachingAllocator(raw);
        long reservedAfterWarmup = 0;
        for (int step = 0; step < 20; step++) {
            SplittableRandom r = new SplittableRandom(5); // the same sizes every step, as in training
            List<CachingAllocator.Block> live = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                live.add(a.allocate(r.nextLong(1, 6L << 20), 1));
                if (live.size() > 40) a.free(live.remove(r.nextInt(live.size())));
            }
            for (CachingAllocator.Block b : live) a.free(b);
            if (step == 2) reservedAfterWarmup = a.stats().reserved();
            if (step > 2) assertEquals(reservedAfterWarmup, a.stats().reserved(), "step " + step + " reserved nothing new");
        }
        assertEquals(0, a.stats().inUse());
        assertTrue(a.stats().peakInUse() <= a.stats().reserved());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeRaw raw = new FakeRaw();
        raw.capacity = 24L << 20;
        CachingAllocator a = new CachingAllocator(raw);
        a.free(a.allocate(3L << 20, 1));                 // a 20 MiB segment, now cached
        var big = a.allocate(22L << 20, 2);              // another stream: only fits after the cache is emptied
        assertEquals(1, raw.freed.size());
        var e = assertThrows(CudaException.class, () -> a.allocate(8L << 20, 2));
        assertTrue(e.getMessage().contains("out of device memory") && e.getMessage().contains("in use"), e.getMessage());
        a.free(big);
        assertThrows(IllegalStateException.class, () -> a.free(big), "double free");
    }
}
