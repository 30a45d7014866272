package org.wpunet.benchmarks;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.wpunet.core.cpu.kernels.Sgemm;

/** SGEMM 1024^3 (2 * 1024^3 flop per call): ours against EJML, single- and multi-threaded. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class GemmBenchmark {
    static final int N = 1024;
    float[] a, b, c;
    FMatrixRMaj ma, mb, mc;

    @Setup
    public void setup() {
        Random r = new Random(1);
        a = new float[N * N];
        b = new float[N * N];
        c = new float[N * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        ma = FMatrixRMaj.wrap(N, N, a);
        mb = FMatrixRMaj.wrap(N, N, b);
        mc = new FMatrixRMaj(N, N);
    }

    @Benchmark
    public float[] sgemm1024Ours() {
        Sgemm.gemm(false, false, N, N, N, 1f, a, 0, N, b, 0, N, 0f, c, 0, N);
        return c;
    }

    @Benchmark
    public FMatrixRMaj sgemm1024Ejml() {
        CommonOps_FDRM.mult(ma, mb, mc);
        return mc;
    }

    @Benchmark
    public FMatrixRMaj sgemm1024EjmlMt() {
        CommonOps_MT_FDRM.mult(ma, mb, mc);
        return mc;
    }
}
