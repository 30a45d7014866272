package org.wpunet.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.Map;

/** cuMemAlloc / cuMemFree under a backend's caching allocator; the allocator waits for the stream once per emptyCache. */
final class DeviceMemory implements CachingAllocator.RawMemory {
    private final Driver.Stream stream;
    private final Map<Long, Driver.DevPtr> pointers;

    /** {@code pointers}: the backend's map from raw address to JCuda pointer, kept up to date here. */
    DeviceMemory(Driver.Stream stream, Map<Long, Driver.DevPtr> pointers) {
        this.stream = stream;
        this.pointers = pointers;
    }

    @Override
    public long malloc(long bytes) {
        Driver.DevPtr p = new Driver.DevPtr();
        int rc = cuMemAlloc(p, bytes);
        if (rc == jcuda.driver.CUresult.CUDA_ERROR_OUT_OF_MEMORY) throw new CachingAllocator.OutOfMemory("cuMemAlloc");
        Driver.check(rc, "cuMemAlloc(" + bytes + ")");
        pointers.put(p.address(), p);
        return p.address();
    }

    @Override
    public void synchronize() { Driver.check(cuStreamSynchronize(stream), "cuStreamSynchronize"); }

    @Override
    public void free(long address) {
        Driver.DevPtr p = pointers.remove(address);
        Driver.check(cuMemFree(p), "cuMemFree");
    }

    @Override
    public long freeBytes() {
        long[] free = new long[1], total = new long[1];
        Driver.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return free[0];
    }
}
