package org.wpunet.tracking.export;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

/**
 * Three cuts through the middle of a label volume in one picture, laid out as Fiji's "Orthogonal
 * Views": XY (the middle slice) top left, YZ (the middle column, z to the right) beside it, XZ (the
 * middle row, z downwards) below it. Each cut is coloured by grain with {@link GrainColours}, with
 * grain boundaries dark, and stretched along z by spacing / pixel so lengths are true in every
 * panel. Thin white lines mark where the other two cuts lie; a scale bar gives microns. A grain that
 * is continuous along z shows as one colour running down the XZ and YZ panels; a tracking break shows
 * as a colour change at a slice.
 */
final class OrthogonalViews {
    private OrthogonalViews() {}

    private static final int PAD = 12, LABEL = 18, TITLE = 24;

    static BufferedImage render(LabelVolume v, VoxelSize voxel) {
        int w = v.width(), h = v.height(), n = v.depth();
        int cx = w / 2, cy = h / 2, cz = n / 2;
        double s = displayScale(Math.max(w, h));
        double zs = s * voxel.spacingUm() / voxel.pixelUm();          // output pixels per slice
        int pw = px(w * s), ph = px(h * s), pz = px(n * zs);
        BufferedImage xy = LabelPlanes.render((x, y) -> v.get(x, y, cz), w, h, pw, ph);
        BufferedImage yz = LabelPlanes.render((z, y) -> v.get(cx, y, z), n, h, pz, ph);
        BufferedImage xz = LabelPlanes.render((x, z) -> v.get(x, cy, z), w, n, pw, pz);

        int width = PAD + pw + PAD + Math.max(pz, 150) + PAD;
        int height = TITLE + LABEL + ph + PAD + LABEL + pz + PAD + 30;
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(String.format(Locale.ROOT, "%d x %d x %d voxels of %s x %s x %s um", w, h, n,
                fmt(voxel.pixelUm()), fmt(voxel.pixelUm()), fmt(voxel.spacingUm())), PAD, 17);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));

        int x0 = PAD, y0 = TITLE + LABEL, x1 = PAD + pw + PAD, y1 = y0 + ph + PAD + LABEL;
        g.drawString("XY  (slice z = " + (cz + 1) + " of " + n + ")", x0, y0 - 5);
        g.drawString("YZ  (x = " + cx + ")", x1, y0 - 5);
        g.drawString("XZ  (y = " + cy + "), z downwards", x0, y1 - 5);
        g.drawString("z \u2192", x1, y0 + ph + 14);
        g.drawImage(xy, x0, y0, null);
        g.drawImage(yz, x1, y0, null);
        g.drawImage(xz, x0, y1, null);

        // where the other cuts lie: centre of the cut voxel row/column/slice on each panel
        int lx = (int) ((cx + 0.5) * s), ly = (int) ((cy + 0.5) * s), lz = (int) ((cz + 0.5) * zs);
        g.setColor(new Color(255, 255, 255, 170));
        g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
        g.drawLine(x0 + lx, y0, x0 + lx, y0 + ph - 1);      // XY: the YZ cut
        g.drawLine(x0, y0 + ly, x0 + pw - 1, y0 + ly);      // XY: the XZ cut
        g.drawLine(x1 + lz, y0, x1 + lz, y0 + ph - 1);      // YZ: the XY slice
        g.drawLine(x1, y0 + ly, x1 + pz - 1, y0 + ly);      // YZ: the XZ cut
        g.drawLine(x0, y1 + lz, x0 + pw - 1, y1 + lz);      // XZ: the XY slice
        g.drawLine(x0 + lx, y1, x0 + lx, y1 + pz - 1);      // XZ: the YZ cut

        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x0 - 1, y0 - 1, pw + 1, ph + 1);
        g.drawRect(x1 - 1, y0 - 1, pz + 1, ph + 1);
        g.drawRect(x0 - 1, y1 - 1, pw + 1, pz + 1);
        scaleBar(g, x0, y1 + pz + 14, s / voxel.pixelUm(), pw);
        g.dispose();
        return out;
    }

    /**
     * Output pixels per voxel in x and y: small volumes are enlarged by a whole factor to about 512
     * pixels, large ones shrunk to at most 1200 pixels, others drawn 1:1.
     */
    static double displayScale(int size) {
        if (size < 256) return Math.max(1, 512 / size);
        if (size > 1200) return 1200.0 / size;
        return 1;
    }

    private static int px(double v) { return Math.max(1, (int) Math.round(v)); }

    /** A bar of a round number of microns, at most half the panel width. */
    private static void scaleBar(Graphics2D g, int x, int y, double pxPerUm, int panel) {
        double maxUm = panel / 2.0 / pxPerUm, um = 0;
        for (double step : new double[] {1, 2, 5}) {
            for (double p = 1e-3; p <= 1e6; p *= 10) if (step * p <= maxUm) um = Math.max(um, step * p);
        }
        if (um == 0) um = maxUm;
        int len = Math.max(1, (int) Math.round(um * pxPerUm));
        g.setColor(Color.BLACK);
        g.fillRect(x, y, len, 4);
        g.drawString(fmt(um) + " um", x + len + 6, y + 6);
    }

    /** Up to four significant digits without trailing zeros: 1, 1.8, 0.325. */
    private static String fmt(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
