package org.wpunet.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.wpunet.cli.Subcommand;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.data.StackSplits;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.TrainingModel;
import org.wpunet.train.loss.LossKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code wpunet experiment}: the paper's ablation (U-Net / WPU-Net with and without fusion x cbw / abw) as one command. */
@Command(name = "experiment", mixinStandardHelpOptions = true, versionProvider = org.wpunet.cli.VersionProvider.class, sortOptions = false,
        description = {"The paper's ablation (U-Net, WPU-Net without and with fusion; cbw and abw losses) with one budget, and its report.",
                "U-Net and WPU-Net (without and with multi-level fusion) x {cbw, abw} losses, each trained from scratch with the same budget and seed on the stack's training slices (the paper's split scaled),",
                "each test slice segmented with gt and own propagation and scored (mean and spread over slices), the own",
                "segmentation tracked into 3D and scored; DIR/report.md, report.html, results.csv and runs/<variant>/.",
                "Hours on a CPU at full width; minutes per model with the default small widths or on a GPU."})
public final class ExperimentCommand implements Callable<Integer>, Subcommand {
    @Option(names = "--data", required = true, paramLabel = "FILE.h5|synthetic",
            description = "an HDF5 stack with ground truth (image, label), or 'synthetic' for a generated one")
    String data;
    @Option(names = "--budget", required = true, paramLabel = "EPOCHS|MINUTESm", description = "per model: epochs (e.g. 20) or minutes (e.g. 5m)")
    String budget;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory, new or empty")
    Path out;
    @Option(names = "--preset", paramLabel = "tiny|small|full",
            description = "widths 16..256, 32..512 or 64..1024 (default: tiny on the CPU, full on a GPU)")
    String preset;
    @Option(names = "--crop", description = "training crop, a multiple of 16 (default 128 on the CPU, 256 on a GPU)")
    Integer crop;
    @Option(names = "--batch", description = "crops per step (default: 8, or 24 with the full preset)")
    Integer batch;
    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:k]", description = "(default auto)")
    String device = "auto";
    @Option(names = "--seed", description = "seed of the training (and of a synthetic stack) (default 2019)")
    long seed = 2019;
    @Option(names = "--size", description = "synthetic stack: width and height (default 256)")
    int size = 256;
    @Option(names = "--slices", description = "synthetic stack: slices (default 40: 1-16 train, 17-20 validate, 21-40 test)")
    int slices = 40;

    @Override
    public Integer call() throws IOException {
        ExperimentPlan.Budget b = ExperimentPlan.Budget.parse(budget);
        Device d = TrainingModel.resolveDevice(device);
        TrainConfig.Preset p = preset != null ? TrainConfig.Preset.parse(preset) : d.isCpu() ? TrainConfig.Preset.TINY : TrainConfig.Preset.FULL;
        int c = crop != null ? crop : d.isCpu() ? 128 : 256, bs = batch != null ? batch : p.batch;
        TrainingRecipe base = new TrainingRecipe("", "wpunet", true, LossKind.ABW, p.widths, c, bs, p.lr, b.epochs(), b.time(), d.toString(), seed);
        Path dir = out.toAbsolutePath().normalize();
        DemoCommand.checkNewDirectory(dir);
        SerialStack stack;
        String name;
        if (data.equals("synthetic")) {
            stack = StackSynthesizer.generate(StackSynthesizer.Config.of(size, size, slices, 30, seed).withFlaws(Flaws.MEDIUM));
            name = String.format(Locale.ROOT, "synthetic (Voronoi, 30 px grains, medium flaws, seed %d)", seed);
        } else {
            stack = Hdf5Stack.read(Path.of(data));
            name = "`" + Path.of(data).getFileName() + "`";
        }
        StackSplits splits = StackSplits.forSlices(stack.slices());
        if (splits.train()[1] < 2 || splits.validation()[1] - splits.validation()[0] < 2 || splits.test()[1] - splits.test()[0] < 2)
            throw new IllegalArgumentException("the stack's " + stack.slices() + " slices split as the paper's (" + splits
                    + ") leave fewer than 2 slices for training, validation or test; use a stack of at least 19 slices");
        Files.createDirectories(dir);
        org.wpunet.cli.OutputPolicy.markNew(dir);
        System.err.printf("experiment: 6 variants, %s, widths %s on %s, writing to %s%n", b.describe(), p.cliName(), d, dir);
        try (StageProgress progress = new StageProgress(System.err, System.console() == null)) {
            Experiment.Result r = new Experiment(new ExperimentPlan(base), stack, name, splits, b.describe(), dir, progress).run();
            System.out.println("report: " + r.report() + " (and report.html, results.csv)");
        }
        return 0;
    }
}
