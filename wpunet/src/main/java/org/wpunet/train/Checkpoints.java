package org.wpunet.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wpunet.core.Tensor;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.nn.io.Json;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.nn.module.Layer;
import org.wpunet.nn.optim.Optimizer;

/**
 * A run's checkpoints: {@code RUN_DIR/checkpoints/NAME/} holding {@code model.safetensors} (the
 * model's state dict with PyTorch's key names, plus the run config in the file's metadata, so the
 * file alone rebuilds the model), {@code optimizer.safetensors} (for {@code last} only) and
 * {@code state.json} (config, position, metrics). Each checkpoint directory is built in a hidden
 * staging directory and swapped in whole: a kill at any moment leaves the previous checkpoint or the
 * new one, never a mix. (If the kill lands between the two renames of the swap, the previous one is
 * still there as the hidden backup {@code .NAME.old.*.tmp}, which {@link #load} falls back to.)
 */
public final class Checkpoints {
    private Checkpoints() {}

    public static final String LAST = "last", BEST_LOSS = "best-loss", BEST_VI = "best-vi";
    public static final String MODEL_FILE = "model.safetensors", OPTIMIZER_FILE = "optimizer.safetensors", STATE_FILE = "state.json";
    /** Metadata key of model.safetensors holding the run config as JSON. */
    public static final String CONFIG_METADATA = "wpunet.train_config";

    /** What a checkpoint holds besides tensors. */
    public record Loaded(Path dir, TrainConfig config, RunState state) {}

    public static Path directory(Path runDir, String name) { return runDir.resolve("checkpoints").resolve(name); }

    /** Writes checkpoint {@code name} atomically; {@code optimizer} may be null (best-* checkpoints). */
    public static void save(Path runDir, String name, Layer model, Optimizer optimizer, TrainConfig config, RunState state)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "wpunet-checkpoint-1");
        json.put("name", name);
        json.put("config", config.toMap());
        json.put("state", state.toMap());
        write(directory(runDir, name), model, Map.of(CONFIG_METADATA, TrainConfig.toJson(config.toMap())), optimizer, json);
    }

    /**
     * Writes one checkpoint directory {@code target} of any trainer (train, train-tracker) as a whole:
     * {@code model.safetensors} (the state dict with {@code modelMetadata}), {@code optimizer.safetensors}
     * unless {@code optimizer} is null, and {@code state.json}; staged, then swapped in.
     */
    public static void write(Path target, Layer model, Map<String, String> modelMetadata, Optimizer optimizer, Map<String, Object> stateJson)
            throws IOException {
        AtomicFiles.createParentDirectories(target);
        Path stage = AtomicFiles.stagingDirectory(target);
        try {
            Safetensors.write(stage.resolve(MODEL_FILE), model.stateDict(), modelMetadata, model.int64Keys());
            if (optimizer != null) {
                Map<String, Tensor> opt = optimizer.stateDict();
                try {
                    Safetensors.write(stage.resolve(OPTIMIZER_FILE), opt, Map.of(), java.util.Set.of());
                } finally {
                    for (Tensor t : opt.values()) t.close();
                }
            }
            Files.writeString(stage.resolve(STATE_FILE), TrainConfig.toJson(stateJson), StandardCharsets.UTF_8);
            AtomicFiles.publish(List.of(new AtomicFiles.Move(stage, target)), true);
        } finally {
            AtomicFiles.discard(stage);
        }
    }

    /**
     * The checkpoint directory to read for {@code dir}: itself when it holds {@code state.json}, else the
     * hidden backup an interrupted swap left behind, else null.
     */
    public static Path readable(Path dir) throws IOException {
        return Files.isRegularFile(dir.resolve(STATE_FILE)) ? dir : backup(dir);
    }

    /**
     * Reads checkpoint {@code name}'s config and state (not its tensors); falls back to the hidden
     * backup of an interrupted swap. A missing or unreadable checkpoint is an error naming the path.
     */
    public static Loaded load(Path runDir, String name) throws IOException {
        Path dir = readable(directory(runDir, name));
        if (dir == null) {
            throw new IllegalArgumentException(directory(runDir, name) + ": no checkpoint to resume from (expected " + STATE_FILE + " there; "
                    + "start the run without --resume)");
        }
        String text = Files.readString(dir.resolve(STATE_FILE), StandardCharsets.UTF_8);
        try {
            Map<?, ?> json = (Map<?, ?>) Json.parse(text);
            if (!"wpunet-checkpoint-1".equals(json.get("format"))) throw new IllegalArgumentException("unknown format " + json.get("format"));
            return new Loaded(dir, TrainConfig.fromMap((Map<?, ?>) json.get("config")), RunState.fromMap((Map<?, ?>) json.get("state")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(dir.resolve(STATE_FILE) + ": not a valid checkpoint state (" + e.getMessage() + ")", e);
        }
    }

    /** Loads the model weights (strict) and, when given, the optimiser state of a loaded checkpoint. */
    public static void restore(Loaded c, Layer model, Optimizer optimizer) throws IOException {
        restore(c.dir(), model, optimizer);
    }

    /** {@link #restore(Loaded, Layer, Optimizer)} from a checkpoint directory of any trainer ({@link #write}). */
    public static void restore(Path dir, Layer model, Optimizer optimizer) throws IOException {
        try (Safetensors.Contents m = Safetensors.readContents(dir.resolve(MODEL_FILE))) {
            model.loadStateDict(m.tensors(), true);
        }
        if (optimizer != null) {
            Path f = dir.resolve(OPTIMIZER_FILE);
            if (!Files.isRegularFile(f)) throw new IllegalArgumentException(f + ": missing (only 'last' checkpoints can be resumed)");
            try (Safetensors.Contents o = Safetensors.readContents(f)) {
                optimizer.loadStateDict(o.tensors());
            }
        }
    }

    private static Path backup(Path dir) throws IOException {
        Path parent = dir.getParent();
        if (!Files.isDirectory(parent)) return null;
        String prefix = "." + dir.getFileName() + ".old.";
        Path newest = null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, p -> p.getFileName().toString().startsWith(prefix))) {
            for (Path p : ds) {
                if (!Files.isRegularFile(p.resolve(STATE_FILE))) continue;
                if (newest == null || Files.getLastModifiedTime(p).compareTo(Files.getLastModifiedTime(newest)) > 0) newest = p;
            }
        }
        return newest;
    }
}
