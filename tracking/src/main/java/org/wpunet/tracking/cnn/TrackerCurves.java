package org.wpunet.tracking.cnn;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.wpunet.core.io.AtomicFiles;

/** A train-tracker run's {@code curves.png}: losses per epoch beside validation accuracy and per-class recall (XChart), rewritten atomically each epoch. */
final class TrackerCurves {
    private TrackerCurves() {}

    static final String FILE = "curves.png";

    static void write(Path runDir, List<TrackerRunState.Epoch> history) throws IOException {
        XYChart loss = chart("Loss", "weighted cross-entropy");
        XYChart acc = chart("Validation", "accuracy / recall");
        series(loss, "train", history, TrackerRunState.Epoch::trainLoss);
        series(loss, "validation", history, TrackerRunState.Epoch::valLoss);
        series(acc, "accuracy", history, TrackerRunState.Epoch::accuracy);
        series(acc, "same-grain recall", history, TrackerRunState.Epoch::accuracySame);
        series(acc, "different-grain recall", history, TrackerRunState.Epoch::accuracyDifferent);
        BufferedImage a = BitmapEncoder.getBufferedImage(loss), b = BitmapEncoder.getBufferedImage(acc);
        BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(), Math.max(a.getHeight(), b.getHeight()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        Path file = runDir.resolve(FILE);
        AtomicFiles.writeFile(file, true, tmp -> {
            if (!ImageIO.write(out, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
    }

    private static XYChart chart(String title, String y) {
        XYChart c = new XYChartBuilder().width(560).height(400).title(title).xAxisTitle("epoch").yAxisTitle(y).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setMarkerSize(5);
        return c;
    }

    private static void series(XYChart c, String name, List<TrackerRunState.Epoch> h, ToDoubleFunction<TrackerRunState.Epoch> f) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (TrackerRunState.Epoch e : h) {
            double v = f.applyAsDouble(e);
            if (Double.isFinite(v)) {
                x.add((double) e.epoch());
                y.add(v);
            }
        }
        if (!x.isEmpty()) c.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);   // XChart refuses empty series
    }
}
