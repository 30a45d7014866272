package org.wpunet.pipeline;

import java.time.Duration;
import java.util.Locale;
import org.wpunet.train.ModelFiles;
import org.wpunet.train.TrainConfig;
import org.wpunet.train.data.MixedPrevMask;
import org.wpunet.train.data.PrevMaskMode;
import org.wpunet.train.loss.LossKind;

/**
 * One model to train from scratch in the demo or the experiment: the architecture and loss under
 * comparison plus the budget they all share.
 *
 * @param label   what tables and figures call it, e.g. "WPU-Net (abw, fusion)"
 * @param model   "wpunet" or "unet"
 * @param fusion  WPU-Net's multi-level fusion of the previous mask
 * @param loss    the training loss (abw: the paper's adaptive boundary weights; cbw: class weights)
 * @param widths  the five widths
 * @param crop    training crop (and validation tile) size, a multiple of 16
 * @param batch   crops per step
 * @param lr      RMSprop learning rate
 * @param epochs  epochs (the budget in epochs; with {@code time} whichever ends first)
 * @param time    wall-clock budget of the training, or null for none
 * @param device  auto, cpu or cuda[:k]
 * @param seed    seed of initialisation, data order and augmentation (the same for every model compared)
 */
public record TrainingRecipe(String label, String model, boolean fusion, LossKind loss, int[] widths, int crop, int batch, double lr,
                             int epochs, Duration time, String device, long seed) {
    public TrainingRecipe {
        widths = widths.clone();
        if (epochs < 1) throw new IllegalArgumentException("the budget must be at least one epoch, got " + epochs);
        if (time != null && (time.isNegative() || time.isZero())) throw new IllegalArgumentException("the time budget must be positive, got " + time);
    }

    @Override
    public int[] widths() { return widths.clone(); }

    /** The same budget for another architecture or loss. */
    public TrainingRecipe as(String label, String model, boolean fusion, LossKind loss) {
        return new TrainingRecipe(label, model, fusion, loss, widths, crop, batch, lr, epochs, time, device, seed);
    }

    /**
     * The run config: the original recipe (RMSprop, Xavier init, clip 5, lr x0.8 every 10 epochs), mixed
     * previous masks (the default of {@code train}), no sample pictures, checkpoints only at epoch ends.
     */
    public TrainConfig config(String data, String trainSlices, String validationSlices) {
        return new TrainConfig(data, model, fusion, loss, "custom", widths, epochs, batch, crop, device, "fp32", seed, lr, 0.9, 1e-5, 5.0,
                10, 0.8, 1e-6, PrevMaskMode.MIXED, MixedPrevMask.defaults(), ModelFiles.DEFAULT_MEAN, ModelFiles.DEFAULT_STD, trainSlices,
                validationSlices, 2, 4, 0, 0, 0);
    }

    /** The same recipe with another epoch budget and no time cap. */
    public TrainingRecipe withEpochs(int e) {
        return new TrainingRecipe(label, model, fusion, loss, widths, crop, batch, lr, e, null, device, seed);
    }

    /** E.g. "40 epochs (at most 3 min)". */
    public String budget() {
        return epochs + " epochs" + (time == null ? "" : String.format(Locale.ROOT, " (at most %s)", StageProgress.duration(time.toSeconds())));
    }
}
