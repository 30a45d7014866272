package org.wpunet.infer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The boundary probabilities of every slice of a stack, kept between the two passes of
 * {@link Direction#BOTH}: on the heap while the whole stack fits in {@link #HEAP_LIMIT} bytes, else in
 * a temporary file (deleted on {@link #close}), so a stack of large slices does not need its
 * probabilities in memory at once.
 */
final class ProbabilityStore implements AutoCloseable {
    /** Stacks up to this many bytes of probabilities stay on the heap. */
    static final long HEAP_LIMIT = 256L << 20;

    private final int plane;
    private final float[][] heap;
    private final Path file;
    private final FileChannel channel;

    ProbabilityStore(int slices, int plane) {
        this(slices, plane, (long) slices * plane * Float.BYTES <= HEAP_LIMIT);
    }

    ProbabilityStore(int slices, int plane, boolean onHeap) {
        this.plane = plane;
        if (onHeap) {
            heap = new float[slices][];
            file = null;
            channel = null;
        } else {
            heap = null;
            try {
                file = Files.createTempFile("wpunet-probability-", ".f32");
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary file for the two-way pass (java.io.tmpdir = "
                        + System.getProperty("java.io.tmpdir") + "): " + e.getMessage(), e);
            }
        }
    }

    boolean onHeap() { return heap != null; }

    void put(int k, float[] probability) {
        if (probability.length != plane) throw new IllegalArgumentException("probability has " + probability.length + " values, expected " + plane);
        if (heap != null) {
            heap[k] = probability;
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(plane * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(probability);
        try {
            long at = (long) k * plane * Float.BYTES;
            while (b.hasRemaining()) at += channel.write(b, at);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the two-way pass's temporary file " + file + ": " + e.getMessage(), e);
        }
    }

    float[] get(int k) {
        if (heap != null) {
            if (heap[k] == null) throw new IllegalStateException("slice " + (k + 1) + " has no stored probability");
            return heap[k];
        }
        ByteBuffer b = ByteBuffer.allocate(plane * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long at = (long) k * plane * Float.BYTES;
            while (b.hasRemaining()) {
                int r = channel.read(b, at);
                if (r < 0) throw new IllegalStateException("slice " + (k + 1) + " has no stored probability");
                at += r;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the two-way pass's temporary file " + file + ": " + e.getMessage(), e);
        }
        float[] out = new float[plane];
        b.flip();
        b.asFloatBuffer().get(out);
        return out;
    }

    @Override
    public void close() {
        if (channel == null) return;
        try {
            channel.close();
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // DELETE_ON_CLOSE already removed it where the platform allows
        }
    }
}
