package org.wpunet.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wpunet.train.loss.LossKind;

/**
 * The paper's ablation: U-Net and WPU-Net without and with multi-level fusion, each trained with the
 * cbw and the abw loss, all with the same budget, seed, widths, crop, batch and learning rate.
 *
 * @param base the shared settings (its label, model, fusion and loss are replaced per variant)
 */
public record ExperimentPlan(TrainingRecipe base) {
    private static final Pattern MINUTES = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(m|min|minutes?)\\s*"),
            EPOCHS = Pattern.compile("\\s*(\\d+)\\s*(e|epochs?)?\\s*");
    /** With a time budget, the epoch cap (never reached in practice). */
    static final int EPOCH_CAP = 100_000;

    /** The six variants in the paper's order: U-Net, WPU-Net without fusion, WPU-Net; cbw then abw. */
    public List<TrainingRecipe> variants() {
        return List.of(base.as("U-Net, cbw", "unet", false, LossKind.CBW), base.as("U-Net, abw", "unet", false, LossKind.ABW),
                base.as("WPU-Net w/o fusion, cbw", "wpunet", false, LossKind.CBW),
                base.as("WPU-Net w/o fusion, abw", "wpunet", false, LossKind.ABW),
                base.as("WPU-Net, cbw", "wpunet", true, LossKind.CBW), base.as("WPU-Net, abw", "wpunet", true, LossKind.ABW));
    }

    /** A budget as written on the command line: "20" or "20e" (epochs), "5m" or "5min" (minutes of training per model). */
    public record Budget(int epochs, Duration time) {
        public static Budget parse(String s) {
            Matcher m = MINUTES.matcher(s);
            if (m.matches()) {
                double min = Double.parseDouble(m.group(1));
                if (!(min > 0)) throw new IllegalArgumentException("--budget must be positive, got '" + s + "'");
                return new Budget(EPOCH_CAP, Duration.ofMillis(Math.round(min * 60_000)));
            }
            m = EPOCHS.matcher(s);
            if (m.matches()) {
                int e;
                try {
                    e = Integer.parseInt(m.group(1));
                } catch (NumberFormatException x) {
                    throw new IllegalArgumentException("--budget '" + s + "' is too large");
                }
                if (e < 1) throw new IllegalArgumentException("--budget must be at least 1 epoch, got '" + s + "'");
                return new Budget(e, null);
            }
            throw new IllegalArgumentException("--budget must be epochs (e.g. 20) or minutes per model (e.g. 5m), got '" + s + "'");
        }

        public String describe() {
            return time == null ? epochs + " epochs per model"
                    : String.format(Locale.ROOT, "%s of training per model", StageProgress.duration(time.toSeconds()));
        }
    }
}
