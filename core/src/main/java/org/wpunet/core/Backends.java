package org.wpunet.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import org.wpunet.core.cpu.CpuBackend;

/**
 * The registry of backends: the CPU backend always, others through {@link BackendProvider}s found
 * with ServiceLoader. A provider that fails to load or probe is recorded with its reason; nothing
 * here throws at start-up.
 */
public final class Backends {
    /** What {@code wpunet info} prints for one backend type. */
    public record Status(String type, boolean available, int devices, String detail) {}

    private static final Map<String, BackendProvider> PROVIDERS = new LinkedHashMap<>();
    private static final Map<String, String> REASONS = new LinkedHashMap<>();
    private static final Map<Device, Backend> CACHE = new ConcurrentHashMap<>();
    /** The CPU backend, timed per op when -Dwpunet.cpu.profile=true ({@link CpuProfiler}). */
    private static final Backend CPU = CpuProfiler.ENABLED ? CpuProfiler.wrap(CpuBackend.INSTANCE) : CpuBackend.INSTANCE;

    static {
        try {
            for (var it = ServiceLoader.load(BackendProvider.class).iterator(); ; ) {
                try {
                    if (!it.hasNext()) break;
                    BackendProvider p = it.next();
                    String why;
                    try {
                        why = p.probe();
                    } catch (Throwable t) {
                        why = "probe failed: " + t;
                    }
                    PROVIDERS.put(p.type(), p);
                    if (why != null) REASONS.put(p.type(), why);
                } catch (Throwable t) { // ServiceConfigurationError, LinkageError: record, carry on
                    REASONS.putIfAbsent("provider", "a backend provider failed to load: " + t);
                    break;
                }
            }
        } catch (Throwable t) {
            REASONS.putIfAbsent("provider", "backend discovery failed: " + t);
        }
        if (!PROVIDERS.containsKey("cuda") && !REASONS.containsKey("cuda")) {
            REASONS.put("cuda", "the wpunet-cuda module is not on the class path");
        }
    }

    private Backends() {}

    /** The backend of a device; a clear error when the device type is unavailable. */
    public static Backend get(Device d) {
        if (d.isCpu()) return CPU;
        return CACHE.computeIfAbsent(d, dev -> {
            BackendProvider p = PROVIDERS.get(dev.type());
            String why = REASONS.get(dev.type());
            if (p == null || why != null) {
                throw new IllegalStateException("device " + dev + " is unavailable: "
                        + (why != null ? why : "no provider for '" + dev.type() + "'"));
            }
            if (dev.index() >= p.deviceCount()) {
                throw new IllegalStateException("device " + dev + " does not exist (" + p.deviceCount()
                        + " " + dev.type() + " device(s) found)");
            }
            return p.backend(dev.index());
        });
    }

    /** Memory held on a device (see {@link MemoryStats}). */
    public static MemoryStats memoryStats(Device d) { return get(d).memoryStats(); }

    /** Restarts the device's peak-memory figure from what is in use now (for measuring one phase). */
    public static void resetPeakMemory(Device d) { get(d).resetPeakMemory(); }

    /** Waits for the device's queued ops (for timing; reading a result waits anyway). */
    public static void synchronize(Device d) { get(d).synchronize(); }

    /** True when the device can be used. */
    public static boolean isAvailable(Device d) {
        if (d.isCpu()) return true;
        BackendProvider p = PROVIDERS.get(d.type());
        return p != null && !REASONS.containsKey(d.type()) && d.index() < p.deviceCount();
    }

    /** The best device: cuda:0 when available, else cpu. */
    public static Device defaultDevice() { return isAvailable(Device.cuda(0)) ? Device.cuda(0) : Device.CPU; }

    /** Every backend type with its availability and the reason when it is unavailable. */
    public static List<Status> status() {
        List<Status> out = new ArrayList<>();
        out.add(new Status("cpu", true, 1, CpuBackend.INSTANCE.describe()));
        var types = new java.util.LinkedHashSet<String>();
        types.addAll(PROVIDERS.keySet());
        types.addAll(REASONS.keySet());
        for (String t : types) {
            BackendProvider p = PROVIDERS.get(t);
            String why = REASONS.get(t);
            if (why == null && p != null) {
                int n = p.deviceCount();
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append("; ");
                    try {
                        sb.append(get(new Device(t, i)).describe());
                    } catch (RuntimeException e) {
                        sb.append(t).append(':').append(i).append(" failed: ").append(e.getMessage());
                    }
                }
                out.add(new Status(t, true, n, sb.toString()));
            } else {
                out.add(new Status(t, false, 0, why));
            }
        }
        return out;
    }
}
