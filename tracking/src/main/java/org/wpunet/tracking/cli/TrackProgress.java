package org.wpunet.tracking.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.wpunet.tracking.StackTracker;

/** Slices/s progress bar on a terminal; otherwise a plain line about every tenth of the stack. */
final class TrackProgress implements StackTracker.Listener, AutoCloseable {
    private final ProgressBar bar;
    private final PrintWriter plain;
    private final int every;

    TrackProgress(boolean quiet, int total, PrintWriter err) {
        boolean terminal = System.console() != null;
        bar = quiet || !terminal ? null : new ProgressBarBuilder().setTaskName("track").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(500).showSpeed().setUnit(" slices", 1).build();
        plain = quiet || terminal ? null : err;
        every = Math.max(1, total / 10);
    }

    @Override
    public void slice(int k, int count) {
        if (bar != null) bar.stepTo(k + 1);
        if (plain != null && ((k + 1) % every == 0 || k + 1 == count)) {
            plain.println("  " + (k + 1) + "/" + count + " slices");
            plain.flush();
        }
    }

    @Override
    public void close() { if (bar != null) bar.close(); }
}
