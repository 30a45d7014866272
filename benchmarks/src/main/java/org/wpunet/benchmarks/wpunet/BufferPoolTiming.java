package org.wpunet.benchmarks.wpunet;

import java.util.Arrays;
import java.util.Locale;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.core.Tensor;
import org.wpunet.core.cpu.CpuBufferPool;
import org.wpunet.model.WpuNet;

/**
 * CPU inference of one slice with {@link CpuBufferPool} off and on, in alternating blocks within one
 * JVM, so that the load of a shared machine drifts over both alike (a whole-run comparison of two
 * builds swings by 25-50 ms with it). Each block: the pool set (off: bound 0; on: the configured
 * bound), one untimed inference (fills the pool), then {@code runs} timed ones. Besides wall time it
 * reports the process's CPU time per run (GC threads included), steadier than wall time on a loaded
 * machine.
 *
 * <pre>
 * BufferPoolTiming [--widths 16,32,64,128,256] [--size 256] [--blocks 20] [--runs 4]
 * </pre>
 */
public final class BufferPoolTiming {
    private BufferPoolTiming() {}

    public static void main(String[] args) {
        int[] widths = {16, 32, 64, 128, 256};
        int size = 256, blocks = 20, runs = 4;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a value");
            String v = args[i + 1];
            switch (args[i]) {
                case "--widths" -> widths = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
                case "--size" -> size = Integer.parseInt(v);
                case "--blocks" -> blocks = Integer.parseInt(v);
                case "--runs" -> runs = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--widths, --size, --blocks, --runs)");
            }
        }
        long bound = CpuBufferPool.boundBytes();
        if (bound == 0) throw new IllegalArgumentException("the pool is off (-Dwpunet.cpu.pool=0): nothing to compare");
        try (WpuNet model = new WpuNet(WpuNet.Config.original().withWidths(widths), new Rng(1));
             Tensor x = WpuNetTiming.input(1, size, Device.CPU, 99)) {
            model.eval();
            Runnable infer = () -> WpuNetTiming.inferStep(model, x, false);
            WpuNetTiming.time(20, 0, Device.CPU, infer);
            double[] off = new double[blocks * runs], on = new double[blocks * runs];
            double[] cpuOff = new double[blocks], cpuOn = new double[blocks];
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int b = 0; b < blocks; b++) {
                for (boolean pooled : new boolean[]{b % 2 == 0, b % 2 != 0}) {
                    CpuBufferPool.setBoundBytes(pooled ? bound : 0);
                    WpuNetTiming.time(1, 0, Device.CPU, infer);
                    long c0 = os.getProcessCpuTime();
                    double[] t = WpuNetTiming.time(0, runs, Device.CPU, infer);
                    // CPU time of the whole process (GC threads included) per run: less swayed by other
                    // processes than wall time, which counts the time this one waits for a core
                    (pooled ? cpuOn : cpuOff)[b] = (os.getProcessCpuTime() - c0) / 1e6 / runs;
                    System.arraycopy(t, 0, pooled ? on : off, b * runs, runs);
                }
            }
            CpuBufferPool.setBoundBytes(bound);
            System.out.printf(Locale.ROOT, "inference 1 x %d^2, widths %s, %d blocks of %d runs each way%n", size,
                    Arrays.toString(widths), blocks, runs);
            System.out.printf(Locale.ROOT, "pool off: median %.2f ms, min %.2f ms; process CPU per run: median %.2f ms%n",
                    WpuNetTiming.median(off), WpuNetTiming.min(off), WpuNetTiming.median(cpuOff));
            System.out.printf(Locale.ROOT, "pool on (%d MiB): median %.2f ms, min %.2f ms; process CPU per run: median %.2f ms%n",
                    bound >> 20, WpuNetTiming.median(on), WpuNetTiming.min(on), WpuNetTiming.median(cpuOn));
            System.out.printf(Locale.ROOT, "on/off: wall median %.3f, CPU median %.3f%n", WpuNetTiming.median(on) / WpuNetTiming.median(off),
                    WpuNetTiming.median(cpuOn) / WpuNetTiming.median(cpuOff));
        }
    }
}
