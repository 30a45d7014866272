package org.wpunet.tracking.cnn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a train-tracker run stands (saved with each checkpoint): the next batch (1-based epoch,
 * 0-based batch), steps done, the current epoch's partial sums, the best validation accuracy and the
 * finished epochs. Data order and augmentation are functions of (seed, epoch, pair), so this position
 * is all a resume needs.
 */
public final class TrackerRunState {
    /** One log.csv row. accuracySame/accuracyDifferent: the recall of each class on the validation pairs. */
    public record Epoch(int epoch, long step, double lr, double trainLoss, double valLoss, double accuracy, double accuracySame,
                        double accuracyDifferent, double pairsPerSecond, double seconds) {
        public static final String CSV_HEADER = "epoch,step,lr,train_loss,val_loss,val_accuracy,val_acc_same,val_acc_different,pairs_per_s,epoch_seconds";

        String csvRow() {
            return String.format(Locale.ROOT, "%d,%d,%g,%.6f,%.6f,%.6f,%.6f,%.6f,%.2f,%.1f", epoch, step, lr, trainLoss, valLoss, accuracy,
                    accuracySame, accuracyDifferent, pairsPerSecond, seconds);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", (long) epoch);
            m.put("step", step);
            m.put("lr", lr);
            m.put("train_loss", trainLoss);
            m.put("val_loss", valLoss);
            m.put("val_accuracy", accuracy);
            m.put("val_acc_same", accuracySame);
            m.put("val_acc_different", accuracyDifferent);
            m.put("pairs_per_s", pairsPerSecond);
            m.put("epoch_seconds", seconds);
            return m;
        }

        static Epoch fromMap(Map<?, ?> m) {
            return new Epoch(n(m, "epoch").intValue(), n(m, "step").longValue(), d(m, "lr"), d(m, "train_loss"), d(m, "val_loss"),
                    d(m, "val_accuracy"), d(m, "val_acc_same"), d(m, "val_acc_different"), d(m, "pairs_per_s"), d(m, "epoch_seconds"));
        }
    }

    public int epoch = 1;
    public int batch;
    public long step;
    public double epochLossSum;
    public long epochBatches, epochPairs;
    public double epochSeconds;
    public double bestAccuracy = -1;
    public final List<Epoch> history = new ArrayList<>();

    void nextEpoch() {
        epoch++;
        batch = 0;
        epochLossSum = 0;
        epochBatches = 0;
        epochPairs = 0;
        epochSeconds = 0;
    }

    /** log.csv's text. */
    String csv() {
        StringBuilder s = new StringBuilder(Epoch.CSV_HEADER).append('\n');
        for (Epoch e : history) s.append(e.csvRow()).append('\n');
        return s.toString();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", (long) epoch);
        m.put("batch", (long) batch);
        m.put("step", step);
        m.put("epoch_loss_sum", epochLossSum);
        m.put("epoch_batches", epochBatches);
        m.put("epoch_pairs", epochPairs);
        m.put("epoch_seconds", epochSeconds);
        m.put("best_accuracy", bestAccuracy);
        List<Object> h = new ArrayList<>();
        for (Epoch e : history) h.add(e.toMap());
        m.put("history", h);
        return m;
    }

    public static TrackerRunState fromMap(Map<?, ?> m) {
        TrackerRunState s = new TrackerRunState();
        s.epoch = n(m, "epoch").intValue();
        s.batch = n(m, "batch").intValue();
        s.step = n(m, "step").longValue();
        s.epochLossSum = d(m, "epoch_loss_sum");
        s.epochBatches = n(m, "epoch_batches").longValue();
        s.epochPairs = n(m, "epoch_pairs").longValue();
        s.epochSeconds = d(m, "epoch_seconds");
        s.bestAccuracy = d(m, "best_accuracy");
        for (Object o : (List<?>) m.get("history")) s.history.add(Epoch.fromMap((Map<?, ?>) o));
        return s;
    }

    private static Number n(Map<?, ?> m, String k) {
        if (!(m.get(k) instanceof Number v)) throw new IllegalArgumentException("missing or non-numeric '" + k + "'");
        return v;
    }

    private static double d(Map<?, ?> m, String k) { return m.get(k) instanceof Number v ? v.doubleValue() : Double.NaN; }
}
