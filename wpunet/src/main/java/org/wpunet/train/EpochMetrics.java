package org.wpunet.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One row of log.csv: what an epoch did and how the model scored on the validation tiles afterwards.
 *
 * @param trainLoss        mean of the epoch's batch losses
 * @param validationLoss   mean of the per-tile losses on the validation tiles (the original's criterion)
 * @param vi               mean variation of information (merge + split, bits) of the post-processed
 *                         prediction against the true boundary, per tile, crop 10 px as the paper
 * @param viNoPrior        WPU-Net only (else NaN): VI of the prediction made with an all-grain previous
 *                         mask, i.e. finding boundaries without a prior, as at the first slice of a
 *                         user's stack; a network that only copies its previous mask scores badly here
 * @param ariNoPrior       likewise ARI
 * @param imagesPerSecond  training images per second of the epoch's steps (data waits included)
 */
public record EpochMetrics(int epoch, long step, double lr, double trainLoss, double validationLoss, double vi, double viMerge,
                           double viSplit, double ari, double viNoPrior, double ariNoPrior, double imagesPerSecond,
                           double seconds) {

    public static final String CSV_HEADER =
            "epoch,step,lr,train_loss,val_loss,val_vi,val_vi_merge,val_vi_split,val_ari,val_vi_noprior,val_ari_noprior,images_per_s,epoch_seconds";

    public String csvRow() {
        return epoch + "," + step + "," + lr + "," + trainLoss + "," + validationLoss + "," + vi + "," + viMerge + "," + viSplit + ","
                + ari + "," + viNoPrior + "," + ariNoPrior + "," + imagesPerSecond + "," + seconds;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", (long) epoch);
        m.put("step", step);
        m.put("lr", lr);
        m.put("train_loss", trainLoss);
        m.put("val_loss", validationLoss);
        m.put("val_vi", vi);
        m.put("val_vi_merge", viMerge);
        m.put("val_vi_split", viSplit);
        m.put("val_ari", ari);
        m.put("val_vi_noprior", viNoPrior);
        m.put("val_ari_noprior", ariNoPrior);
        m.put("images_per_s", imagesPerSecond);
        m.put("epoch_seconds", seconds);
        return m;
    }

    public static EpochMetrics fromMap(Map<?, ?> m) {
        return new EpochMetrics(((Number) m.get("epoch")).intValue(), ((Number) m.get("step")).longValue(), d(m, "lr"),
                d(m, "train_loss"), d(m, "val_loss"), d(m, "val_vi"), d(m, "val_vi_merge"), d(m, "val_vi_split"), d(m, "val_ari"),
                d(m, "val_vi_noprior"), d(m, "val_ari_noprior"), d(m, "images_per_s"), d(m, "epoch_seconds"));
    }

    private static double d(Map<?, ?> m, String k) {
        Object v = m.get(k);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;   // non-finite values are written as null
    }
}
