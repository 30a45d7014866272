package org.wpunet.cuda;

/** A failed CUDA, cuBLAS or cuDNN call; the message names the operation and the library's error name. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) { super(message); }

    public CudaException(String message, Throwable cause) { super(message, cause); }
}
