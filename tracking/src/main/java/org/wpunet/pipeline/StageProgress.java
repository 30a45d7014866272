package org.wpunet.pipeline;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a multi-stage job (the demo, the experiment): one progress bar per stage on a terminal,
 * plain lines otherwise (a line when a stage starts, at most one every 15 s inside it, one when it
 * ends), and the wall-clock time of every stage for the report. Not thread-safe: call it from the
 * thread that does the work.
 */
public final class StageProgress implements AutoCloseable {
    private final PrintStream out;
    private final boolean plain;
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final List<String> order = new ArrayList<>();
    private String stage;
    private long stageStart, lastLine, total;
    private ProgressBar bar;

    /**
     * @param out   where the lines go (standard error for the CLI); bars always draw on standard error
     * @param plain plain lines instead of a bar (no terminal, or --quiet-like use in tests)
     */
    public StageProgress(PrintStream out, boolean plain) {
        this.out = out;
        this.plain = plain;
    }

    /**
     * Starts stage {@code name} ("2/5 segment (pretrained)") of {@code total} units (0 or less: unknown,
     * e.g. epochs under a time budget); ends the previous one.
     */
    public void start(String name, long total, String unit) {
        end();
        stage = name;
        this.total = total;
        stageStart = lastLine = System.nanoTime();
        if (plain) {
            out.println(name + " ...");
        } else {
            bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total > 0 ? total : -1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500)
                    .setUnit(" " + unit, 1).build();
        }
    }

    /** {@code done} of the stage's units are done; {@code note} (may be null) is shown beside the bar. */
    public void progress(long done, String note) {
        if (stage == null) return;
        if (bar != null) {
            bar.stepTo(total > 0 ? Math.min(done, total) : done);
            if (note != null) bar.setExtraMessage(" " + note);
        } else if (System.nanoTime() - lastLine > 15e9) {
            out.printf(Locale.ROOT, "  %s: %d%s%s%n", stage, done, total > 0 ? "/" + total : "", note == null ? "" : ", " + note);
            lastLine = System.nanoTime();
        }
    }

    /** A message that must be seen (a warning) between progress updates. */
    public void message(String line) {
        if (bar != null) bar.pause();
        out.println(line);
        if (bar != null) bar.resume();
    }

    /** Ends the current stage (if any) and records its time; {@code summary} (may be null) is printed after it. */
    public void end(String summary) {
        if (stage == null) return;
        double s = (System.nanoTime() - stageStart) / 1e9;
        if (bar != null) {
            if (total > 0) bar.stepTo(total);
            bar.close();
            bar = null;
        }
        seconds.merge(stage, s, Double::sum);
        if (!order.contains(stage)) order.add(stage);
        out.printf(Locale.ROOT, "%s: done in %s%s%n", stage, duration(s), summary == null ? "" : " (" + summary + ")");
        stage = null;
    }

    public void end() { end(null); }

    /** Seconds per finished stage, in the order they ran. */
    public Map<String, Double> seconds() { return new LinkedHashMap<>(seconds); }

    /** E.g. "42 s", "3 min 05 s". */
    public static String duration(double s) {
        long t = Math.round(s);
        return t < 60 ? t + " s" : String.format(Locale.ROOT, "%d min %02d s", t / 60, t % 60);
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}
