package org.wpunet.benchmarks;

import java.util.Random;
import org.wpunet.core.cpu.kernels.Conv2dKernels;

/**
 * The measurement behind {@code Winograd3x3.applies}: for each 3x3 layer given as "n-c-oc-size",
 * the forward convolution (or, with {@code dx}, the input gradient) with the Winograd kernel off
 * and forced on, alternating the two in the same loop so that both see the same load, and the
 * fastest call of each (the minimum is the figure least disturbed by other processes on a shared
 * machine). Prints one line per layer with the ratio Winograd / off (below 1: Winograd is faster).
 *
 * <pre>java --add-modules jdk.incubator.vector -Dwpunet.threads=2 -cp benchmarks/target/jmh/benchmarks.jar \
 *     org.wpunet.benchmarks.WinogradRuleTiming fwd|dx 1-64-64-64 8-32-32-128 ...</pre>
 */
public final class WinogradRuleTiming {
    private WinogradRuleTiming() {}

    public static void main(String[] args) {
        if (args.length < 2 || !(args[0].equals("fwd") || args[0].equals("dx"))) {
            System.err.println("usage: WinogradRuleTiming fwd|dx n-c-oc-size ... (e.g. fwd 1-64-64-64 8-128-128-32)");
            System.exit(2);
        }
        boolean grad = args[0].equals("dx");
        Conv2dKernels.Winograd previous = Conv2dKernels.setWinograd(Conv2dKernels.Winograd.AUTO);
        try {
            for (int s = 1; s < args.length; s++) {
                int[] d = layer(args[s]);
                int n = d[0], c = d[1], oc = d[2], sz = d[3];
                Random r = new Random(1);
                float[] x = ConvBenchmark.fill(r, n * c * sz * sz), wt = ConvBenchmark.fill(r, oc * c * 9);
                float[] bias = ConvBenchmark.fill(r, oc), y = ConvBenchmark.fill(r, n * oc * sz * sz);
                double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
                // one second untimed first: a fresh JVM's first layer otherwise times the JIT
                long warm = System.nanoTime() + 1_000_000_000L, deadline = warm + 6_000_000_000L;
                int reps = 0;
                while (System.nanoTime() < warm || reps < 6 || (System.nanoTime() < deadline && reps < 60)) {
                    if (System.nanoTime() < warm) {
                        reps = 0;
                        best[0] = best[1] = Double.MAX_VALUE;
                    }
                    for (int m = 0; m < 2; m++) {
                        Conv2dKernels.setWinograd(m == 0 ? Conv2dKernels.Winograd.OFF : Conv2dKernels.Winograd.ALWAYS);
                        long t0 = System.nanoTime();
                        if (grad) Conv2dKernels.backwardInput(y, wt, n, c, sz, sz, oc, 3, 3, 1, 1, 1, 1, 1, 1, x);
                        else Conv2dKernels.forward(x, n, c, sz, sz, wt, oc, 3, 3, bias, 1, 1, 1, 1, 1, 1, y);
                        best[m] = Math.min(best[m], (System.nanoTime() - t0) / 1e6);
                    }
                    reps++;
                }
                System.out.printf("%s %-16s off %8.2f ms  winograd %8.2f ms  ratio %.2f  (%d calls each)%n",
                        args[0], args[s], best[0], best[1], best[1] / best[0], reps);
            }
        } finally {
            Conv2dKernels.setWinograd(previous);
        }
    }

    private static int[] layer(String spec) {
        String[] f = spec.split("-");
        if (f.length != 4) throw new IllegalArgumentException("layer '" + spec + "': expected n-c-oc-size, e.g. 1-64-64-64");
        int[] d = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                d[i] = Integer.parseInt(f[i]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("layer '" + spec + "': '" + f[i] + "' is not a number");
            }
            if (d[i] <= 0) throw new IllegalArgumentException("layer '" + spec + "': sizes must be positive");
        }
        return d;
    }
}
