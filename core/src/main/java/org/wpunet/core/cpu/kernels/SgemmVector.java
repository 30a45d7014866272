package org.wpunet.core.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Serial packed SGEMM with a register-tiled FMA micro-kernel (only loaded when SIMD is on).
 *
 * <p>Loop structure (Goto/BLIS): for each {@code NC}-column block of C and each {@code KC}-deep slice
 * of k, op(B) is packed into {@code NR}-wide column panels ({@code bp[(panel*kc + p)*NR + j]}); for
 * each {@code MC}-row block, op(A) is packed into {@code MR}-high row panels
 * ({@code ap[(panel*kc + p)*MR + i]}). Packing pads ragged edges with zeros, so the micro-kernel
 * always computes a full {@code MR x NR} tile: per p it loads two B vectors, broadcasts each of
 * the MR A values and issues 2*MR FMAs into 2*MR accumulator registers (16 of AVX-512's 32; 8 rows, so
 * channel counts that are multiples of 8 leave no ragged tiles). A
 * packed A block (MC x KC) stays in L2, one B micro-panel (KC x NR) in L1.
 * Transposition is handled entirely in the packing routines.
 */
final class SgemmVector {
    private SgemmVector() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 8;
    static final int NR = 2 * L;
    private static final int KC = 256;
    private static final int MC = 144;
    private static final int NC = Math.max(NR, 3072 / NR * NR);

    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        if (alpha == 0f) {
            SgemmScalar.scale(m, n, beta, c, cOff, ldc);
            return;
        }
        if (beta != 0f && beta != 1f) SgemmScalar.scale(m, n, beta, c, cOff, ldc);
        float[] bp = Scratch.floats(Scratch.GEMM_B, KC * NC);
        float[] ap = Scratch.floats(Scratch.GEMM_A, KC * MC + MR * NR);
        int tmpOff = KC * MC; // the micro-kernel's spill tile for ragged edges lives after the A block
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean overwrite = pc == 0 && beta == 0f;
                if (m <= MC) {
                    // One row block: pack A once, then pack each B micro-panel just before its
                    // m/MR uses so it is still in L1 (with few rows, streaming a fully packed B
                    // block back from L3 would dominate).
                    packA(transA, a, aOff, lda, 0, pc, m, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        packBPanel(transB, b, bOff, ldb, pc, jc + jr, kc, nr, bp, 0);
                        for (int ir = 0; ir < m; ir += MR) {
                            kernel(kc, ap, (ir / MR) * kc * MR, bp, 0, c, cOff + ir * ldc + jc + jr, ldc,
                                    alpha, Math.min(MR, m - ir), nr, overwrite, ap, tmpOff);
                        }
                    }
                    continue;
                }
                for (int jr = 0; jr < nc; jr += NR) {
                    packBPanel(transB, b, bOff, ldb, pc, jc + jr, kc, Math.min(NR, nc - jr), bp, (jr / NR) * kc * NR);
                }
                for (int ic = 0; ic < m; ic += MC) {
                    int mc = Math.min(MC, m - ic);
                    packA(transA, a, aOff, lda, ic, pc, mc, kc, ap);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        int bBase = (jr / NR) * kc * NR;
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            kernel(kc, ap, (ir / MR) * kc * MR, bp, bBase, c, cOff + (ic + ir) * ldc + jc + jr, ldc,
                                    alpha, mr, nr, overwrite, ap, tmpOff);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs all of A (row-major m x k, stride lda) into MR-high panels spanning the whole k:
     * {@code ap[(panel*k + p)*MR + i]}, the layout {@link #gemmPacked} reads. Needs
     * {@code ceil(m/MR)*MR*k} floats.
     */
    static void packAFull(float[] a, int aOff, int lda, int m, int k, float[] ap) {
        packA(false, a, aOff, lda, 0, 0, m, k, ap);
    }

    /**
     * C[:, jp*NR .. jp*NR + NR) (+)= A * Bpanel for one B panel {@code bp[bBase + p*NR + j]} over the
     * whole k, A packed by {@link #packAFull}. Overwrites C unless {@code accumulate}. Serial.
     */
    static void gemmPanel(int m, int n, int k, float[] ap, float[] bp, int bBase, int jp,
                          float[] c, int cOff, int ldc, boolean accumulate) {
        gemmPanel(m, n, k, ap, 0, bp, bBase, jp, c, cOff, ldc, accumulate);
    }

    /** {@link #gemmPanel(int, int, int, float[], float[], int, int, float[], int, int, boolean)} with A packed from {@code ap[aOff]}. */
    static void gemmPanel(int m, int n, int k, float[] ap, int aOff, float[] bp, int bBase, int jp,
                          float[] c, int cOff, int ldc, boolean accumulate) {
        float[] tmp = Scratch.floats(Scratch.GEMM_A, MR * NR);
        int nr = Math.min(NR, n - jp * NR);
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean overwrite = !accumulate && pc == 0;
            for (int ir = 0; ir < m; ir += MR) {
                kernel(kc, ap, aOff + ((ir / MR) * k + pc) * MR, bp, bBase + pc * NR, c, cOff + ir * ldc + jp * NR, ldc,
                        1f, Math.min(MR, m - ir), nr, overwrite, tmp, 0);
            }
        }
    }

    /**
     * C[0..mr, 0..n) += A * B for MR plain rows of A ({@code ap[aBase + i*lda + p]}, kc deep; rows
     * from mr to MR must be zero) against the NR-wide B panels {@code bp[bBase + jp*bStride + p*NR + j]}.
     * Serial.
     */
    static void rowsTimesPanels(int kc, int mr, float[] ap, int aBase, int lda, float[] bp, int bBase, int bStride,
                                int n, float[] c, int cOff, int ldc) {
        float[] tmp = Scratch.floats(Scratch.GEMM_A, MR * NR);
        for (int jp = 0, j = 0; j < n; jp++, j += NR) {
            kernelRowsA(kc, ap, aBase, lda, bp, bBase + jp * bStride, c, cOff + j, ldc, mr, Math.min(NR, n - j), tmp);
        }
    }

    /**
     * Like {@link #kernel} with alpha 1, always accumulating, but A is read from MR plain rows
     * {@code ap[aBase + i*lda + p]} (broadcast loads do not need A interleaved, so lowered rows
     * can be used without packing). Rows past {@code mr} must hold finite values (callers zero them).
     */
    private static void kernelRowsA(int kc, float[] ap, int aBase, int lda, float[] bp, int bBase, float[] c, int cBase,
                                    int ldc, int mr, int nr, float[] tmp) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z;
        FloatVector c70 = z, c71 = z;
        int a0 = aBase, a1 = a0 + 1 * lda, a2 = a0 + 2 * lda, a3 = a0 + 3 * lda, a4 = a0 + 4 * lda, a5 = a0 + 5 * lda, a6 = a0 + 6 * lda, a7 = a0 + 7 * lda;
        int bi = bBase;
        for (int p = 0; p < kc; p++, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[a0 + p]); c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[a1 + p]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[a2 + p]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[a3 + p]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[a4 + p]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[a5 + p]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[a6 + p]); c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[a7 + p]); c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
        }
        if (mr == MR && nr == NR) {
            int r;
            r = cBase + 0 * ldc;
            c00.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c01.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 1 * ldc;
            c10.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c11.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 2 * ldc;
            c20.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c21.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 3 * ldc;
            c30.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c31.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 4 * ldc;
            c40.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c41.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 5 * ldc;
            c50.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c51.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 6 * ldc;
            c60.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c61.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 7 * ldc;
            c70.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c71.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            return;
        }
        c00.intoArray(tmp, 0 * NR); c01.intoArray(tmp, 0 * NR + L);
        c10.intoArray(tmp, 1 * NR); c11.intoArray(tmp, 1 * NR + L);
        c20.intoArray(tmp, 2 * NR); c21.intoArray(tmp, 2 * NR + L);
        c30.intoArray(tmp, 3 * NR); c31.intoArray(tmp, 3 * NR + L);
        c40.intoArray(tmp, 4 * NR); c41.intoArray(tmp, 4 * NR + L);
        c50.intoArray(tmp, 5 * NR); c51.intoArray(tmp, 5 * NR + L);
        c60.intoArray(tmp, 6 * NR); c61.intoArray(tmp, 6 * NR + L);
        c70.intoArray(tmp, 7 * NR); c71.intoArray(tmp, 7 * NR + L);
        for (int i = 0; i < mr; i++) {
            int ci = cBase + i * ldc, ti = i * NR;
            for (int j = 0; j < nr; j++) c[ci + j] += tmp[ti + j];
        }
    }

    /**
     * C[0..mr, 0..nr) += sum over {@code rows x cols} depth steps (u, q) of A[t, :]^T B[u, q, :], with
     * A packed MR-interleaved like {@link #packA} ({@code ap[aBase + (u*aRowStep + q)*MR + i]}) and
     * B read as two vectors at {@code b[bBase + u*bRowStep + q*bStride]}: B is gathered straight
     * from its source layout with any strides, nothing is packed. B must be readable NR floats past
     * every start. Serial.
     */
    static void kernelStrided(int rows, int cols, float[] ap, int aBase, int aRowStep, int mr,
                              float[] b, int bBase, int bStride, int bRowStep, float[] c, int cBase, int ldc, int nr,
                              float[] tmp) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z;
        FloatVector c70 = z, c71 = z;
        for (int u = 0; u < rows; u++) {
            int ai = aBase + u * aRowStep * MR, bi = bBase + u * bRowStep;
            for (int q = 0; q < cols; q++, ai += MR, bi += bStride) {
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
                FloatVector a;
                a = FloatVector.broadcast(S, ap[ai + 0]); c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
                a = FloatVector.broadcast(S, ap[ai + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
                a = FloatVector.broadcast(S, ap[ai + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
                a = FloatVector.broadcast(S, ap[ai + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
                a = FloatVector.broadcast(S, ap[ai + 4]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
                a = FloatVector.broadcast(S, ap[ai + 5]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
                a = FloatVector.broadcast(S, ap[ai + 6]); c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
                a = FloatVector.broadcast(S, ap[ai + 7]); c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            }
        }
        if (mr == MR && nr == NR) {
            int r;
            r = cBase + 0 * ldc;
            c00.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c01.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 1 * ldc;
            c10.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c11.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 2 * ldc;
            c20.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c21.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 3 * ldc;
            c30.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c31.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 4 * ldc;
            c40.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c41.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 5 * ldc;
            c50.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c51.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 6 * ldc;
            c60.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c61.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            r = cBase + 7 * ldc;
            c70.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
            c71.add(FloatVector.fromArray(S, c, r + L)).intoArray(c, r + L);
            return;
        }
        c00.intoArray(tmp, 0 * NR); c01.intoArray(tmp, 0 * NR + L);
        c10.intoArray(tmp, 1 * NR); c11.intoArray(tmp, 1 * NR + L);
        c20.intoArray(tmp, 2 * NR); c21.intoArray(tmp, 2 * NR + L);
        c30.intoArray(tmp, 3 * NR); c31.intoArray(tmp, 3 * NR + L);
        c40.intoArray(tmp, 4 * NR); c41.intoArray(tmp, 4 * NR + L);
        c50.intoArray(tmp, 5 * NR); c51.intoArray(tmp, 5 * NR + L);
        c60.intoArray(tmp, 6 * NR); c61.intoArray(tmp, 6 * NR + L);
        c70.intoArray(tmp, 7 * NR); c71.intoArray(tmp, 7 * NR + L);
        for (int i = 0; i < mr; i++) {
            int ci = cBase + i * ldc, ti = i * NR;
            for (int j = 0; j < nr; j++) c[ci + j] += tmp[ti + j];
        }
    }

    /** Packs columns [j0, j0+nr) of op(B)[pc..pc+kc, :] into one NR-wide panel at {@code base}, zero-padded. */
    private static void packBPanel(boolean transB, float[] b, int bOff, int ldb, int pc, int j0, int kc, int nr,
                                   float[] bp, int base) {
        if (!transB) {
            // op(B)[p, j] = b[p*ldb + j]: each panel row is a contiguous copy.
            int src = bOff + pc * ldb + j0;
            for (int p = 0; p < kc; p++, src += ldb) {
                int dst = base + p * NR;
                System.arraycopy(b, src, bp, dst, nr);
                for (int j = nr; j < NR; j++) bp[dst + j] = 0f;
            }
        } else {
            // op(B)[p, j] = b[j*ldb + p]: walk each stored row j contiguously along p.
            for (int j = 0; j < nr; j++) {
                int src = bOff + (j0 + j) * ldb + pc;
                for (int p = 0; p < kc; p++) bp[base + p * NR + j] = b[src + p];
            }
            for (int j = nr; j < NR; j++) {
                for (int p = 0; p < kc; p++) bp[base + p * NR + j] = 0f;
            }
        }
    }

    /** Packs op(A)[ic..ic+mc, pc..pc+kc] into MR-high panels, zero-padding the last panel. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int ic, int pc, int mc, int kc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir);
            int base = (ir / MR) * kc * MR;
            if (transA) {
                // op(A)[i, p] = a[p*lda + i]: the MR values of one p are contiguous in storage.
                int src = aOff + pc * lda + ic + ir;
                for (int p = 0; p < kc; p++, src += lda) {
                    int dst = base + p * MR;
                    System.arraycopy(a, src, ap, dst, mr);
                    for (int i = mr; i < MR; i++) ap[dst + i] = 0f;
                }
            } else {
                // op(A)[i, p] = a[i*lda + p]: walk each stored row i contiguously along p.
                for (int i = 0; i < mr; i++) {
                    int src = aOff + (ic + ir + i) * lda + pc;
                    for (int p = 0; p < kc; p++) ap[base + p * MR + i] = a[src + p];
                }
                for (int i = mr; i < MR; i++) {
                    for (int p = 0; p < kc; p++) ap[base + p * MR + i] = 0f;
                }
            }
        }
    }

    /**
     * C[0..mr, 0..nr] (+)= alpha * sum_p Apanel[p, :]^T Bpanel[p, :]. Full tiles are stored with
     * vector loads/stores; ragged tiles go through a spill tile {@code tmp[tmpOff..]}.
     */
    private static void kernel(int kc, float[] ap, int aBase, float[] bp, int bBase, float[] c, int cBase, int ldc,
                               float alpha, int mr, int nr, boolean overwrite, float[] tmp, int tmpOff) {
        FloatVector z = FloatVector.zero(S);
        FloatVector c00 = z, c01 = z;
        FloatVector c10 = z, c11 = z;
        FloatVector c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z;
        FloatVector c40 = z, c41 = z;
        FloatVector c50 = z, c51 = z;
        FloatVector c60 = z, c61 = z;
        FloatVector c70 = z, c71 = z;
        int ai = aBase, bi = bBase;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ai + 0]); c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ai + 6]); c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ai + 7]); c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
        }
        FloatVector va = FloatVector.broadcast(S, alpha);
        if (mr == MR && nr == NR) {
            int r;
            r = cBase + 0 * ldc;
            (overwrite ? c00.mul(va) : c00.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c01.mul(va) : c01.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 1 * ldc;
            (overwrite ? c10.mul(va) : c10.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c11.mul(va) : c11.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 2 * ldc;
            (overwrite ? c20.mul(va) : c20.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c21.mul(va) : c21.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 3 * ldc;
            (overwrite ? c30.mul(va) : c30.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c31.mul(va) : c31.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 4 * ldc;
            (overwrite ? c40.mul(va) : c40.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c41.mul(va) : c41.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 5 * ldc;
            (overwrite ? c50.mul(va) : c50.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c51.mul(va) : c51.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 6 * ldc;
            (overwrite ? c60.mul(va) : c60.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c61.mul(va) : c61.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            r = cBase + 7 * ldc;
            (overwrite ? c70.mul(va) : c70.fma(va, FloatVector.fromArray(S, c, r))).intoArray(c, r);
            (overwrite ? c71.mul(va) : c71.fma(va, FloatVector.fromArray(S, c, r + L))).intoArray(c, r + L);
            return;
        }
        int t = tmpOff;
        c00.intoArray(tmp, t + 0 * NR); c01.intoArray(tmp, t + 0 * NR + L);
        c10.intoArray(tmp, t + 1 * NR); c11.intoArray(tmp, t + 1 * NR + L);
        c20.intoArray(tmp, t + 2 * NR); c21.intoArray(tmp, t + 2 * NR + L);
        c30.intoArray(tmp, t + 3 * NR); c31.intoArray(tmp, t + 3 * NR + L);
        c40.intoArray(tmp, t + 4 * NR); c41.intoArray(tmp, t + 4 * NR + L);
        c50.intoArray(tmp, t + 5 * NR); c51.intoArray(tmp, t + 5 * NR + L);
        c60.intoArray(tmp, t + 6 * NR); c61.intoArray(tmp, t + 6 * NR + L);
        c70.intoArray(tmp, t + 7 * NR); c71.intoArray(tmp, t + 7 * NR + L);
        for (int i = 0; i < mr; i++) {
            int ci = cBase + i * ldc, ti = t + i * NR;
            for (int j = 0; j < nr; j++) {
                float v = alpha * tmp[ti + j];
                c[ci + j] = overwrite ? v : c[ci + j] + v;
            }
        }
    }
}
