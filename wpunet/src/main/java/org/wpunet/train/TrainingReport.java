package org.wpunet.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.wpunet.core.io.AtomicFiles;

/**
 * What a run shows its user after every epoch, in RUN_DIR: {@code log.csv} (one row per epoch),
 * {@code curves.png} (training and validation loss; validation VI and ARI, drawn with XChart) and
 * {@code samples/epoch-NNN.png} (validation tiles: image | truth | prediction). Every file is
 * rewritten whole and atomically from the run's history, so a resumed run's files equal an
 * uninterrupted run's.
 */
public final class TrainingReport {
    private TrainingReport() {}

    public static final String LOG = "log.csv", CURVES = "curves.png", SAMPLES = "samples";

    static void write(Path runDir, List<EpochMetrics> history, List<Validation.Sample> samples, int epoch) throws IOException {
        StringBuilder csv = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics m : history) csv.append(m.csvRow()).append('\n');
        AtomicFiles.writeString(runDir.resolve(LOG), csv);
        writePng(runDir.resolve(CURVES), curves(history));
        if (!samples.isEmpty()) writePng(runDir.resolve(SAMPLES).resolve(String.format(Locale.ROOT, "epoch-%03d.png", epoch)), samples(samples, epoch));
    }

    private static void writePng(Path file, BufferedImage img) throws IOException {
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, true, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
    }

    /** Two charts side by side: losses per epoch, and validation VI (lower is better) with ARI (higher is better). */
    static BufferedImage curves(List<EpochMetrics> history) {
        XYChart loss = new XYChartBuilder().width(640).height(420).title("Loss").xAxisTitle("epoch").yAxisTitle("loss").build();
        XYChart seg = new XYChartBuilder().width(640).height(420).title("Validation segmentation").xAxisTitle("epoch")
                .yAxisTitle("VI (bits) / ARI").build();
        for (XYChart c : List.of(loss, seg)) {
            c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setMarkerSize(5);
        }
        addSeries(loss, "train", history, EpochMetrics::trainLoss);
        addSeries(loss, "validation", history, EpochMetrics::validationLoss);
        addSeries(seg, "VI", history, EpochMetrics::vi);
        addSeries(seg, "ARI", history, EpochMetrics::ari);
        addSeries(seg, "VI without prior", history, EpochMetrics::viNoPrior);
        addSeries(seg, "ARI without prior", history, EpochMetrics::ariNoPrior);
        BufferedImage a = BitmapEncoder.getBufferedImage(loss), b = BitmapEncoder.getBufferedImage(seg);
        BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        return out;
    }

    private static void addSeries(XYChart c, String name, List<EpochMetrics> h, java.util.function.ToDoubleFunction<EpochMetrics> f) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (EpochMetrics m : h) {
            double v = f.applyAsDouble(m);
            if (Double.isFinite(v)) {
                x.add((double) m.epoch());
                y.add(v);
            }
        }
        if (x.isEmpty()) return;   // XChart refuses empty series
        XYSeries s = c.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
    }

    /**
     * One row per tile: the image (grey), the truth and the prediction (white boundaries on the image
     * darkened to 40%, so the grains stay recognisable), with a title line.
     */
    static BufferedImage samples(List<Validation.Sample> samples, int epoch) {
        int pad = 6, title = 22;
        int w = samples.get(0).width(), h = samples.get(0).height();
        int scale = Math.max(1, 256 / Math.max(w, h));   // tiny tiles are drawn bigger
        int cw = w * scale, ch = h * scale;
        BufferedImage out = new BufferedImage(3 * cw + 4 * pad, samples.size() * (ch + pad) + pad + title, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        String[] heads = {"image (epoch " + epoch + ")", "truth", "prediction"};
        for (int k = 0; k < 3; k++) g.drawString(heads[k], pad + k * (cw + pad), 16);
        for (int r = 0; r < samples.size(); r++) {
            Validation.Sample s = samples.get(r);
            int y0 = title + pad / 2 + r * (ch + pad);
            g.drawImage(scaled(grey(s, null), scale), pad, y0, null);
            g.drawImage(scaled(grey(s, s.truth()), scale), pad + cw + pad, y0, null);
            g.drawImage(scaled(grey(s, s.prediction()), scale), pad + 2 * (cw + pad), y0, null);
            g.setColor(Color.LIGHT_GRAY);
            g.setStroke(new BasicStroke(1));
            for (int k = 0; k < 3; k++) g.drawRect(pad + k * (cw + pad) - 1, y0 - 1, cw + 1, ch + 1);
        }
        g.dispose();
        return out;
    }

    /** The normalised image back to grey levels by its own range; boundary pixels (when given) white on a darkened image. */
    private static BufferedImage grey(Validation.Sample s, byte[] boundary) {
        float[] v = s.image();
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float x : v) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
        float range = hi > lo ? hi - lo : 1;
        BufferedImage img = new BufferedImage(s.width(), s.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < s.height(); y++) {
            for (int x = 0; x < s.width(); x++) {
                int i = x + s.width() * y;
                int gv = Math.round(255 * (v[i] - lo) / range);
                int rgb;
                if (boundary == null) rgb = gv * 0x010101;
                else if (boundary[i] != 0) rgb = 0xFFFFFF;
                else rgb = (gv * 2 / 5) * 0x010101;
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static BufferedImage scaled(BufferedImage img, int scale) {
        if (scale == 1) return img;
        BufferedImage out = new BufferedImage(img.getWidth() * scale, img.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(img, 0, 0, out.getWidth(), out.getHeight(), null);
        g.dispose();
        return out;
    }
}
