package org.wpunet.core;

/**
 * Service-provider interface for non-CPU backends, found with {@link java.util.ServiceLoader}
 * (META-INF/services/org.wpunet.core.BackendProvider). A provider must load without its native
 * libraries: {@link #probe()} reports availability and the reason when unavailable; it must never
 * throw at class loading.
 */
public interface BackendProvider {
    /** Device type it serves, e.g. "cuda". */
    String type();

    /** Checks drivers/libraries; returns null when usable, else a one-line reason. */
    String probe();

    /** Number of devices (0 when unavailable). */
    int deviceCount();

    /** Creates (or returns the cached) backend for a device index; only called when probe() is null. */
    Backend backend(int index);
}
