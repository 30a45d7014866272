package org.wpunet.pipeline;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.train.EpochMetrics;

/** The report's pictures: segmentation overlays and training curves, written as PNG files. */
public final class Figures {
    private Figures() {}

    /** Truth boundaries are drawn in green, predicted ones in red, on the grey micrograph. */
    static final int TRUTH_RGB = 0x00C000, PREDICTION_RGB = 0xFF2020;
    private static final int LABEL_HEIGHT = 22, GAP = 4;

    /** One column of the overlay figure: its title and the boundary map per row (null: the plain image). */
    public record Column(String title, List<byte[]> boundaries, boolean truth) {}

    /**
     * A grid with one row per slice and one column per entry of {@code columns}: each cell is the slice's
     * micrograph with that column's boundaries drawn over it (green for the truth, red for predictions).
     * Slices under 192 px are enlarged by an integer factor so the lines stay visible.
     *
     * @param images    the rows' 8-bit micrographs, each width*height
     * @param rowTitles one title per row (e.g. "slice 21")
     */
    public static BufferedImage overlays(List<byte[]> images, List<String> rowTitles, int width, int height, List<Column> columns) {
        int zoom = Math.max(1, 192 / Math.max(width, height));
        int cw = width * zoom, ch = height * zoom, rowLabel = 90;
        BufferedImage out = new BufferedImage(rowLabel + columns.size() * (cw + GAP), LABEL_HEIGHT + images.size() * (ch + GAP),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int c = 0; c < columns.size(); c++) g.drawString(columns.get(c).title(), rowLabel + c * (cw + GAP) + 2, 16);
        for (int r = 0; r < images.size(); r++) {
            int y0 = LABEL_HEIGHT + r * (ch + GAP);
            g.drawString(rowTitles.get(r), 4, y0 + ch / 2);
            for (int c = 0; c < columns.size(); c++) {
                Column col = columns.get(c);
                byte[] b = col.boundaries() == null ? null : col.boundaries().get(r);
                int rgb = col.truth() ? TRUTH_RGB : PREDICTION_RGB;
                g.drawImage(cell(images.get(r), b, rgb, width, height, zoom), rowLabel + c * (cw + GAP), y0, null);
            }
        }
        g.dispose();
        return out;
    }

    /** The micrograph in grey with the boundary pixels (non-zero in {@code boundary}, may be null) in {@code rgb}. */
    static BufferedImage cell(byte[] image, byte[] boundary, int rgb, int width, int height, int zoom) {
        BufferedImage img = new BufferedImage(width * zoom, height * zoom, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height * zoom; y++)
            for (int x = 0; x < width * zoom; x++) {
                int i = x / zoom + width * (y / zoom);
                int v = image[i] & 0xFF;
                img.setRGB(x, y, boundary != null && boundary[i] != 0 ? rgb : v << 16 | v << 8 | v);
            }
        return img;
    }

    /** A training run's history under its label. */
    public record Curve(String label, List<EpochMetrics> history) {}

    /** Two charts side by side: training and validation loss per epoch, and validation VI per epoch, for every run. */
    public static BufferedImage trainingCurves(List<Curve> runs) {
        XYChart loss = new XYChartBuilder().width(560).height(380).title("Loss").xAxisTitle("epoch").yAxisTitle("loss").build();
        XYChart vi = new XYChartBuilder().width(560).height(380).title("Validation VI (lower is better)").xAxisTitle("epoch")
                .yAxisTitle("VI (bits)").build();
        for (XYChart c : List.of(loss, vi)) {
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setMarkerSize(4);
        }
        for (Curve run : runs) {
            series(loss, run.label() + " train", run.history(), EpochMetrics::trainLoss);
            series(loss, run.label() + " validation", run.history(), EpochMetrics::validationLoss);
            series(vi, run.label(), run.history(), EpochMetrics::vi);
        }
        return sideBySide(BitmapEncoder.getBufferedImage(loss), BitmapEncoder.getBufferedImage(vi));
    }

    private static void series(XYChart c, String name, List<EpochMetrics> h, java.util.function.ToDoubleFunction<EpochMetrics> f) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (EpochMetrics m : h) {
            double v = f.applyAsDouble(m);
            if (Double.isFinite(v)) {
                x.add((double) m.epoch());
                y.add(v);
            }
        }
        if (!x.isEmpty()) c.addSeries(name, x, y);
    }

    static BufferedImage sideBySide(BufferedImage a, BufferedImage b) {
        BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        return out;
    }

    /** Writes {@code img} as a PNG file, atomically. */
    public static void writePng(Path file, BufferedImage img) throws IOException {
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, true, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
    }
}
