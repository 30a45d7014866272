package org.wpunet.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemsetD8;

import java.util.LinkedHashSet;
import java.util.Set;
import jcuda.Pointer;

/**
 * Index errors of the checked kernels (index_select, gather, scatter_add, cross-entropy targets),
 * reported at the next synchronisation instead of one host sync per launch, as CUDA reports
 * device-side asserts: the kernels write the first bad index into a per-device record {flag, value,
 * size}; {@link #check} reads it once the stream is idle, clears it and throws, naming the checked
 * ops queued since the last check.
 */
final class DeferredIndexErrors {
    private final CudaBackend b;
    private final CudaStorage record;
    private final Set<String> pending = new LinkedHashSet<>();

    DeferredIndexErrors(CudaBackend b, CudaStorage zeroedRecord) {
        this.b = b;
        this.record = zeroedRecord;
    }

    /** The device record the checked kernels get as their {@code err} argument. */
    CudaStorage record() { return record; }

    /** Notes a checked op queued on the stream. */
    synchronized void queued(String op) { pending.add(op); }

    /** Throws the index error recorded since the last check (and clears it); the stream must be idle. */
    void check() {
        String ops;
        synchronized (this) {
            if (pending.isEmpty()) return;
            ops = String.join(", ", pending);
            pending.clear();
        }
        int[] e = new int[3];
        Driver.check(cuMemcpyDtoH(Pointer.to(e), b.devPtr(record), 12), "cuMemcpyDtoH(index error record)");
        if (e[0] == 0) return;
        Driver.check(cuMemsetD8(b.devPtr(record), (byte) 0, 12), "cuMemsetD8(index error record)");
        boolean several = ops.contains(", ");
        throw new IndexOutOfBoundsException((several ? "" : ops + ": ") + "index " + e[1] + " out of range for size " + e[2]
                + (several ? " (in one of: " + ops + "; reported at the next synchronisation)" : ""));
    }
}
