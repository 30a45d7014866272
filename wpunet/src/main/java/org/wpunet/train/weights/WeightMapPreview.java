package org.wpunet.train.weights;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * A readable picture of a {@link BoundaryWeightMap}: the boundary channel and the background
 * channel side by side, both coloured with one viridis scale from 0 to 11 (grain pixels of the
 * boundary channel lie in [0.36, 10), of the background channel in [1.36, 11]; boundary pixels of
 * the background channel are 1), so the two channels can be compared colour for colour as the loss
 * compares them. Boundary pixels of the boundary channel (weight 30, off the scale) are white.
 * Small images are enlarged by an integer factor (nearest neighbour) to at least 256 pixels.
 * A title, panel captions and a labelled colour bar are drawn with the default font; if no font can
 * be used (a headless machine without fonts) the picture is drawn without text.
 */
public final class WeightMapPreview {
    private WeightMapPreview() {}

    /** Upper end of the colour scale: the background channel's maximum, 1 + w0. */
    public static final double SCALE_MAX = 1 + BoundaryWeightMap.W0;

    /** matplotlib's viridis at 17 evenly spaced points (0, 1/16, ..., 1), as 0xRRGGBB. */
    private static final int[] VIRIDIS = {0x440154, 0x48186a, 0x472d7b, 0x424086, 0x3b528b, 0x33638d, 0x2c728e,
            0x26828e, 0x21918c, 0x1fa088, 0x28ae80, 0x3fbc73, 0x5ec962, 0x84d44b, 0xaddc30, 0xd8e219, 0xfde725};

    /** Colour of a value on the 0..11 scale (clamped), linear between the 17 viridis points. */
    static int colour(double v) {
        double t = Math.max(0, Math.min(1, v / SCALE_MAX)) * (VIRIDIS.length - 1);
        int k = Math.min((int) t, VIRIDIS.length - 2);
        double f = t - k;
        int a = VIRIDIS[k], b = VIRIDIS[k + 1], rgb = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            int ca = (a >> shift) & 0xFF, cb = (b >> shift) & 0xFF;
            rgb |= (int) Math.round(ca + f * (cb - ca)) << shift;
        }
        return rgb;
    }

    /**
     * Renders {@code map} ({@link BoundaryWeightMap#compute} layout: background channel, then boundary
     * channel) of a {@code width x height} image; {@code title} goes on top (e.g. the file name).
     */
    public static BufferedImage render(float[] map, int width, int height, String title) {
        int n = width * height;
        if (map.length != 2 * n) throw new IllegalArgumentException("map has " + map.length + " values, expected 2x" + width + "x" + height);
        int scale = Math.max(1, 256 / Math.max(width, height));
        int pw = width * scale, ph = height * scale, margin = 14, gap = 14, textRow = 22, barH = 14;
        int canvasW = Math.max(2 * pw + gap + 2 * margin, 560);
        int left = (canvasW - (2 * pw + gap)) / 2;
        int top = margin + 2 * textRow;
        int barTop = top + ph + 16;
        int canvasH = barTop + barH + 2 * textRow + margin;
        var img = new BufferedImage(canvasW, canvasH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setColor(new Color(0xF4F4F4));
            g.fillRect(0, 0, canvasW, canvasH);
            // panel 0: boundary channel (offset n), panel 1: background channel (offset 0)
            int[] offsets = {n, 0};
            for (int p = 0; p < 2; p++) {
                int x0 = left + p * (pw + gap);
                for (int y = 0; y < ph; y++) {
                    for (int x = 0; x < pw; x++) {
                        float v = map[offsets[p] + x / scale + width * (y / scale)];
                        int rgb = p == 0 && v > SCALE_MAX ? 0xFFFFFF : colour(v);
                        img.setRGB(x0 + x, top + y, rgb);
                    }
                }
            }
            // colour bar 0..11 across the width of both panels
            int barLeft = left, barW = 2 * pw + gap;
            if (barW < 300) { barW = Math.min(canvasW - 2 * margin, 300 + 120); barLeft = (canvasW - barW) / 2; }
            int swatch = 60; // right end: white swatch for boundary pixels of the boundary channel
            int scaleW = barW - swatch - 10;
            for (int x = 0; x < scaleW; x++) {
                g.setColor(new Color(colour(SCALE_MAX * x / (scaleW - 1.0))));
                g.fillRect(barLeft + x, barTop, 1, barH);
            }
            g.setColor(Color.WHITE);
            g.fillRect(barLeft + barW - swatch, barTop, swatch, barH);
            g.setColor(Color.DARK_GRAY);
            g.setStroke(new BasicStroke(1));
            g.drawRect(barLeft + barW - swatch, barTop, swatch - 1, barH - 1);
            try {
                drawText(g, title, left, top, pw, gap, barLeft, barTop, barH, scaleW, barW, swatch);
            } catch (RuntimeException noFonts) {
                // the picture without text is still a valid preview
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawText(Graphics2D g, String title, int left, int top, int pw, int gap, int barLeft, int barTop,
                                 int barH, int scaleW, int barW, int swatch) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, left, top - 22 - fm.getDescent() - 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        String[] captions = {"boundary channel (obj)", "background channel (bck)"};
        for (int p = 0; p < 2; p++) g.drawString(fit(captions[p], fm, pw), left + p * (pw + gap), top - fm.getDescent() - 3);
        int ty = barTop + barH + fm.getAscent() + 3;
        for (int v = 0; v <= (int) SCALE_MAX; v++) {
            if (scaleW < 200 && v % 2 == 1) continue;
            int x = barLeft + (int) Math.round(v / SCALE_MAX * (scaleW - 1));
            g.drawLine(x, barTop + barH, x, barTop + barH + 2);
            String s = Integer.toString(v);
            g.drawString(s, x - fm.stringWidth(s) / 2, ty);
        }
        String w = String.format(Locale.ROOT, "%.0f", BoundaryWeightMap.BOUNDARY_WEIGHT);
        g.drawString(w, barLeft + barW - swatch / 2 - fm.stringWidth(w) / 2, ty);
        g.drawString("weight (one scale for both panels; white = boundary pixel, boundary weight " + w + ")",
                barLeft, ty + fm.getHeight());
    }

    /** {@code s}, shortened with "..." to fit {@code width} pixels. */
    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        for (int k = s.length() - 1; k > 0; k--) {
            String t = s.substring(0, k) + "...";
            if (fm.stringWidth(t) <= width) return t;
        }
        return "";
    }
}
