package org.wpunet.tracking.stats;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.wpunet.core.io.AtomicFiles;

/**
 * The grain-size histogram (equivalent sphere diameters, um) as a PNG drawn with XChart: grain counts
 * per bin as a stepped area, and the fitted lognormal density scaled to counts (n * bin width * pdf)
 * as a line over it. Bins: about sqrt(n) of them (5 to 40) from 0 to the largest diameter.
 */
final class GrainSizeHistogram {
    private GrainSizeHistogram() {}

    static void write(Path png, double[] diameters, LognormalFit fit) throws IOException {
        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title(String.format(Locale.ROOT, "Grain size: %d grains; lognormal mu = %.3f, sigma = %.3f", diameters.length,
                        fit.mu(), fit.sigma()))
                .xAxisTitle("equivalent sphere diameter (um)").yAxisTitle("grains").build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setLegendPosition(Styler.LegendPosition.InsideNE);
        st.setPlotGridVerticalLinesVisible(false);
        st.setAxisTickLabelsFont(st.getAxisTickLabelsFont().deriveFont(12f));
        double max = 0;
        for (double d : diameters) max = Math.max(max, d);
        if (diameters.length == 0 || !(max > 0)) {
            chart.addSeries("no grains", new double[] {0, 1}, new double[] {0, 0}).setMarker(SeriesMarkers.NONE);
        } else {
            int bins = Math.clamp((int) Math.ceil(Math.sqrt(diameters.length)), 5, 40);
            double width = max * 1.0001 / bins;
            double[] edges = new double[bins + 1], counts = new double[bins + 1];
            for (int b = 0; b <= bins; b++) edges[b] = b * width;
            for (double d : diameters) counts[Math.min(bins - 1, (int) (d / width))]++;
            counts[bins] = counts[bins - 1];      // the step's last level runs to the last edge
            XYSeries h = chart.addSeries("grains per bin", edges, counts);
            h.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.StepArea);
            h.setMarker(SeriesMarkers.NONE);
            h.setFillColor(new Color(70, 130, 180, 150));
            h.setLineColor(new Color(40, 80, 130));
            if (Double.isFinite(fit.mu()) && fit.sigma() > 0) {
                int k = 300;
                double[] x = new double[k], y = new double[k];
                for (int i = 0; i < k; i++) {
                    x[i] = max * 1.0001 * (i + 0.5) / k;
                    y[i] = diameters.length * width * fit.pdf(x[i]);
                }
                XYSeries f = chart.addSeries("lognormal fit", x, y);
                f.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                f.setMarker(SeriesMarkers.NONE);
                f.setLineColor(new Color(200, 40, 40));
                f.setLineWidth(2.5f);
                f.setLineStyle(new BasicStroke(2.5f));
            }
        }
        var img = BitmapEncoder.getBufferedImage(chart);
        AtomicFiles.createParentDirectories(png);
        AtomicFiles.writeFile(png, true, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
    }
}
