package org.wpunet.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jcuda.driver.CUevent;

/**
 * GPU time per op from CUDA events recorded on the stream around each kernel launch, cuBLAS GEMM and
 * cuDNN call (nsys is not on the GPU machine; events measure what the stream spent between them).
 * Off unless -Dwpunet.cuda.profile=true: then every op costs two event records, and the table of the
 * ops with the most GPU time is printed when the JVM exits (or by {@link #report}). Names are the
 * kernel names, "cudnn conv FWD F32" and so on, "cublas gemm F32".
 */
final class CudaProfiler {
    static final boolean ENABLED = Boolean.getBoolean("wpunet.cuda.profile");
    private static final int RESOLVE_EVERY = 4096;

    private record Pending(String name, CUevent start, CUevent end) {}

    private static final class Total {
        long count;
        double ms;
    }

    private final Driver.Stream stream;
    private final ArrayDeque<CUevent> free = new ArrayDeque<>();
    private final List<Pending> pending = new ArrayList<>();
    private final Map<String, Total> totals = new HashMap<>();

    CudaProfiler(Driver.Stream stream) {
        this.stream = stream;
        if (ENABLED) Runtime.getRuntime().addShutdownHook(new Thread(() -> report(System.out), "wpunet-cuda-profile"));
    }

    /** Records a start event, or returns null when profiling is off. */
    CUevent begin() {
        if (!ENABLED) return null;
        synchronized (this) {
            CUevent e = event();
            Driver.check(cuEventRecord(e, stream), "cuEventRecord");
            return e;
        }
    }

    /** Records the end event of an op begun with {@link #begin}. */
    void end(CUevent start, String name) {
        if (start == null) return;
        synchronized (this) {
            CUevent e = event();
            Driver.check(cuEventRecord(e, stream), "cuEventRecord");
            pending.add(new Pending(name, start, e));
            if (pending.size() >= RESOLVE_EVERY) resolve();
        }
    }

    private CUevent event() {
        CUevent e = free.poll();
        if (e == null) {
            e = new CUevent();
            Driver.check(cuEventCreate(e, 0), "cuEventCreate");
        }
        return e;
    }

    /** Waits for the stream and adds every finished pair to the totals. */
    private void resolve() {
        Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize");
        float[] ms = new float[1];
        for (Pending p : pending) {
            Driver.check(cuEventElapsedTime(ms, p.start(), p.end()), "cuEventElapsedTime");
            Total t = totals.computeIfAbsent(p.name(), k -> new Total());
            t.count++;
            t.ms += ms[0];
            free.push(p.start());
            free.push(p.end());
        }
        pending.clear();
    }

    /** Prints the ops with the most GPU time (top 25) and their share of the total. */
    synchronized void report(PrintStream out) {
        try {
            resolve();
        } catch (RuntimeException e) {
            out.println("cuda profile: cannot resolve events: " + e.getMessage());
            return;
        }
        double all = totals.values().stream().mapToDouble(t -> t.ms).sum();
        out.printf(Locale.ROOT, "cuda profile: %.1f ms of GPU time in %d ops%n", all,
                totals.values().stream().mapToLong(t -> t.count).sum());
        out.printf(Locale.ROOT, "%-48s %8s %10s %9s %6s%n", "op", "calls", "total ms", "mean us", "share");
        totals.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue().ms, a.getValue().ms)).limit(25)
                .forEach(e -> out.printf(Locale.ROOT, "%-48s %8d %10.2f %9.1f %5.1f%%%n", e.getKey(), e.getValue().count,
                        e.getValue().ms, 1000 * e.getValue().ms / e.getValue().count, 100 * e.getValue().ms / Math.max(all, 1e-12)));
    }
}
