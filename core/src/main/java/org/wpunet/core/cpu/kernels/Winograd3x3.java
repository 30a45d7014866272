package org.wpunet.core.cpu.kernels;

import org.wpunet.core.cpu.Parallel;

/**
 * 3x3 convolution, stride 1, padding 1, dilation 1, by Winograd's F(4x4, 3x3) (only loaded when
 * SIMD is on; transforms in {@link WinogradTransforms}). The output is cut into 4x4 tiles (the last
 * row and column of tiles may overhang the image); tile t of image b reads the 6x6 input patch
 * whose top-left corner is at (4 ty - 1, 4 tx - 1), zero outside the image. Per call:
 * <ol>
 * <li>the input is copied into zero-bordered planes of (4 tilesY + 2) x (4 tilesX + 2), so every
 *     patch is in bounds;</li>
 * <li>the weights become 36 matrices U_pos [oc x c] (G g G^T), packed for the GEMM micro-kernel;</li>
 * <li>per task, a panel of NR consecutive tiles (over images and tile rows alike) is transformed
 *     into 36 B panels V_pos [c x NR] (B^T d B), then 36 products M_pos = U_pos V_pos, one
 *     {@link SgemmVector#gemmPanel} each, then the output transform A^T M A + bias is scattered into
 *     y. When there are fewer panels than threads, tasks also split the output channels (each
 *     recomputes its panel's input transform).</li>
 * </ol>
 * Multiplies per output pixel and channel pair: 36/16 = 2.25 instead of 9.
 */
final class Winograd3x3 {
    private static final int MR = SgemmVector.MR, NR = SgemmVector.NR, L = WinogradTransforms.L;
    private static final int POS = WinogradTransforms.POS;

    private Winograd3x3() {}

    /** 3x3, stride 1, padding 1, dilation 1: the geometry this kernel computes. */
    static boolean geometry(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        return kh == 3 && kw == 3 && sh == 1 && sw == 1 && ph == 1 && pw == 1 && dh == 1 && dw == 1;
    }

    /** Largest transformed weight set (36 * oc * c floats, 256 MiB): beyond it the call would allocate too much. */
    static final long MAX_TRANSFORMED_WEIGHTS = 1L << 26;

    /**
     * Where this kernel measured faster than the direct kernel and the implicit GEMM (WPU-Net's
     * layers at batch 1, 2 and 8, 2 threads, see docs/performance-cpu.md): at least 32 input and 64
     * output channels (thinner layers are the direct kernel's, whose register tiles beat the
     * transforms' memory traffic there), and at least 32 tiles of 4x4 output pixels (a full panel:
     * a single 16x16 image leaves half of each panel empty and the weight transform, 36 * oc * c,
     * unpaid for).
     */
    static boolean applies(int n, int c, int h, int w, int oc) {
        long tiles = (long) n * ((h + 3) / 4) * ((w + 3) / 4);
        return c >= 32 && oc >= 64 && tiles >= 32 && 36L * oc * c <= MAX_TRANSFORMED_WEIGHTS;
    }

    static void forward(float[] x, int n, int c, int h, int w, float[] wt, int oc, float[] bias, float[] y) {
        int tilesY = (h + 3) / 4, tilesX = (w + 3) / 4, tiles = n * tilesY * tilesX;
        int wp = 4 * tilesX + 2, hp = 4 * tilesY + 2, plane = hp * wp;
        float[] xp = padded(x, n, c, h, w, hp, wp);
        int ocp = (oc + MR - 1) / MR * MR;
        int uPos = WinogradTransforms.posStride(ocp * c);
        float[] u = Scratch.floats(Scratch.CONV_WPACK, POS * uPos);
        WinogradTransforms.weights(wt, oc, c, u, ocp);

        int panels = (tiles + NR - 1) / NR, threads = Parallel.threads();
        int ocBlocks = ocp / MR;
        int parts = panels >= 2 * threads ? 1 : Math.min(ocBlocks, (2 * threads + panels - 1) / panels);
        int chunk = (ocBlocks + parts - 1) / parts * MR;
        int ocParts = (ocp + chunk - 1) / chunk;
        int vPos = WinogradTransforms.posStride(c * NR), mPos = WinogradTransforms.posStride(chunk * NR);
        Parallel.forRange(panels * ocParts, 1, (t0, t1) -> {
            float[] v = Scratch.floats(Scratch.CONV_COL, POS * vPos);
            float[] m = Scratch.floats(Scratch.CONV_TMP, POS * mPos);
            float[] tmp = Scratch.floats(Scratch.WINO_TILE, 40 * L);
            Panel pn = new Panel(NR);
            int done = -1;
            for (int t = t0; t < t1; t++) {
                int jp = t / ocParts, o0 = t % ocParts * chunk, rows = Math.min(oc, o0 + chunk) - o0;
                if (jp != done) {
                    pn.locate(jp * NR, tiles, tilesY, tilesX, c, plane, wp, oc, h, w);
                    for (int ci = 0; ci < c; ci++) {
                        for (int g = 0; g < NR; g += L) {
                            WinogradTransforms.input(xp, ci * plane, wp, pn.in, g, tmp, v, ci * NR + g, vPos);
                        }
                    }
                    done = jp;
                }
                for (int pos = 0; pos < POS; pos++) {
                    SgemmVector.gemmPanel(rows, NR, c, u, pos * uPos + o0 * c, v, pos * vPos, 0,
                            m, pos * mPos, NR, false);
                }
                int hw = h * w;
                for (int o = 0; o < rows; o++) {
                    float b = bias == null ? 0f : bias[o0 + o];
                    for (int g = 0; g < NR; g += L) {
                        WinogradTransforms.output(m, o * NR + g, mPos, b, tmp, y, (o0 + o) * hw, w,
                                pn.out, pn.rows, pn.cols, g);
                    }
                }
            }
        });
    }

    /**
     * Where the NR tiles of one panel are: gather offsets into the padded input (channel 0),
     * scatter offsets into the output (channel 0), and how many rows and columns of each output
     * tile lie inside the image (surplus lanes past the last tile repeat it, with 0 rows).
     */
    private static final class Panel {
        final int[] in, out, rows, cols;

        Panel(int nr) {
            in = new int[nr];
            out = new int[nr];
            rows = new int[nr];
            cols = new int[nr];
        }

        void locate(int first, int tiles, int tilesY, int tilesX, int c, int plane, int wp, int oc, int h, int w) {
            int perImage = tilesY * tilesX;
            for (int j = 0; j < in.length; j++) {
                int t = Math.min(first + j, tiles - 1), b = t / perImage, r = t % perImage;
                int ty = r / tilesX, tx = r % tilesX;
                in[j] = b * c * plane + 4 * ty * wp + 4 * tx;
                out[j] = b * oc * h * w + 4 * ty * w + 4 * tx;
                rows[j] = first + j < tiles ? Math.min(4, h - 4 * ty) : 0;
                cols[j] = Math.min(4, w - 4 * tx);
            }
        }
    }

    /** x copied into planes of hp x wp with the image at (1, 1) and zeros elsewhere. */
    private static float[] padded(float[] x, int n, int c, int h, int w, int hp, int wp) {
        int plane = hp * wp;
        float[] xp = new float[n * c * plane];
        Parallel.forRange(n * c, Math.max(1, 16384 / (h * w)), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                for (int r = 0; r < h; r++) System.arraycopy(x, (p * h + r) * w, xp, p * plane + (r + 1) * wp + 1, w);
            }
        });
        return xp;
    }
}
