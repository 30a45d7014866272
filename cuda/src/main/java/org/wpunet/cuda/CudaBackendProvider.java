package org.wpunet.cuda;

import java.util.concurrent.ConcurrentHashMap;
import org.wpunet.core.Backend;
import org.wpunet.core.BackendProvider;

/**
 * Finds CUDA at run time. Class loading touches no native code: JCuda's JNI library, the driver,
 * cuBLAS and cuDNN are loaded inside {@link #probe()}, and any failure (UnsatisfiedLinkError
 * included) becomes the one-line reason `wpunet info` prints.
 */
public final class CudaBackendProvider implements BackendProvider {
    private final ConcurrentHashMap<Integer, CudaBackend> backends = new ConcurrentHashMap<>();
    private volatile String reason = "not probed yet";

    @Override
    public String type() { return "cuda"; }

    /** The first probe's result: a failed JNI load cannot be retried (later tries only see NoClassDefFoundError). */
    private static String probed;
    private static boolean done;

    @Override
    public String probe() {
        synchronized (CudaBackendProvider.class) {
            if (!done) {
                probed = probeOnce();
                done = true;
            }
            reason = probed;
            return probed;
        }
    }

    private static String probeOnce() {
        String why;
        try {
            why = Driver.probe();
            if (why == null) {
                Cublas.get();
                long v = CudnnLibrary.get().version();
                if (v < 90000) why = "cuDNN " + v + " is too old (cuDNN 9 needed)";
            }
        } catch (LinkageError e) { // UnsatisfiedLinkError from JCuda's JNI library or libcuda.so
            why = "CUDA driver library not loadable (" + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                    + "); is an NVIDIA driver installed?";
        } catch (Throwable t) {
            why = firstLine(t.getMessage() == null ? t.toString() : t.getMessage());
        }
        return why;
    }

    private static String firstLine(String s) {
        if (s == null) return "unknown error";
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    @Override
    public int deviceCount() {
        if (reason != null) return 0;
        try {
            return Driver.deviceCount();
        } catch (Throwable t) {
            return 0;
        }
    }

    @Override
    public Backend backend(int index) {
        if (reason != null) throw new IllegalStateException("cuda is unavailable: " + reason);
        return backends.computeIfAbsent(index, CudaBackend::new);
    }
}
