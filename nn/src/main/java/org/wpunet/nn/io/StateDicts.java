package org.wpunet.nn.io;

import org.wpunet.core.Tensor;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.optim.Optimizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Layer weights and training checkpoints as safetensors. A module file holds exactly PyTorch's
 * {@code state_dict()} keys (long buffers as I64), so {@code model.load_state_dict(
 * {k: torch.from_numpy(v) for k, v in safetensors.numpy.load_file(path).items()})} loads it, and the
 * reverse. A checkpoint prefixes model entries with "model." and optimiser state with "optimizer.".
 */
public final class StateDicts {
    private StateDicts() {}

    public static void save(Layer module, Path file) throws IOException {
        Safetensors.write(file, module.stateDict(), Map.of("format", "pt"), module.int64Keys());
    }

    /** Loads a module file; strict: mismatches are an error naming the keys (nothing copied). */
    public static Layer.LoadReport load(Layer module, Path file, boolean strict) throws IOException {
        try (Safetensors.Contents c = Safetensors.readContents(file)) {
            try {
                return module.loadStateDict(c.tensors(), strict);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
        }
    }

    public static void saveCheckpoint(Path file, Layer module, Optimizer optimizer, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>();
        Set<String> int64 = new LinkedHashSet<>();
        module.stateDict().forEach((k, v) -> all.put("model." + k, v));
        for (String k : module.int64Keys()) int64.add("model." + k);
        Map<String, Tensor> opt = optimizer.stateDict();
        try {
            opt.forEach((k, v) -> all.put("optimizer." + k, v));
            Safetensors.write(file, all, metadata, int64);
        } finally {
            for (Tensor t : opt.values()) t.close();
        }
    }

    /** Restores model and optimiser from a checkpoint; returns the model's load report. */
    public static Layer.LoadReport loadCheckpoint(Path file, Layer module, Optimizer optimizer, boolean strict) throws IOException {
        try (Safetensors.Contents c = Safetensors.readContents(file)) {
            Map<String, Tensor> model = new LinkedHashMap<>(), opt = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
                if (e.getKey().startsWith("model.")) model.put(e.getKey().substring(6), e.getValue());
                else if (e.getKey().startsWith("optimizer.")) opt.put(e.getKey().substring(10), e.getValue());
                else if (strict) throw new IllegalArgumentException(file + ": unexpected checkpoint key " + e.getKey());
            }
            Layer.LoadReport r = module.loadStateDict(model, strict);
            optimizer.loadStateDict(opt);
            return r;
        }
    }
}
