package org.wpunet.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.metrics.SegmentationMetrics;
import org.wpunet.pipeline.ScoreSummary;

/**
 * Scores boundary maps against a stack's ground truth with the paper's metrics (VI and its merge and
 * split parts, ARI, RI, Pratt's F, mAP; 10 px border crop), slice by slice and as mean ± spread. The
 * maps are what {@code bin/wpunet segment} writes: {@code SEG_DIR/boundary/001.png, 002.png, ...}
 * (255 = boundary), numbered as the stack's slices.
 *
 * <pre>
 * bin/wpunet example evaluate SEG_DIR TRUTH.h5
 * </pre>
 */
public final class EvaluateExample {
    private EvaluateExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EvaluateExample SEG_DIR TRUTH.h5");
            System.exit(2);
        }
        SerialStack truth = Hdf5Stack.read(Path.of(args[1]));
        List<SegmentationMetrics.Scores> scores = new ArrayList<>();
        for (int k = 0; k < truth.slices(); k++) {
            Path png = Path.of(args[0], "boundary", String.format("%03d.png", k + 1));
            if (!Files.exists(png)) continue;                       // e.g. only --slices 21-40 were segmented
            Gray8Image pred = PngIO.readGray8(png);
            SegmentationMetrics.Scores s = SegmentationMetrics.evaluate(pred.pixels(), truth.boundaries()[k], truth.width(), truth.height());
            scores.add(s);
            System.out.printf("slice %d: VI %.3f (merge %.3f, split %.3f), ARI %.3f, F %.3f, mAP %.3f%n", k + 1, s.vi(), s.viMerge(),
                    s.viSplit(), s.ari(), s.f(), s.map());
        }
        if (scores.isEmpty()) throw new IllegalArgumentException(args[0] + "/boundary holds no slice of the stack (001.png ...)");
        ScoreSummary all = ScoreSummary.of(scores);
        System.out.println(scores.size() + " slices, mean ± sd: " + String.join(", ", zip(ScoreSummary.NAMES, all.cells(true))));
    }

    private static List<String> zip(List<String> names, List<String> values) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) out.add(names.get(i) + " " + values.get(i));
        return out;
    }
}
