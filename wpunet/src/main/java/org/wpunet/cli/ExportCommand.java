package org.wpunet.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wpunet.core.Device;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.train.ModelFiles;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.train.Checkpoints;
import org.wpunet.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wpunet export --model RUN_DIR|CHECKPOINT_DIR --out FILE.safetensors [--force]}: the model of a
 * checkpoint as one safetensors file with PyTorch's key names (loadable with {@code strict=True} into
 * the original {@code WPU_Net} / {@code UNet} modules, {@code num_batches_tracked} as int64), the run
 * config in its metadata ({@value Checkpoints#CONFIG_METADATA}), written atomically and never over an
 * existing file unless --force.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Write a trained model as one safetensors file with PyTorch's key names (the original WPU_Net/UNet "
                + "state dict) and the run config in its metadata.",
                "--model RUN_DIR takes checkpoints/best-vi, else best-loss, else last."})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN_DIR|CHECKPOINT_DIR",
            description = "A run directory of 'wpunet train', one of its checkpoint directories, or a .safetensors file.")
    Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "The file to write (its folder must exist).")
    Path out;

    @Option(names = "--force", description = "Replace FILE if it exists.")
    boolean force;

    @Override
    public Integer call() throws IOException {
        if (!OutputPolicy.lowerName(OutputPolicy.absolute("--out", out)).endsWith(".safetensors"))
            throw new IllegalArgumentException("--out " + out + ": the file name must end in .safetensors");
        // before reading anything: an existing file without --force, a missing folder, an input
        Path target = OutputPolicy.file("--out", out, force, OutputPolicy.FileKind.SAFETENSORS, List.of(model));
        try (ModelFiles.LoadedModel m = ModelFiles.load(model, Device.CPU)) {
            if (Files.exists(target) && Files.isSameFile(m.file(), target))
                throw new IllegalArgumentException("--out " + out + " is the checkpoint being exported");
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("format", "pt");
            if (m.config() != null) metadata.put(Checkpoints.CONFIG_METADATA, TrainConfig.toJson(m.config().toMap()));
            metadata.put("wpunet.source", m.file().toAbsolutePath().normalize().toString());
            AtomicFiles.writeFile(target, force, tmp -> Safetensors.write(tmp, m.model().stateDict(), metadata, m.model().int64Keys()));
            System.out.println("export: " + m.describe() + (m.checkpoint() != null ? ", checkpoint " + m.checkpoint() : "") + ", from "
                    + m.file() + (m.config() == null ? " (no run config in it: none written)" : "") + " -> " + target + " ("
                    + Files.size(target) + " bytes)");
        }
        return 0;
    }
}
