package org.wpunet.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import org.wpunet.core.DType;
import org.wpunet.core.Layout;
import org.wpunet.core.Storage;

/**
 * Host-device copies of one backend through a pinned staging buffer of {@link #PINNED_BYTES}: Java
 * arrays are written into (read from) the pinned buffer in chunks, each chunk copied asynchronously
 * on the backend's stream and waited for before the buffer is reused.
 */
final class CudaTransfers {
    static final int PINNED_BYTES = 16 << 20;

    private final CudaBackend b;
    private final Pointer pinned = new Pointer();
    private final ByteBuffer pinnedBuf;

    CudaTransfers(CudaBackend b) {
        this.b = b;
        Driver.check(cuMemAllocHost(pinned, PINNED_BYTES), "cuMemAllocHost");
        pinnedBuf = pinned.getByteBuffer(0, PINNED_BYTES).order(ByteOrder.nativeOrder());
    }

    /** A new device storage holding a Java array (float[], double[], int[], byte[], short[] bits of BF16/F16). */
    synchronized Storage fromHost(Object array, DType dtype) {
        int n = HostArrays.length(array, dtype);
        CudaStorage s = b.alloc(dtype, n);
        long bytes = s.bytes();
        for (long done = 0; done < bytes; done += PINNED_BYTES) {
            int len = (int) Math.min(PINNED_BYTES, bytes - done);
            pinnedBuf.clear();
            HostArrays.put(array, dtype, pinnedBuf, (int) (done / dtype.byteSize()), len / dtype.byteSize());
            Driver.check(cuMemcpyHtoDAsync(b.devPtr(s).withByteOffset(done), pinned, len, b.stream()), "cuMemcpyHtoDAsync");
            Driver.check(cuStreamSynchronize(b.stream()), "cuStreamSynchronize"); // the staging buffer is reused
        }
        return s;
    }

    /** The elements of a view in row-major order as a Java array (a strided view is compacted on the device first). */
    synchronized Object toHost(Storage s, Layout l) {
        CudaStorage src = CudaBackend.c(s);
        boolean direct = l.isCompact() && l.numel() == s.numel();
        CudaStorage compact = direct ? src : (CudaStorage) b.copy(s, l, s.dtype());
        try {
            Object out = HostArrays.allocate(s.dtype(), l.numel());
            long bytes = (long) l.numel() * s.dtype().byteSize();
            for (long done = 0; done < bytes; done += PINNED_BYTES) {
                int len = (int) Math.min(PINNED_BYTES, bytes - done);
                Driver.check(cuMemcpyDtoHAsync(pinned, b.devPtr(compact).withByteOffset(done), len, b.stream()),
                        "cuMemcpyDtoHAsync");
                Driver.check(cuStreamSynchronize(b.stream()), "cuStreamSynchronize");
                pinnedBuf.clear();
                HostArrays.get(out, s.dtype(), pinnedBuf, (int) (done / s.dtype().byteSize()), len / s.dtype().byteSize());
            }
            return out;
        } finally {
            if (!direct) compact.free();
        }
    }
}
