package org.wpunet.tracking.cnn;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.wpunet.core.Rng;
import org.wpunet.nn.io.Json;
import org.wpunet.nn.module.Layer;

/**
 * Which tracker network and which crop size: what a model file needs besides its weights. Stored as
 * JSON in the safetensors metadata under {@link #METADATA} (and in the bundled model's .json).
 *
 * @param net  {@code small} (ours, default) or {@code vgg13bn} (the original's)
 * @param size crop size in pixels (224 for vgg13bn, which has no adaptive pool; 64 by default for small)
 */
public record TrackerNet(String net, int size) {
    public static final String SMALL = "small", VGG13BN = "vgg13bn";
    public static final String METADATA = "wpunet.tracker";

    public TrackerNet {
        net = net.toLowerCase(Locale.ROOT);
        if (!net.equals(SMALL) && !net.equals(VGG13BN)) throw new IllegalArgumentException("--net must be small or vgg13bn, got '" + net + "'");
        if (net.equals(VGG13BN) && size != PairCrop.ORIGINAL_SIZE)
            throw new IllegalArgumentException("vgg13bn needs crops of 224 (it has no adaptive pool), got " + size);
        if (size < 8 || size > 1024) throw new IllegalArgumentException("crop size must be 8..1024, got " + size);
    }

    /** The network's default crop size: 224 for vgg13bn, 64 for small. */
    public static TrackerNet withDefaultSize(String net) {
        return new TrackerNet(net, net.toLowerCase(Locale.ROOT).equals(VGG13BN) ? PairCrop.ORIGINAL_SIZE : 64);
    }

    /** A freshly initialised network. */
    public Layer build(long seed) {
        Rng rng = new Rng(seed);
        return net.equals(VGG13BN) ? new Vgg13BnTracker(rng) : new SmallTracker(rng);
    }

    public String toJson() {
        return "{\"net\": " + Json.quote(net) + ", \"size\": " + size + "}";
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("net", net);
        m.put("size", (long) size);
        return m;
    }

    /** Reads {@link #toJson}'s form; {@code where} names the file in errors. */
    public static TrackerNet fromJson(String json, String where) {
        try {
            Map<?, ?> m = (Map<?, ?>) Json.parse(json);
            return new TrackerNet((String) m.get("net"), ((Number) m.get("size")).intValue());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": not a tracker description (" + e.getMessage() + ")", e);
        }
    }
}
