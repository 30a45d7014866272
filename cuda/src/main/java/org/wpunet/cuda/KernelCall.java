package org.wpunet.cuda;

import java.util.List;
import org.wpunet.core.Storage;

/**
 * One kernel launch as plain data: the PTX entry, the grid (a grid-stride loop over {@code n}
 * elements, or {@code n} blocks of {@link Launch#THREADS} for the one-block-per-row kernels) and the
 * arguments in the order of the kernel's C signature. {@link KernelCalls} builds them; the backend
 * turns them into cuLaunchKernel parameters, and the host emulation in the tests runs the same
 * object through a Java transcription of the kernel's index arithmetic.
 */
record KernelCall(String kernel, Grid grid, long n, List<Arg> args) {
    /** How {@code n} maps to the launch grid. */
    enum Grid {
        /** ceil(n / THREADS) blocks capped at the device's maximum; the kernel loops over the rest. */
        STRIDE,
        /** Exactly n blocks of THREADS threads (one block per output row). */
        BLOCKS
    }

    KernelCall {
        args = List.copyOf(args);
    }

    /** A kernel argument; {@link #token} is its ABI class as KernelAbiTest names it. */
    sealed interface Arg {
        String token();
    }

    /** C {@code int}. */
    record I32(int v) implements Arg {
        @Override
        public String token() { return "i32"; }
    }

    /** C {@code long long}. */
    record I64(long v) implements Arg {
        @Override
        public String token() { return "i64"; }
    }

    /** C {@code double}. */
    record F64(double v) implements Arg {
        @Override
        public String token() { return "f64"; }
    }

    /** common.cuh's struct Lay by value, packed by {@link Launch#lay} or {@link Launch#layExact}. */
    record Lay(int[] packed) implements Arg {
        @Override
        public String token() { return "lay"; }
    }

    /** A device pointer to element 0 of a storage, or NULL when {@code storage} is null. */
    record Ptr(Storage storage) implements Arg {
        @Override
        public String token() { return "ptr"; }
    }

    /** The kernel's parameter classes in order ("i32 ptr lay ..."). */
    String signature() {
        StringBuilder sb = new StringBuilder();
        for (Arg a : args) sb.append(sb.isEmpty() ? "" : " ").append(a.token());
        return sb.toString();
    }
}
