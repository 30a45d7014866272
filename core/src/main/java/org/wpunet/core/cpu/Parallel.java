package org.wpunet.core.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool all CPU kernels share. Its size is {@code -Dwpunet.threads=N}, else the number
 * of available processors. Work is split into contiguous index ranges, never by element, so results
 * of kernels that reduce within a range do not depend on scheduling when the split is fixed.
 */
public final class Parallel {
    /** A body run over the half-open range [from, to). */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private static final int THREADS = threadsSetting();
    private static final ForkJoinPool POOL = THREADS <= 1 ? null : new ForkJoinPool(THREADS,
            pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("wpunet-cpu-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    private Parallel() {}

    /** -Dwpunet.threads=N (N >= 1), else the processor count; a bad value is reported, not fatal. */
    private static int threadsSetting() {
        int cpus = Runtime.getRuntime().availableProcessors();
        String v = System.getProperty("wpunet.threads");
        if (v == null || v.isBlank()) return cpus;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("warning: -Dwpunet.threads=" + v + " is not a positive integer; using " + cpus + " threads");
        return cpus;
    }

    /** Number of worker threads kernels use. */
    public static int threads() { return Math.max(1, THREADS); }

    /**
     * Runs {@code body} over [0, n) split into chunks; each chunk covers at least {@code grain}
     * indices. Runs inline when the work is small, the pool has one thread, or we already are on a
     * pool worker (nested parallelism would only add overhead on 2 cores).
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int g = Math.max(1, grain);
        int chunks = Math.min(threads() * 4, (n + g - 1) / g);
        if (POOL == null || chunks <= 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    /** Splits [0, n) into exactly {@code parts} ranges (parts &lt;= n) and runs them in parallel. */
    public static void forParts(int n, int parts, RangeBody body) {
        if (n <= 0) return;
        int p = Math.max(1, Math.min(parts, n));
        if (POOL == null || p == 1 || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Chunk(body, n, p, 0, p));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n, chunks, lo, hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body; this.n = n; this.chunks = chunks; this.lo = lo; this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) n * lo / chunks), to = (int) ((long) n * hi / chunks);
                if (from < to) body.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
