package org.wpunet.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * The CUDA driver through JCuda: call checking and raw-address interop. Touching this class loads
 * JCuda's native library, so only {@link CudaBackendProvider#probe} (inside a catch) and backends
 * created after a successful probe use it.
 */
final class Driver {
    private Driver() {}

    /** Throws a CudaException naming the op and the CUDA error name unless rc is CUDA_SUCCESS. */
    static void check(int rc, String op) {
        if (rc != CUresult.CUDA_SUCCESS) throw new CudaException(op + " failed: " + CUresult.stringFor(rc));
    }

    /** cuInit + device count; null when usable, else the reason. */
    static String probe() {
        JCudaDriver.setExceptionsEnabled(false);
        int rc = JCudaDriver.cuInit(0);
        if (rc != CUresult.CUDA_SUCCESS) return "CUDA driver present but cuInit failed: " + CUresult.stringFor(rc);
        int[] v = new int[1];
        check(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
        if (v[0] < 13000) {
            return "the CUDA driver supports CUDA " + v[0] / 1000 + "." + (v[0] % 1000) / 10
                    + "; the bundled PTX (ISA 9.0, nvcc 13) needs a CUDA 13 driver (r580 or newer)";
        }
        int[] n = new int[1];
        check(JCudaDriver.cuDeviceGetCount(n), "cuDeviceGetCount");
        if (n[0] == 0) return "the CUDA driver found no GPU";
        return null;
    }

    static int deviceCount() {
        int[] n = new int[1];
        check(JCudaDriver.cuDeviceGetCount(n), "cuDeviceGetCount");
        return n[0];
    }

    /** A device pointer whose raw address can be read (JCuda keeps it protected). */
    static final class DevPtr extends CUdeviceptr {
        long address() { return getNativePointer() + getByteOffset(); }
    }

    /** A stream whose raw CUstream handle can be passed to cuBLAS/cuDNN. */
    static final class Stream extends CUstream {
        long address() { return getNativePointer(); }
    }
}
