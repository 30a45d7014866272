package org.wpunet.tracking.cnn;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A train-tracker run's settings, saved in every checkpoint.
 *
 * @param data        the ground-truth stacks (absolute paths joined by the path separator)
 * @param net         network and crop size
 * @param epochs      epochs to train (the original: 20)
 * @param batch       pairs per step (the original: 40)
 * @param lr          learning rate (the original: 1e-4 constant; our small net's default 1e-3)
 * @param alpha       RMSprop's smoothing constant (the original's 0.9, passed where it meant momentum)
 * @param eps         RMSprop's epsilon (1e-8)
 * @param seed        init, data order and augmentation seed
 * @param valFraction last fraction of each stack's slice pairs held out for validation
 * @param device      auto, cpu or cuda[:k]
 * @param checkpointMinutes also save {@code last} inside an epoch this often (0 = only per epoch)
 * @param cosine            anneal the rate from lr to 0 over the epochs (cosine; our small net's default), else
 *                          constant (the original)
 * @param pairsPerEpoch     train on this many pairs of each epoch's shuffled order (0 = all; for
 *                          budget runs of the large network on a CPU)
 */
public record TrackerTrainConfig(String data, TrackerNet net, int epochs, int batch, double lr, double alpha, double eps, long seed,
                                 double valFraction, String device, double checkpointMinutes, boolean cosine, int pairsPerEpoch) {
    public TrackerTrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (batch < 2) throw new IllegalArgumentException("--batch must be at least 2 (batch norm), got " + batch);
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be positive, got " + lr);
        if (!(valFraction > 0 && valFraction < 1)) throw new IllegalArgumentException("--val-fraction must be in (0, 1), got " + valFraction);
        if (pairsPerEpoch < 0) throw new IllegalArgumentException("--pairs-per-epoch must be >= 0, got " + pairsPerEpoch);
        if (checkpointMinutes < 0) throw new IllegalArgumentException("--checkpoint-minutes must be >= 0, got " + checkpointMinutes);
    }

    /** Defaults for a network: the original's recipe for vgg13bn; lr 1e-3 and batch 64 for the small net. */
    public static TrackerTrainConfig defaults(String data, TrackerNet net) {
        boolean vgg = net.net().equals(TrackerNet.VGG13BN);
        return new TrackerTrainConfig(data, net, 20, vgg ? 40 : 64, vgg ? 1e-4 : 1e-3, 0.9, 1e-8, 2019, 0.25, "auto", 10, !vgg, 0);
    }

    public List<String> dataPaths() { return List.of(data.split(File.pathSeparator)); }

    /** The same run with the settings a resume may change. */
    public TrackerTrainConfig withRuntime(String data, int epochs, String device) {
        return new TrackerTrainConfig(data, net, epochs, batch, lr, alpha, eps, seed, valFraction, device, checkpointMinutes, cosine, pairsPerEpoch);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", data);
        m.put("net", net.net());
        m.put("size", (long) net.size());
        m.put("epochs", (long) epochs);
        m.put("batch", (long) batch);
        m.put("lr", lr);
        m.put("alpha", alpha);
        m.put("eps", eps);
        m.put("seed", seed);
        m.put("val_fraction", valFraction);
        m.put("device", device);
        m.put("checkpoint_minutes", checkpointMinutes);
        m.put("cosine", cosine);
        m.put("pairs_per_epoch", (long) pairsPerEpoch);
        return m;
    }

    public static TrackerTrainConfig fromMap(Map<?, ?> m) {
        return new TrackerTrainConfig((String) m.get("data"), new TrackerNet((String) m.get("net"), num(m, "size").intValue()),
                num(m, "epochs").intValue(), num(m, "batch").intValue(), num(m, "lr").doubleValue(), num(m, "alpha").doubleValue(),
                num(m, "eps").doubleValue(), num(m, "seed").longValue(), num(m, "val_fraction").doubleValue(), (String) m.get("device"),
                num(m, "checkpoint_minutes").doubleValue(), Boolean.TRUE.equals(m.get("cosine")), num(m, "pairs_per_epoch").intValue());
    }

    private static Number num(Map<?, ?> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("missing or non-numeric '" + k + "'");
        return n;
    }
}
