package org.wpunet.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a run stands, saved with every checkpoint: the next batch to train (1-based epoch, 0-based
 * batch index within it), the steps done, the partial sums of the current epoch, the best scores so
 * far and every finished epoch's metrics. The data order and augmentation are pure functions of
 * (seed, epoch, sample index), so this position is the whole "data position" and RNG state.
 */
public final class RunState {
    public int epoch = 1;
    public int batch;
    public long step;
    public double epochLossSum;
    public long epochBatches;
    public long epochImages;
    public double epochTrainSeconds;
    public double bestValidationLoss = Double.POSITIVE_INFINITY;
    public double bestVi = Double.POSITIVE_INFINITY;
    public final List<EpochMetrics> history = new ArrayList<>();

    /** Moves to the start of the next epoch. */
    void nextEpoch() {
        epoch++;
        batch = 0;
        epochLossSum = 0;
        epochBatches = 0;
        epochImages = 0;
        epochTrainSeconds = 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", (long) epoch);
        m.put("batch", (long) batch);
        m.put("step", step);
        m.put("epoch_loss_sum", epochLossSum);
        m.put("epoch_batches", epochBatches);
        m.put("epoch_images", epochImages);
        m.put("epoch_train_seconds", epochTrainSeconds);
        m.put("best_val_loss", Double.isFinite(bestValidationLoss) ? bestValidationLoss : null);
        m.put("best_val_vi", Double.isFinite(bestVi) ? bestVi : null);
        List<Object> h = new ArrayList<>();
        for (EpochMetrics e : history) h.add(e.toMap());
        m.put("history", h);
        return m;
    }

    public static RunState fromMap(Map<?, ?> m) {
        RunState s = new RunState();
        s.epoch = ((Number) m.get("epoch")).intValue();
        s.batch = ((Number) m.get("batch")).intValue();
        s.step = ((Number) m.get("step")).longValue();
        s.epochLossSum = ((Number) m.get("epoch_loss_sum")).doubleValue();
        s.epochBatches = ((Number) m.get("epoch_batches")).longValue();
        s.epochImages = ((Number) m.get("epoch_images")).longValue();
        s.epochTrainSeconds = ((Number) m.get("epoch_train_seconds")).doubleValue();
        s.bestValidationLoss = m.get("best_val_loss") instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY;
        s.bestVi = m.get("best_val_vi") instanceof Number n ? n.doubleValue() : Double.POSITIVE_INFINITY;
        for (Object o : (List<?>) m.get("history")) s.history.add(EpochMetrics.fromMap((Map<?, ?>) o));
        return s;
    }
}
