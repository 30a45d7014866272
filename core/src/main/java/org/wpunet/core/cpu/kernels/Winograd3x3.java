package org.wpunet.core.cpu.kernels;

import org.wpunet.core.cpu.Parallel;

/**
 * 3x3 convolution, stride 1, padding 1, dilation 1, by Winograd's F(4x4, 3x3) (only loaded when
 * SIMD is on; transforms in {@link WinogradTransforms}). The output is cut into 4x4 tiles (the last
 * row and column of tiles may overhang the image); tile t of image b reads the 6x6 input patch
 * whose top-left corner is at (4 ty - 1, 4 tx - 1), zero outside the image. Per call:
 * <ol>
 * <li>the weights become 36 matrices U_pos [oc x c] (G g G^T), packed for the GEMM micro-kernel;</li>
 * <li>per task, a panel of NR consecutive tiles (over images and tile rows alike) is transformed
 *     into 36 B panels V_pos [c x NR] (B^T d B), then 36 products M_pos = U_pos V_pos, one
 *     {@link SgemmVector#gemmPanel} each, then the output transform A^T M A + bias is copied into
 *     y. When there are fewer panels than threads, tasks also split the output channels (each
 *     recomputes its panel's input transform).</li>
 * </ol>
 * When the transformed weights outweigh the transformed input (more output channels than tiles:
 * deep layers on small images), the loops are turned round ({@link #forwardWeightsStationary}):
 * all tiles are transformed first, and each task transforms the weights of 16 output channels
 * into a cache-resident buffer and multiplies them with every panel.
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

    /** Largest transformed weight or input set a call may allocate (36 * oc * c or 36 * c * tiles floats, 256 MiB). */
    static final long MAX_TRANSFORMED = 1L << 26;

    /**
     * Where this kernel measured faster than the direct kernel and the implicit GEMM (WPU-Net's
     * layers at batch 1, 2 and 8, 2 threads, see docs/performance-cpu.md): at least 32 input and 32
     * output channels (with 16 the direct kernel's register tiles win: 1.1 to 1.5 times faster
     * than the transforms) and at least 16 tiles of 4x4 output pixels (one 16x16 image: half a
     * panel, still 0.5 to 0.9 of the other paths' time there).
     */
    static boolean applies(int n, int c, int h, int w, int oc) {
        long tiles = (long) n * ((h + 3) / 4) * ((w + 3) / 4);
        return c >= 32 && oc >= 32 && tiles >= 16 && 36L * c * Math.min(oc, tiles) <= MAX_TRANSFORMED;
    }

    /**
     * Whether the transformed weights (36 * ocp * c floats) outweigh the transformed input (36 * c *
     * NR floats per panel): deep layers on small images, where streaming the transformed weights
     * through memory once per panel cost 2 to 3 times the products (measured on 512 and 1024
     * channels at 16 and 32 pixels); or when they would be too large to allocate.
     */
    private static boolean weightsStationary(int ocp, int panels, int c) {
        return (long) ocp > (long) panels * NR || 36L * ocp * c > MAX_TRANSFORMED;
    }

    static void forward(float[] x, int n, int c, int h, int w, float[] wt, int oc, float[] bias, float[] y) {
        int tilesY = (h + 3) / 4, tilesX = (w + 3) / 4, tiles = n * tilesY * tilesX;
        int ocp = (oc + MR - 1) / MR * MR, panels = (tiles + NR - 1) / NR;
        if (weightsStationary(ocp, panels, c)) {
            forwardWeightsStationary(x, n, c, h, w, wt, oc, bias, y);
            return;
        }
        int plane = h * w;
        int uPos = WinogradTransforms.posStride(ocp * c);
        float[] u = Scratch.floats(Scratch.CONV_WPACK, POS * uPos);
        WinogradTransforms.weights(wt, oc, c, u, ocp);

        int threads = Parallel.threads();
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
                    pn.locate(jp * NR, tiles, tilesY, tilesX, c, oc, h, w);
                    for (int ci = 0; ci < c; ci++) {
                        for (int g = 0; g < NR; g += L) {
                            WinogradTransforms.input(x, ci * plane, w, pn, g, tmp, v, ci * NR + g, vPos);
                        }
                    }
                    done = jp;
                }
                for (int pos = 0; pos < POS; pos++) {
                    SgemmVector.gemmPanel(rows, NR, c, u, pos * uPos + o0 * c, v, pos * vPos, 0,
                            m, pos * mPos, NR, false);
                }
                outputs(m, mPos, rows, o0, bias, tmp, y, plane, w, pn);
            }
        });
    }

    /**
     * The order for few tiles and many weights, where streaming all 36 * oc * c transformed weights
     * through memory once per panel of tiles (and writing them first) costs more than the products:
     * the whole input is transformed first (36 * c * tiles floats), then each task takes 16 output
     * channels, transforms their weights into a thread-local buffer (36 * 16 * c floats, cache
     * resident) and multiplies them with every panel. The weights are read from memory once.
     */
    private static void forwardWeightsStationary(float[] x, int n, int c, int h, int w, float[] wt, int oc,
                                                 float[] bias, float[] y) {
        int tilesY = (h + 3) / 4, tilesX = (w + 3) / 4, tiles = n * tilesY * tilesX, plane = h * w;
        int panels = (tiles + NR - 1) / NR, vPos = WinogradTransforms.posStride(c * NR), vPanel = POS * vPos;
        float[] v = new float[panels * vPanel];
        Parallel.forRange(panels, 1, (j0, j1) -> {
            float[] tmp = Scratch.floats(Scratch.WINO_TILE, 40 * L);
            Panel pn = new Panel(NR);
            for (int jp = j0; jp < j1; jp++) {
                pn.locate(jp * NR, tiles, tilesY, tilesX, c, oc, h, w);
                for (int ci = 0; ci < c; ci++) {
                    for (int g = 0; g < NR; g += L) {
                        WinogradTransforms.input(x, ci * plane, w, pn, g, tmp, v, jp * vPanel + ci * NR + g, vPos);
                    }
                }
            }
        });
        int chunk = 2 * MR, chunks = (oc + chunk - 1) / chunk;
        int uPos = WinogradTransforms.posStride(chunk * c), mPos = WinogradTransforms.posStride(chunk * NR);
        Parallel.forRange(chunks, 1, (k0, k1) -> {
            float[] u = Scratch.floats(Scratch.CONV_WPACK, POS * uPos);
            float[] m = Scratch.floats(Scratch.CONV_TMP, POS * mPos);
            float[] tmp = Scratch.floats(Scratch.WINO_TILE, 40 * L);
            Panel pn = new Panel(NR);
            for (int k = k0; k < k1; k++) {
                int o0 = k * chunk, rows = Math.min(oc, o0 + chunk) - o0;
                WinogradTransforms.weights(wt, oc, c, o0 / MR, (o0 + rows + MR - 1) / MR, u, 0, uPos);
                for (int jp = 0; jp < panels; jp++) {
                    pn.locate(jp * NR, tiles, tilesY, tilesX, c, oc, h, w);
                    for (int pos = 0; pos < POS; pos++) {
                        SgemmVector.gemmPanel(rows, NR, c, u, pos * uPos, v, jp * vPanel + pos * vPos, 0,
                                m, pos * mPos, NR, false);
                    }
                    outputs(m, mPos, rows, o0, bias, tmp, y, plane, w, pn);
                }
            }
        });
    }

    /** The output transform of {@code rows} channels from o0 for the panel {@code pn}, M at {@code m[pos*mPos + o*NR]}. */
    private static void outputs(float[] m, int mPos, int rows, int o0, float[] bias, float[] tmp, float[] y, int hw, int w,
                                Panel pn) {
        for (int o = 0; o < rows; o++) {
            float b = bias == null ? 0f : bias[o0 + o];
            for (int g = 0; g < NR; g += L) {
                WinogradTransforms.output(m, o * NR + g, mPos, b, tmp, y, (o0 + o) * hw, w, pn.out, pn.rows, pn.cols, g);
            }
        }
    }

    /**
     * Where the NR tiles of one panel are: the offset of each tile's 6x6 input patch in x (channel
     * 0; its corner (4 ty - 1, 4 tx - 1) may lie outside the image), the rows and columns of the
     * patch inside the image ({@code [rowLo, rowHi) x [colLo, colHi)}, the rest reads as zero), the
     * offset of its output tile in y (channel 0), and how many rows and columns of the output tile
     * lie inside the image (surplus lanes past the last tile repeat it, with 0 output rows).
     */
    static final class Panel {
        final int[] in, rowLo, rowHi, colLo, colHi, out, rows, cols;

        Panel(int nr) {
            in = new int[nr];
            rowLo = new int[nr];
            rowHi = new int[nr];
            colLo = new int[nr];
            colHi = new int[nr];
            out = new int[nr];
            rows = new int[nr];
            cols = new int[nr];
        }

        void locate(int first, int tiles, int tilesY, int tilesX, int c, int oc, int h, int w) {
            int perImage = tilesY * tilesX;
            for (int j = 0; j < in.length; j++) {
                int t = Math.min(first + j, tiles - 1), b = t / perImage, r = t % perImage;
                int y0 = 4 * (r / tilesX), x0 = 4 * (r % tilesX);
                in[j] = b * c * h * w + (y0 - 1) * w + x0 - 1;
                rowLo[j] = Math.max(0, 1 - y0);
                rowHi[j] = Math.min(6, h + 1 - y0);
                colLo[j] = Math.max(0, 1 - x0);
                colHi[j] = Math.min(6, w + 1 - x0);
                out[j] = b * oc * h * w + y0 * w + x0;
                rows[j] = first + j < tiles ? Math.min(4, h - y0) : 0;
                cols[j] = Math.min(4, w - x0);
            }
        }
    }
}
