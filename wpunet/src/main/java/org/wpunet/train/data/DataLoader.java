package org.wpunet.train.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches of {@link Samples} (a {@link SliceDataset}, or several), made on background threads. Each sample is one task that writes
 * its slot of the batch (samples of a batch, and up to {@code prefetch} batches, are made in
 * parallel); the batch is handed out when all its samples are done. The order (a per-epoch
 * permutation for training, the identity for validation) and each sample's content depend only on
 * (seed, epoch, sample index), so results are bit-identical for any thread count or timing.
 *
 * <p>The workers are a {@link ForkJoinPool}'s, so the image kernels a sample calls (dilation,
 * distance transform) run inline on them instead of fanning out to the shared kernel pool again.
 */
public final class DataLoader implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Samples dataset;
    private final int batch, prefetch;
    private final long seed;
    private final boolean shuffle;
    private final ForkJoinPool pool;
    /** Every worker thread the pool made, so close() can wait until each has really ended. */
    private final java.util.Queue<Thread> workers = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final String threadPrefix;
    private volatile boolean closed;

    private DataLoader(Samples ds, int batch, long seed, boolean shuffle, int threads, int prefetch) {
        this.dataset = Objects.requireNonNull(ds, "dataset");
        if (batch < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batch);
        if (threads < 1) throw new IllegalArgumentException("loader threads must be at least 1, got " + threads);
        if (prefetch < 1) throw new IllegalArgumentException("prefetch must be at least 1 batch, got " + prefetch);
        this.batch = batch;
        this.seed = seed;
        this.shuffle = shuffle;
        this.prefetch = prefetch;
        this.threadPrefix = "wpunet-data-" + POOLS.incrementAndGet() + "-";
        this.pool = new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName(threadPrefix + t.getPoolIndex());
            t.setDaemon(true);
            workers.add(t);
            return t;
        }, null, false);
    }

    /** Shuffled each epoch; the last batch may be smaller (PyTorch's drop_last=False). */
    public static DataLoader training(Samples ds, int batch, long seed, int threads, int prefetch) {
        return new DataLoader(ds, batch, seed, true, threads, prefetch);
    }

    /** In dataset order, no shuffle. */
    public static DataLoader validation(Samples ds, int batch, int threads, int prefetch) {
        return new DataLoader(ds, batch, 0, false, threads, prefetch);
    }

    public Samples dataset() { return dataset; }
    public int batchSize() { return batch; }

    /** ceil(size / batch). */
    public int batchesPerEpoch() { return (dataset.size() + batch - 1) / batch; }

    /** The names of this loader's worker threads start with this. */
    public String threadNamePrefix() { return threadPrefix; }

    /** Sample indices of the 1-based epoch in the order they are served. */
    public int[] order(int epoch) {
        if (epoch < 1) throw new IllegalArgumentException("epochs are 1-based, got " + epoch);
        int n = dataset.size();
        if (shuffle) return SampleRandom.of(seed, epoch, 0, SampleRandom.SHUFFLE).permutation(n);
        int[] id = new int[n];
        for (int i = 0; i < n; i++) id[i] = i;
        return id;
    }

    /**
     * Batches startBatch, startBatch + 1, ... of the 1-based epoch (exactly those of epoch(e, 0)).
     * Work on the first {@code prefetch} batches starts at once. An iterator left unfinished leaves at
     * most {@code prefetch} batches of work behind, which completes and is discarded.
     */
    public Iterator<Batch> epoch(int epoch, int startBatch) {
        if (closed) throw new IllegalStateException("the data loader is closed");
        int batches = batchesPerEpoch();
        if (startBatch < 0 || startBatch > batches)
            throw new IllegalArgumentException("start batch " + startBatch + " outside 0.." + batches + " (batches per epoch)");
        return new EpochIterator(epoch, order(epoch), startBatch, batches);
    }

    /** Stops the workers and waits for them to end; idempotent. */
    @Override
    public void close() {
        closed = true;
        pool.shutdownNow();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            if (!pool.awaitTermination(30, TimeUnit.SECONDS))
                throw new IllegalStateException("data loader threads did not stop within 30 s");
            // a terminated pool's threads may still be finishing their run(); wait for them to end
            for (Thread t : workers) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || !t.join(java.time.Duration.ofMillis(left)))
                    throw new IllegalStateException("data loader thread " + t.getName() + " did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Pending(Batch batch, List<Future<?>> samples) {}

    private final class EpochIterator implements Iterator<Batch> {
        private final int epoch, batches;
        private final int[] order;
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private int next, submitted;

        EpochIterator(int epoch, int[] order, int start, int batches) {
            this.epoch = epoch;
            this.order = order;
            this.batches = batches;
            this.next = start;
            this.submitted = start;
            topUp();
        }

        @Override
        public boolean hasNext() { return next < batches; }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has " + batches + " batches");
            topUp();
            Pending p = queue.poll();
            next++;
            topUp();
            for (Future<?> f : p.samples()) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) throw re;
                    if (c instanceof Error er) throw er;
                    throw new IllegalStateException("making a batch failed: " + c, c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a batch", e);
                } catch (java.util.concurrent.CancellationException e) {
                    throw new IllegalStateException("the data loader was closed", e);
                }
            }
            return p.batch();
        }

        /** Keeps the batches next .. next + prefetch - 1 submitted. */
        private void topUp() {
            while (submitted < batches && submitted < next + prefetch) {
                int b = submitted++, lo = b * batch, hi = Math.min(order.length, lo + batch);
                Batch out = Batch.allocate(hi - lo, dataset.crop(), dataset.crop());
                List<Future<?>> fs = new ArrayList<>(hi - lo);
                try {
                    for (int i = lo; i < hi; i++) {
                        int slot = i - lo, index = order[i];
                        fs.add(pool.submit(() -> dataset.fill(out, slot, index, epoch, seed)));
                    }
                } catch (RejectedExecutionException e) {
                    throw new IllegalStateException("the data loader is closed", e);
                }
                queue.add(new Pending(out, fs));
            }
        }
    }
}
