package org.wpunet.cli;

import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress of an epoch-based training run ({@code train}, {@code train-tracker}): on a terminal a
 * bar per epoch with speed and the caller's message; otherwise plain lines, one when an epoch starts and
 * one about every 30 s (and at the epoch's last batch) with the ETA of the whole run, estimated from the
 * mean time per step since this process started.
 */
public final class EpochProgress implements AutoCloseable {
    private final boolean plain;
    private final PrintWriter err;
    private ProgressBar bar;
    private long lastLine;
    private final long runStart = System.nanoTime();
    private long stepsAtStart = -1;
    private int epochs;

    /** {@code plain}: lines instead of a bar (not a terminal, or --quiet). */
    public EpochProgress(boolean plain, PrintWriter err) {
        this.plain = plain;
        this.err = err;
    }

    /** Epoch {@code epoch} of {@code epochs} starts (at batch {@code firstBatch} when resumed mid-epoch). */
    public void epochStarted(int epoch, int epochs, int firstBatch, int batches, double lr) {
        this.epochs = epochs;
        lastLine = System.nanoTime();
        if (plain) {
            err.printf(Locale.ROOT, "epoch %d/%d: %d batches, lr %.3g%n", epoch, epochs, batches, lr);
        } else {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs)).setInitialMax(batches)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().setUnit(" batches", 1).build();
            bar.stepTo(firstBatch);
        }
    }

    /** Batch {@code batch} (1-based) of the epoch is done, {@code step} the run's global step; {@code extra} e.g. "loss 0.1234". */
    public void stepDone(int epoch, int batch, int batches, long step, String extra) {
        if (stepsAtStart < 0) stepsAtStart = step - 1;
        if (bar != null) {
            bar.stepTo(batch);
            bar.setExtraMessage(" " + extra);
        } else if (plain && (System.nanoTime() - lastLine > 30e9 || batch == batches)) {
            double perStep = (System.nanoTime() - runStart) / 1e9 / Math.max(1, step - stepsAtStart);
            long left = (long) (epochs - epoch) * batches + (batches - batch);
            err.printf(Locale.ROOT, "  epoch %d batch %d/%d (step %d): %s, ETA %s%n", epoch, batch, batches, step, extra, duration(left * perStep));
            lastLine = System.nanoTime();
        }
    }

    /** A note on the bar while the epoch validates (nothing in plain mode). */
    public void note(String message) {
        if (bar != null) bar.setExtraMessage(" " + message);
    }

    /** Ends the epoch's bar and prints its summary line. */
    public void epochDone(String line) {
        close();
        err.println(line);
        err.flush();
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
        bar = null;
    }

    /** "1h05m" or "3m07s". */
    static String duration(double seconds) {
        long t = Math.round(seconds);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60) : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
