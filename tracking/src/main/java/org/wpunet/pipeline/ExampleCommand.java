package org.wpunet.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.wpunet.cli.Subcommand;
import org.wpunet.examples.EvaluateExample;
import org.wpunet.examples.PyTorchWeightsExample;
import org.wpunet.examples.SegmentStackExample;
import org.wpunet.examples.TrackStackExample;
import org.wpunet.examples.TrainStackExample;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wpunet example NAME [ARGS...]}: runs one of the example programs in {@code org.wpunet.examples}
 * (each a short main class using only the public API; read them as documentation). Without NAME it lists them.
 */
@Command(name = "example", mixinStandardHelpOptions = true, versionProvider = org.wpunet.cli.VersionProvider.class,
        description = {"Run one of the example programs (org.wpunet.examples: short main classes using only the public API).",
                "Without NAME: list them with their arguments."})
public final class ExampleCommand implements Callable<Integer>, Subcommand {
    /** An example's main method. */
    @FunctionalInterface
    interface ExampleMain {
        void run(String[] args) throws Exception;
    }

    record Example(String className, String usage, ExampleMain main) {}

    /** The examples by name, in the order a new user would read them. */
    static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

    static {
        EXAMPLES.put("segment", new Example(SegmentStackExample.class.getName(), "STACK.h5 [RUN_DIR|FILE.safetensors|pretrained]",
                SegmentStackExample::main));
        EXAMPLES.put("train", new Example(TrainStackExample.class.getName(), "STACK.h5 RUN_DIR [EPOCHS] [CROP]", TrainStackExample::main));
        EXAMPLES.put("evaluate", new Example(EvaluateExample.class.getName(), "SEG_DIR TRUTH.h5", EvaluateExample::main));
        EXAMPLES.put("track", new Example(TrackStackExample.class.getName(), "STACK.h5 OUT_DIR [PIXEL_UM SPACING_UM]", TrackStackExample::main));
        EXAMPLES.put("pytorch", new Example(PyTorchWeightsExample.class.getName(), "WEIGHTS.safetensors STACK.h5",
                PyTorchWeightsExample::main));
    }

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "segment, train, evaluate, track or pytorch")
    String name;
    @Parameters(index = "1..*", paramLabel = "ARGS", description = "the example's arguments")
    List<String> args = List.of();

    @Override
    public Integer call() throws Exception {
        if (name == null) {
            System.out.println("examples (bin/wpunet example NAME ARGS; source in tracking/ or wpunet/src/main/java/org/wpunet/examples/):");
            EXAMPLES.forEach((n, e) -> System.out.printf("  %-9s %s%n            %s%n", n, e.usage(), e.className()));
            return 0;
        }
        Example e = EXAMPLES.get(name);
        if (e == null) throw new IllegalArgumentException("no example '" + name + "'; there are: " + String.join(", ", EXAMPLES.keySet()));
        e.main().run(args.toArray(String[]::new));
        return 0;
    }
}
