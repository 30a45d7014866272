package org.wpunet.pipeline;

import java.time.Duration;
import org.wpunet.data.synth.Flaws;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.train.loss.LossKind;

/**
 * The sizes of a demo run: the synthetic stack, its split into training, validation and test slices,
 * and the budget of the two models trained from scratch. {@link #cpu}, {@link #gpu} and {@link #tiny}
 * are the configurations the command and the tests use.
 *
 * @param name       what the report calls this configuration ("cpu", "cpu --quick", ...)
 * @param size       width and height of the slices in pixels
 * @param slices     number of slices
 * @param grainSize  mean grain diameter in pixels
 * @param trainEnd   slices 1..trainEnd train the models (1-based inclusive)
 * @param valEnd     slices trainEnd+1..valEnd validate them; valEnd+1..slices are the test slices
 * @param wpunet     WPU-Net's recipe (abw loss, fusion); the U-Net gets the same budget with the cbw loss
 */
public record DemoPlan(String name, int size, int slices, double grainSize, int trainEnd, int valEnd, TrainingRecipe wpunet) {
    public DemoPlan {
        if (trainEnd < 2 || valEnd < trainEnd + 2 || slices < valEnd + 2)
            throw new IllegalArgumentException("a demo needs >= 2 training, 2 validation and 2 test slices, got 1-" + trainEnd + ", "
                    + (trainEnd + 1) + "-" + valEnd + ", " + (valEnd + 1) + "-" + slices);
    }

    /**
     * The CPU configuration: 256x256 slices, small models (widths 16..256, the bundled model's size) on
     * 128x128 crops; 100 epochs (WPU-Net capped at 4 minutes, the U-Net then gets as many epochs as it completed),
     * so the whole demo fits in 10 minutes on 2 cores (about 4 on an idle one). 30 epochs (2 steps each on 14
     * training slices) were too few for WPU-Net to learn its prior on some seeds; see README.
     * {@code quick}: 192x192 slices, 12 epochs (at most 1 minute), within 3 minutes.
     */
    public static DemoPlan cpu(boolean quick, String device, long seed) {
        int[] w = {16, 32, 64, 128, 256};
        return quick
                ? new DemoPlan("CPU, --quick", 192, 20, 28, 8, 10,
                        new TrainingRecipe("", "wpunet", true, LossKind.ABW, w, 128, 8, 1e-3, 12, Duration.ofMinutes(1), device, seed))
                : new DemoPlan("CPU", 256, 36, 30, 14, 18,
                        new TrainingRecipe("", "wpunet", true, LossKind.ABW, w, 128, 8, 1e-3, 100, Duration.ofMinutes(4), device, seed));
    }

    /**
     * The GPU configuration: full-width models (64..1024) with the paper's 256x256 crops, batch 24 and
     * lr 1e-4, on 512x512 slices, WPU-Net for at most 3 minutes and the U-Net for as many epochs ({@code quick}: 1 minute, 384x384).
     */
    public static DemoPlan gpu(boolean quick, String device, long seed) {
        int[] w = {64, 128, 256, 512, 1024};
        return quick
                ? new DemoPlan("GPU, --quick", 384, 24, 36, 10, 12,
                        new TrainingRecipe("", "wpunet", true, LossKind.ABW, w, 256, 24, 1e-4, 200, Duration.ofMinutes(1), device, seed))
                : new DemoPlan("GPU", 512, 48, 36, 19, 24,
                        new TrainingRecipe("", "wpunet", true, LossKind.ABW, w, 256, 24, 1e-4, 1000, Duration.ofMinutes(3), device, seed));
    }

    /** A seconds-long configuration for tests: 64x64 slices, widths 4..64, 2 epochs. */
    public static DemoPlan tiny(long seed) {
        return new DemoPlan("test", 64, 10, 16, 4, 6,
                new TrainingRecipe("", "wpunet", true, LossKind.ABW, new int[] {4, 8, 16, 32, 64}, 32, 4, 1e-3, 2, null, "cpu", seed));
    }

    /** WPU-Net as the paper: abw loss, multi-level fusion. */
    public TrainingRecipe wpunetRecipe() { return wpunet.as("WPU-Net (abw, fusion)", "wpunet", true, LossKind.ABW); }

    /** The paper's baseline: U-Net with class-balanced weights, the same budget and seed. */
    public TrainingRecipe unetRecipe() { return wpunet.as("U-Net (cbw)", "unet", false, LossKind.CBW); }

    public String trainSlices() { return "1-" + trainEnd; }

    public String validationSlices() { return (trainEnd + 1) + "-" + valEnd; }

    /** The test slices, 0-based half-open. */
    public int testFrom() { return valEnd; }

    /** The stack's synthesis settings: Voronoi grains, medium imaging flaws. */
    public StackSynthesizer.Config stack(long seed) {
        return StackSynthesizer.Config.of(size, size, slices, grainSize, seed).withFlaws(Flaws.MEDIUM);
    }
}
