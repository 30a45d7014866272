package org.wpunet.examples;

import java.nio.file.Path;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.pipeline.TrainingRecipe;
import org.wpunet.train.EpochMetrics;
import org.wpunet.train.RunState;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.Trainer;
import org.wpunet.train.loss.LossKind;

/**
 * Trains a small WPU-Net (abw loss, multi-level fusion) from scratch on a stack with ground truth, the
 * paper's split scaled to the stack, and prints the validation scores per epoch. The run directory is
 * what {@code bin/wpunet train} writes (checkpoints, log.csv, curves.png) and loads with {@code --model}.
 *
 * <pre>
 * bin/wpunet example train STACK.h5 RUN_DIR [EPOCHS] [CROP]
 * </pre>
 */
public final class TrainStackExample {
    private TrainStackExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TrainStackExample STACK.h5 RUN_DIR [EPOCHS (default 10)] [CROP (default 128)]");
            System.exit(2);
        }
        SerialStack stack = Hdf5Stack.read(Path.of(args[0]));
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 10, crop = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        // widths 16..256, batch 8, RMSprop lr 1e-3, the original's schedule, clip and init; "auto" takes a GPU when there is one
        TrainingRecipe recipe = new TrainingRecipe("WPU-Net", "wpunet", true, LossKind.ABW, new int[] {16, 32, 64, 128, 256}, crop, 8, 1e-3,
                epochs, null, "auto", 2019);
        TrainConfig config = recipe.config(args[0], null, null);   // null ranges: the paper's split scaled to the stack
        Trainer.Listener printer = new Trainer.Listener() {
            @Override
            public void epochDone(EpochMetrics m, boolean bestLoss, boolean bestVi) {
                System.out.printf("epoch %d: train loss %.4f, validation loss %.4f, VI %.3f, ARI %.3f%n", m.epoch(), m.trainLoss(),
                        m.validationLoss(), m.vi(), m.ari());
            }
        };
        try (Trainer trainer = Trainer.start(config, stack, Path.of(args[1]), printer)) {
            RunState end = trainer.run();
            System.out.printf("best validation VI %.3f; the model: %s/checkpoints/best-vi%n", end.bestVi, args[1]);
        }
    }
}
