package org.wpunet.pipeline;

import java.util.List;
import java.util.Locale;

/**
 * What tracking a segmentation into 3D gave, for a report: one row of scores per tracker, the figures
 * written (file names relative to the report) and the grain statistics' summary.
 *
 * @param rows       one per tracker run
 * @param figures    PNG files beside the report with their captions
 * @param statistics lines summarising the grain statistics of the first tracker's volume
 * @param notes      what was not run and why (e.g. no bundled CNN tracker model)
 */
public record TrackingOutcome(List<Row> rows, List<Figure> figures, List<String> statistics, List<String> notes) {
    public TrackingOutcome {
        rows = List.copyOf(rows);
        figures = List.copyOf(figures);
        statistics = List.copyOf(statistics);
        notes = List.copyOf(notes);
    }

    /** The 3D scores of one tracker against the true volume. */
    public record Row(String tracker, int grains, int trueGrains, double ari, double ri, double vi, double viMerge, double viSplit,
                      double linkAccuracy, double seconds) {}

    public record Figure(String file, String caption) {}

    /** One line for the progress output. */
    public String summary() {
        if (rows.isEmpty()) return "no tracker ran";
        Row r = rows.getFirst();
        return String.format(Locale.ROOT, "%s: %d grains (true %d), 3D ARI %.3f, VI %.3f", r.tracker(), r.grains(), r.trueGrains(), r.ari(), r.vi());
    }
}
