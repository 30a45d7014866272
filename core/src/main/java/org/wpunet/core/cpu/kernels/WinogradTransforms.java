package org.wpunet.core.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.wpunet.core.cpu.Parallel;

/**
 * The three transforms of Winograd's F(4x4, 3x3) (Lavin and Gray, "Fast algorithms for
 * convolutional neural networks", 2016; interpolation points 0, 1, -1, 2, -2 and infinity): a 4x4
 * output tile {@code Y = A^T [(G g G^T) .* (B^T d B)] A} from a 6x6 input tile d and a 3x3 kernel g,
 * 36 multiplies instead of 144. With {@code .*} summed over input channels, the 36 products are 36
 * independent matrix products (one per position of the 6x6 transformed tile); see {@link Winograd3x3}.
 *
 * <pre>
 *  B^T = | 4  0 -5  0  1  0 |     G = |  1/4     0     0  |    A^T = | 1  1  1  1  1  0 |
 *        | 0 -4 -4  1  1  0 |         | -1/6  -1/6  -1/6  |          | 0  1 -1  2 -2  0 |
 *        | 0  4 -4 -1  1  0 |         | -1/6   1/6  -1/6  |          | 0  1  1  4  4  0 |
 *        | 0 -2 -1  2  1  0 |         |  1/24  1/12  1/6  |          | 0  1 -1  8 -8  1 |
 *        | 0  2 -1 -2  1  0 |         |  1/24 -1/12  1/6  |
 *        | 0  4  0 -5  0  1 |         |   0     0     1   |
 * </pre>
 *
 * The tile transforms run on vectors whose lanes are tiles: the same tile element of L tiles is
 * copied into one row of a small buffer, the 1-d transform is applied down the columns into a small buffer, then along its
 * rows, and each transformed position is stored as L contiguous floats, the B-panel layout of
 * {@link SgemmVector}. The output transform reads L tiles of one position contiguously and
 * copies the 4x4 results of each tile into the NCHW output.
 */
final class WinogradTransforms {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Input tile side, output tile side, transformed positions. */
    static final int IN = 6, OUT = 4, POS = 36;
    private static final FloatVector TWO = FloatVector.broadcast(S, 2f), FOUR = FloatVector.broadcast(S, 4f),
            EIGHT = FloatVector.broadcast(S, 8f), MINUS_TWO = FloatVector.broadcast(S, -2f),
            MINUS_FOUR = FloatVector.broadcast(S, -4f), MINUS_FIVE = FloatVector.broadcast(S, -5f);

    private WinogradTransforms() {}

    /**
     * The distance between two positions' matrices of {@code size} floats: one cache line more, so
     * that the 36 streams a transform reads or writes at once do not all fall into one L1 set (at
     * a multiple of 4 KiB apart they would, and evict each other on every access).
     */
    static int posStride(int size) { return (size + 15) / 16 * 16 + 16; }

    /**
     * B^T d B for L tiles of one channel: {@code d[i][j] = x[base + p.in[lane] + i*w + j]} inside
     * the lane's patch bounds ({@link Winograd3x3.Panel}), zero outside the image; position
     * {@code k*6 + l} goes to {@code v[vOff + (k*6 + l)*vStride .. + L)}. {@code tmp}: 36*L floats.
     * The tiles are first copied lane-wise into tmp (element (i, j) of all L tiles contiguous;
     * scalar copies measured several times faster than vector gathers here), then transformed down
     * the columns in place, then along the rows into v.
     */
    static void input(float[] x, int base, int w, Winograd3x3.Panel p, int lane0, float[] tmp, float[] v, int vOff,
                      int vStride) {
        for (int lane = 0; lane < L; lane++) {
            int q = lane0 + lane, src = base + p.in[q];
            int rLo = p.rowLo[q], rHi = p.rowHi[q], cLo = p.colLo[q], cHi = p.colHi[q];
            if (rLo == 0 && rHi == IN && cLo == 0 && cHi == IN) {
                for (int i = 0; i < IN; i++, src += w) {
                    int dst = i * IN * L + lane;
                    tmp[dst] = x[src];
                    tmp[dst + L] = x[src + 1];
                    tmp[dst + 2 * L] = x[src + 2];
                    tmp[dst + 3 * L] = x[src + 3];
                    tmp[dst + 4 * L] = x[src + 4];
                    tmp[dst + 5 * L] = x[src + 5];
                }
            } else {
                for (int i = 0; i < IN; i++, src += w) {
                    boolean row = i >= rLo && i < rHi;
                    for (int j = 0; j < IN; j++) {
                        tmp[(i * IN + j) * L + lane] = row && j >= cLo && j < cHi ? x[src + j] : 0f;
                    }
                }
            }
        }
        for (int j = 0; j < IN; j++) {
            // column j of the tile, transformed down the column (in place): e[k][j] = (B^T d)[k][j]
            int o = j * L;
            FloatVector d0 = FloatVector.fromArray(S, tmp, o);
            FloatVector d1 = FloatVector.fromArray(S, tmp, o + IN * L);
            FloatVector d2 = FloatVector.fromArray(S, tmp, o + 2 * IN * L);
            FloatVector d3 = FloatVector.fromArray(S, tmp, o + 3 * IN * L);
            FloatVector d4 = FloatVector.fromArray(S, tmp, o + 4 * IN * L);
            FloatVector d5 = FloatVector.fromArray(S, tmp, o + 5 * IN * L);
            bt(d0, d1, d2, d3, d4, d5, tmp, o, IN * L);
        }
        for (int k = 0; k < IN; k++) {
            // row k of B^T d, transformed along the row: V[k][l] = (B^T d B)[k][l]
            int t = k * IN * L;
            FloatVector e0 = FloatVector.fromArray(S, tmp, t);
            FloatVector e1 = FloatVector.fromArray(S, tmp, t + L);
            FloatVector e2 = FloatVector.fromArray(S, tmp, t + 2 * L);
            FloatVector e3 = FloatVector.fromArray(S, tmp, t + 3 * L);
            FloatVector e4 = FloatVector.fromArray(S, tmp, t + 4 * L);
            FloatVector e5 = FloatVector.fromArray(S, tmp, t + 5 * L);
            bt(e0, e1, e2, e3, e4, e5, v, vOff + k * IN * vStride, vStride);
        }
    }

    /** t = B^T d for one 6-vector, stored at {@code out[at + r*stride]}, r = 0..5. */
    private static void bt(FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3, FloatVector d4,
                           FloatVector d5, float[] out, int at, int stride) {
        // t0 = 4 d0 - 5 d2 + d4;  t5 = 4 d1 - 5 d3 + d5
        d0.fma(FOUR, d2.fma(MINUS_FIVE, d4)).intoArray(out, at);
        d1.fma(FOUR, d3.fma(MINUS_FIVE, d5)).intoArray(out, at + 5 * stride);
        // t1 = (d3 + d4) - 4 (d1 + d2);  t2 = (d4 - d3) + 4 (d1 - d2)
        FloatVector s12 = d1.add(d2), m12 = d1.sub(d2);
        s12.fma(MINUS_FOUR, d3.add(d4)).intoArray(out, at + stride);
        m12.fma(FOUR, d4.sub(d3)).intoArray(out, at + 2 * stride);
        // t3 = (d4 - d2) + 2 (d3 - d1);  t4 = (d4 - d2) - 2 (d3 - d1)
        FloatVector a = d4.sub(d2), b = d3.sub(d1);
        b.fma(TWO, a).intoArray(out, at + 3 * stride);
        b.fma(MINUS_TWO, a).intoArray(out, at + 4 * stride);
    }

    /**
     * {@code Y = A^T M A + bias} for L tiles of one output channel: position {@code k*6 + l} of the
     * tiles is {@code m[mOff + (k*6 + l)*mStride .. + L)}; output element (u, v) of the tile of lane
     * i goes to {@code y[yOff + oidx[oidxOff + i] + u*w + v]} for u below {@code rows[oidxOff + i]}
     * and v below {@code cols[oidxOff + i]} (4 inside the image; less for tiles that overhang it,
     * 0 for surplus lanes). {@code tmp}: 40*L floats.
     */
    static void output(float[] m, int mOff, int mStride, float bias, float[] tmp, float[] y, int yOff, int w,
                       int[] oidx, int[] rows, int[] cols, int oidxOff) {
        for (int l = 0; l < IN; l++) {
            // column l of M, transformed down the column: (A^T M)[u][l]
            int o = mOff + l * mStride;
            FloatVector m0 = FloatVector.fromArray(S, m, o);
            FloatVector m1 = FloatVector.fromArray(S, m, o + IN * mStride);
            FloatVector m2 = FloatVector.fromArray(S, m, o + 2 * IN * mStride);
            FloatVector m3 = FloatVector.fromArray(S, m, o + 3 * IN * mStride);
            FloatVector m4 = FloatVector.fromArray(S, m, o + 4 * IN * mStride);
            FloatVector m5 = FloatVector.fromArray(S, m, o + 5 * IN * mStride);
            FloatVector p12 = m1.add(m2), q12 = m1.sub(m2), p34 = m3.add(m4), q34 = m3.sub(m4);
            // o0 = m0 + m1 + m2 + m3 + m4; o1 = (m1 - m2) + 2 (m3 - m4); o2 = (m1 + m2) + 4 (m3 + m4);
            // o3 = (m1 - m2) + 8 (m3 - m4) + m5
            m0.add(p12).add(p34).intoArray(tmp, l * L);
            q34.fma(TWO, q12).intoArray(tmp, (IN + l) * L);
            p34.fma(FOUR, p12).intoArray(tmp, (2 * IN + l) * L);
            q34.fma(EIGHT, q12.add(m5)).intoArray(tmp, (3 * IN + l) * L);
        }
        FloatVector vb = FloatVector.broadcast(S, bias);
        int res = OUT * IN * L; // the 16 results, element (u, v) of all L tiles at tmp[res + (u*4 + v)*L]
        for (int u = 0; u < OUT; u++) {
            int t = u * IN * L;
            FloatVector m0 = FloatVector.fromArray(S, tmp, t);
            FloatVector m1 = FloatVector.fromArray(S, tmp, t + L);
            FloatVector m2 = FloatVector.fromArray(S, tmp, t + 2 * L);
            FloatVector m3 = FloatVector.fromArray(S, tmp, t + 3 * L);
            FloatVector m4 = FloatVector.fromArray(S, tmp, t + 4 * L);
            FloatVector m5 = FloatVector.fromArray(S, tmp, t + 5 * L);
            FloatVector p12 = m1.add(m2), q12 = m1.sub(m2), p34 = m3.add(m4), q34 = m3.sub(m4);
            int at = res + u * OUT * L;
            m0.add(p12).add(p34).add(vb).intoArray(tmp, at);
            q34.fma(TWO, q12.add(vb)).intoArray(tmp, at + L);
            p34.fma(FOUR, p12.add(vb)).intoArray(tmp, at + 2 * L);
            q34.fma(EIGHT, q12.add(m5).add(vb)).intoArray(tmp, at + 3 * L);
        }
        for (int lane = 0; lane < L; lane++) {
            int dst = yOff + oidx[oidxOff + lane], nr = rows[oidxOff + lane], nc = cols[oidxOff + lane], src = res + lane;
            if (nr == OUT && nc == OUT) {
                for (int u = 0; u < OUT; u++, dst += w, src += OUT * L) {
                    y[dst] = tmp[src];
                    y[dst + 1] = tmp[src + L];
                    y[dst + 2] = tmp[src + 2 * L];
                    y[dst + 3] = tmp[src + 3 * L];
                }
            } else {
                for (int u = 0; u < nr; u++, dst += w, src += OUT * L) {
                    for (int v = 0; v < nc; v++) y[dst + v] = tmp[src + v * L];
                }
            }
        }
    }

    /** Eight lanes: one {@link SgemmVector#MR}-row panel of output channels. */
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    private static final float Q = 1f / 4, SIX = 1f / 6, TWELFTH = 1f / 12, TWENTY4 = 1f / 24;

    /**
     * U = G g G^T for every (output, input) channel pair, stored as 36 matrices [ocp x c] packed in
     * {@link SgemmVector}'s A layout (MR-row panels over the whole c):
     * {@code u[pos*posStride(ocp*c) + ((o/MR)*c + ci)*MR + o%MR]}; rows oc..ocp-1 are zero. In
     * parallel over the panels of 8 output channels.
     */
    static void weights(float[] wt, int oc, int c, float[] u, int ocp) {
        int posStride = posStride(ocp * c);
        Parallel.forRange(ocp / 8, Math.max(1, 512 / Math.max(1, c)),
                (p0, p1) -> weights(wt, oc, c, p0, p1, u, p0 * c * 8, posStride));
    }

    /**
     * U for the output channels of the 8-row panels [p0, p1) only, serial: panel p at
     * {@code u[uOff + pos*posStride + ((p - p0)*c + ci)*8 + o%8]}. Vectorised over the 8 output channels of a
     * panel: their 9 weights transposed into a buffer, then 8 contiguous floats per position.
     */
    static void weights(float[] wt, int oc, int c, int p0, int p1, float[] u, int uOff, int posStride) {
        if (SgemmVector.MR != S8.length()) throw new IllegalStateException("weight panels need MR = 8 lanes");
        float[] g = new float[9 * 8], t = new float[18 * 8];
        for (int p = p0; p < p1; p++) {
            int live = Math.min(8, oc - p * 8);
            java.util.Arrays.fill(g, 0f); // rows past oc stay zero
            for (int ci = 0; ci < c; ci++) {
                // the 3x3 kernels of the panel's 8 output channels, transposed: g[k*8 + i]
                for (int i = 0; i < live; i++) {
                    int src = ((p * 8 + i) * c + ci) * 9;
                    for (int k = 0; k < 9; k++) g[k * 8 + i] = wt[src + k];
                }
                // t = G g (6 x 3), column by column: t[r][j] at t[(r*3 + j)*8]
                for (int j = 0; j < 3; j++) {
                    FloatVector g0 = FloatVector.fromArray(S8, g, j * 8);
                    FloatVector g1 = FloatVector.fromArray(S8, g, (3 + j) * 8);
                    FloatVector g2 = FloatVector.fromArray(S8, g, (6 + j) * 8);
                    gCol(g0, g1, g2, t, j * 8, 24);
                }
                // U = t G^T: row r of t becomes positions r*6 .. r*6+5
                int at = uOff + (p - p0) * c * 8 + ci * 8;
                for (int r = 0; r < IN; r++) {
                    FloatVector t0 = FloatVector.fromArray(S8, t, r * 24);
                    FloatVector t1 = FloatVector.fromArray(S8, t, r * 24 + 8);
                    FloatVector t2 = FloatVector.fromArray(S8, t, r * 24 + 16);
                    gCol(t0, t1, t2, u, r * IN * posStride + at, posStride);
                }
            }
        }
    }

    /** G (g0, g1, g2): six 8-lane vectors stored at {@code out[at + i*stride]}, i = 0..5. */
    private static void gCol(FloatVector g0, FloatVector g1, FloatVector g2, float[] out, int at, int stride) {
        FloatVector s = g0.add(g2), e = g0.mul(TWENTY4).add(g2.mul(SIX)), f = g1.mul(TWELFTH);
        g0.mul(Q).intoArray(out, at);
        s.add(g1).mul(-SIX).intoArray(out, at + stride);
        s.sub(g1).mul(-SIX).intoArray(out, at + 2 * stride);
        e.add(f).intoArray(out, at + 3 * stride);
        e.sub(f).intoArray(out, at + 4 * stride);
        g2.intoArray(out, at + 5 * stride);
    }
}
