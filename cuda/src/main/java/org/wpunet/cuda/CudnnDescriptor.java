package org.wpunet.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One cuDNN descriptor (tensor, filter or convolution), destroyed by {@link #close}: every user opens
 * its descriptors in one try-with-resources, so a failure in a later create, set or cuDNN call still
 * destroys the ones made before it. A descriptor whose set call fails is destroyed before the
 * exception leaves its factory.
 */
final class CudnnDescriptor implements AutoCloseable {
    /** The three descriptor kinds: their create and destroy functions. */
    enum Kind {
        TENSOR("cudnnCreateTensorDescriptor", "cudnnDestroyTensorDescriptor"),
        FILTER("cudnnCreateFilterDescriptor", "cudnnDestroyFilterDescriptor"),
        CONVOLUTION("cudnnCreateConvolutionDescriptor", "cudnnDestroyConvolutionDescriptor");

        final String create, destroy;

        Kind(String create, String destroy) {
            this.create = create;
            this.destroy = destroy;
        }
    }

    private final CudnnLibrary dnn;
    private final Kind kind;
    private MemorySegment handle;

    private CudnnDescriptor(CudnnLibrary dnn, Kind kind) {
        this.dnn = dnn;
        this.kind = kind;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocate(ADDRESS);
            dnn.call(kind.create, p);
            handle = p.get(ADDRESS, 0);
        }
    }

    /** The raw cudnn*Descriptor_t. */
    MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("cuDNN " + kind + " descriptor already destroyed");
        return handle;
    }

    Kind kind() { return kind; }

    /** Runs a set call on a new descriptor, destroying it when the call fails. */
    private static CudnnDescriptor create(CudnnLibrary dnn, Kind kind, String set, Object... args) {
        CudnnDescriptor d = new CudnnDescriptor(dnn, kind);
        try {
            Object[] full = new Object[args.length + 1];
            full[0] = d.handle;
            System.arraycopy(args, 0, full, 1, args.length);
            dnn.call(set, full);
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** An NCHW tensor of the given cudnnDataType_t. */
    static CudnnDescriptor tensor(CudnnLibrary dnn, int dataType, int n, int c, int h, int w) {
        return create(dnn, Kind.TENSOR, "cudnnSetTensor4dDescriptor", CudnnLibrary.FORMAT_NCHW, dataType, n, c, h, w);
    }

    /** A [k, c, h, w] filter (NCHW); note cudnnSetFilter4dDescriptor takes the data type before the format. */
    static CudnnDescriptor filter(CudnnLibrary dnn, int dataType, int k, int c, int h, int w) {
        return create(dnn, Kind.FILTER, "cudnnSetFilter4dDescriptor", dataType, CudnnLibrary.FORMAT_NCHW, k, c, h, w);
    }

    /**
     * A 2-D cross-correlation descriptor: FP32 accumulation for FLOAT and 16-bit data (cuDNN's
     * PSEUDO_HALF / PSEUDO_BFLOAT16 configurations), DOUBLE for double; math type as
     * {@link CudnnLibrary#mathType}.
     */
    static CudnnDescriptor convolution(CudnnLibrary dnn, int dataType, int padH, int padW, int strideH, int strideW,
                                       int dilationH, int dilationW, boolean tf32) {
        int compute = dataType == CudnnLibrary.DATA_DOUBLE ? CudnnLibrary.DATA_DOUBLE : CudnnLibrary.DATA_FLOAT;
        CudnnDescriptor d = create(dnn, Kind.CONVOLUTION, "cudnnSetConvolution2dDescriptor", padH, padW, strideH, strideW,
                dilationH, dilationW, CudnnLibrary.CROSS_CORRELATION, compute);
        try {
            dnn.call("cudnnSetConvolutionMathType", d.handle, CudnnLibrary.mathType(dataType, tf32));
            return d;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Destroys the descriptor (once; later calls do nothing). */
    @Override
    public void close() {
        if (handle == null) return;
        MemorySegment h = handle;
        handle = null;
        dnn.call(kind.destroy, h);
    }
}
