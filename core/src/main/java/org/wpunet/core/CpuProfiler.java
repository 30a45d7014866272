package org.wpunet.core;

import java.io.PrintStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-op wall time of the CPU backend: off unless {@code -Dwpunet.cpu.profile=true}; then {@link
 * Backends#get} hands out a proxy of the CPU backend that times every call and adds it to a row named
 * by the method and its first enum argument (e.g. {@code binary.MUL}, {@code conv2dBackwardWeight}).
 * CPU ops finish before they return, so a call's wall time is the op's time (exclusive: a backend
 * method calling another does so inside the backend, not through the proxy). {@link #report} prints
 * the table; {@link #reset} clears it (e.g. after warm-up). The proxy costs about a microsecond a call.
 * {@code -Dwpunet.cpu.profile=shapes} splits the convolution rows by input and weight shape.
 */
public final class CpuProfiler {
    /** True when -Dwpunet.cpu.profile=true. */
    public static final boolean ENABLED = Boolean.getBoolean("wpunet.cpu.profile")
            || "shapes".equals(System.getProperty("wpunet.cpu.profile"));
    /** -Dwpunet.cpu.profile=shapes: convolution rows split by input and weight shape. */
    private static final boolean SHAPES = "shapes".equals(System.getProperty("wpunet.cpu.profile"));

    private record Row(LongAdder nanos, LongAdder calls) {}

    private static final Map<String, Row> ROWS = new ConcurrentHashMap<>();

    private CpuProfiler() {}

    /** A backend whose calls are timed into this profile. */
    static Backend wrap(Backend inner) {
        InvocationHandler h = (proxy, m, args) -> {
            long t0 = System.nanoTime();
            try {
                return m.invoke(inner, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                long dt = System.nanoTime() - t0;
                Row r = ROWS.computeIfAbsent(key(m, args), k -> new Row(new LongAdder(), new LongAdder()));
                r.nanos().add(dt);
                r.calls().increment();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
    }

    private static String key(Method m, Object[] args) {
        if (SHAPES && args != null && m.getName().startsWith("conv")) {
            // convolutions by input and weight shape (the first two int[] arguments)
            StringBuilder k = new StringBuilder(m.getName());
            int found = 0;
            for (Object a : args) {
                if (a instanceof int[] s && found++ < 2) k.append(' ').append(java.util.Arrays.toString(s).replace(" ", ""));
            }
            return k.toString();
        }
        if (args != null) {
            for (Object a : args) if (a instanceof Enum<?> e) return m.getName() + "." + e.name();
        }
        return m.getName();
    }

    /** Forgets everything measured so far. */
    public static void reset() { ROWS.clear(); }

    /**
     * Prints the ops by total time, most first, with calls, ms per divisor (e.g. per training step)
     * and share of the profiled time; rows under 0.1% are summed into one line.
     */
    public static void report(PrintStream out, String title, int divisor) {
        List<Map.Entry<String, Row>> rows = new ArrayList<>(ROWS.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue().nanos().sum(), a.getValue().nanos().sum()));
        double all = rows.stream().mapToLong(e -> e.getValue().nanos().sum()).sum() / 1e6;
        int d = Math.max(1, divisor);
        out.printf(Locale.ROOT, "cpu profile, %s: %.1f ms in backend ops per step (%d steps)%n", title, all / d, d);
        out.printf(Locale.ROOT, "  %-40s %8s %10s %7s%n", "op", "calls", "ms/step", "share");
        double rest = 0;
        for (Map.Entry<String, Row> e : rows) {
            double ms = e.getValue().nanos().sum() / 1e6;
            if (ms < all * 1e-3) {
                rest += ms;
                continue;
            }
            out.printf(Locale.ROOT, "  %-40s %8d %10.2f %6.1f%%%n", e.getKey(), e.getValue().calls().sum() / d, ms / d,
                    100 * ms / all);
        }
        if (rest > 0) out.printf(Locale.ROOT, "  %-40s %8s %10.2f %6.1f%%%n", "(others)", "", rest / d, 100 * rest / all);
    }
}
