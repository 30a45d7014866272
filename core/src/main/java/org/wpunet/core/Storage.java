package org.wpunet.core;

/**
 * A flat buffer of elements of one dtype on one device, owned by a {@link Backend}. Tensors share a
 * storage through views; the storage counts references and frees its memory when the last tensor
 * using it is closed.
 */
public abstract class Storage {
    private final DType dtype;
    private final int numel;
    private int refs = 1;

    protected Storage(DType dtype, int numel) {
        this.dtype = dtype;
        this.numel = numel;
    }

    public final DType dtype() { return dtype; }

    public final int numel() { return numel; }

    public abstract Device device();

    /** Frees device memory (or drops the heap array). Called once, when the last reference goes. */
    protected abstract void free();

    final synchronized void retain() {
        if (refs <= 0) throw new IllegalStateException("storage already freed");
        refs++;
    }

    final synchronized void release() { release(false); }

    /**
     * Drops one reference; the last frees the memory and, when it went by an explicit close (not by
     * the Cleaner, see {@link #dropData}), drops the data as well.
     */
    final synchronized void release(boolean byClose) {
        if (refs <= 0) return;
        if (--refs == 0) {
            free();
            if (byClose) dropData();
        }
    }

    /**
     * After the last reference went by an explicit close: drop what keeps the data reachable, so the
     * garbage collector can reclaim a heap buffer while closed tensors are still referenced (by a
     * scope's list, an autograd graph). Never called from the Cleaner, where a method of the
     * unreachable tensor may still be running. Nothing by default.
     */
    protected void dropData() {}

    final synchronized boolean isFreed() { return refs <= 0; }
}
