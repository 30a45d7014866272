package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.wpunet.cli.Subcommand;
import org.wpunet.core.Device;
import org.wpunet.train.TrainingModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wpunet demo}: everything the project does, end to end, on a fresh synthetic stack, with a report. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = org.wpunet.cli.VersionProvider.class, sortOptions = false,
        description = {"Everything the project does, end to end, on a new synthetic stack, with a report (no data needed).",
                "1. synthesise a serial-section stack with ground truth; 2. segment its test slices with the bundled pretrained WPU-Net;",
                "3. train a small WPU-Net (abw, fusion) and a U-Net (cbw) from scratch with the same budget and score them alike;",
                "4. track the segmentation into 3D grains and score them; 5. write DIR/report.md (+ PNG figures) and DIR/report.html.",
                "On a shared 2-core CPU: 3.5 minutes measured (WPU-Net's training is capped at 4 minutes), --quick 1.5.",
                "With a GPU: full-width models and the paper's crop and batch."})
public final class DemoCommand implements Callable<Integer>, Subcommand {
    @Option(names = "--out", paramLabel = "DIR", description = "output directory, new or empty (default: demo-YYYYMMDD-HHMMSS)")
    Path out;
    @Option(names = "--device", paramLabel = "auto|cpu|cuda", description = "auto takes the GPU when the CUDA backend is available (default auto)")
    String device = "auto";
    @Option(names = "--quick", description = "a smaller stack and a shorter training budget (under 3 minutes on 2 CPU cores)")
    boolean quick;
    @Option(names = "--seed", description = "seed of the stack and the training (default: a new one each run)")
    Long seed;

    @Override
    public Integer call() throws IOException {
        Device d = TrainingModel.resolveDevice(device);
        String spec = d.toString();
        long s = seed != null ? seed : new SecureRandom().nextInt(1_000_000);
        DemoPlan plan = d.isCpu() ? DemoPlan.cpu(quick, spec, s) : DemoPlan.gpu(quick, spec, s);
        Path dir = (out != null ? out : Path.of("demo-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))))
                .toAbsolutePath().normalize();
        checkNewDirectory(dir);
        Files.createDirectories(dir);
        org.wpunet.cli.OutputPolicy.markNew(dir);   // a wpunet output (the one output policy of every command)
        System.err.printf("demo: %s configuration, seed %d, writing to %s%n", plan.name(), s, dir);
        try (StageProgress progress = new StageProgress(System.err, System.console() == null)) {
            Demo.Result r = new Demo(plan, s, dir, progress).run();
            System.out.println("report: " + r.report() + " (and " + r.html().getFileName() + ", self-contained)");
        }
        return 0;
    }

    /** The demo writes many files: only into a new or empty directory, never over anything. */
    static void checkNewDirectory(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            org.wpunet.cli.OutputPolicy.directory("--out", dir, false, null, java.util.List.of());   // not a file-like name, not under a file
            return;
        }
        if (!Files.isDirectory(dir)) throw new IOException("cannot write into " + dir + ": it exists and is not a directory");
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) throw new IllegalArgumentException(dir + " exists and is not empty: choose a new or empty --out");
        }
    }
}
