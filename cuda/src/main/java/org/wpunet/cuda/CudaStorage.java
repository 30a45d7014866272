package org.wpunet.cuda;

import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Storage;

/** Device memory from a backend's caching allocator; {@link #free} returns the block to the cache. */
public final class CudaStorage extends Storage {
    private final CudaBackend backend;
    private CachingAllocator.Block block;

    CudaStorage(CudaBackend backend, DType dtype, int numel, CachingAllocator.Block block) {
        super(dtype, numel);
        this.backend = backend;
        this.block = block;
    }

    @Override
    public Device device() { return backend.device(); }

    /** Raw device address of element 0. */
    long address() {
        if (block == null) throw new IllegalStateException("cuda storage was freed");
        return block.address();
    }

    /** The allocator block (for the segment it lies in). */
    CachingAllocator.Block block() {
        if (block == null) throw new IllegalStateException("cuda storage was freed");
        return block;
    }

    long bytes() { return (long) numel() * dtype().byteSize(); }

    @Override
    protected void free() {
        if (block != null) {
            backend.allocator().free(block);
            block = null;
        }
    }
}
