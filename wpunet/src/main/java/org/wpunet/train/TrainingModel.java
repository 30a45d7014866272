package org.wpunet.train;

import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Rng;
import org.wpunet.image.PostProcessing;
import org.wpunet.model.AbstractUNet;
import org.wpunet.model.ConvInit;
import org.wpunet.model.UNet;
import org.wpunet.model.WpuNet;
import org.wpunet.nn.autograd.Variable;

/** Builds the network a config asks for and runs it on a batch, whichever of WPU-Net and U-Net it is. */
public final class TrainingModel {
    private TrainingModel() {}

    /**
     * A new network with the original's initialisation (Xavier-uniform on every Conv2d incl. the 1x1
     * head, PyTorch defaults elsewhere), seeded by the run's seed, in F32 on {@code device}.
     */
    public static AbstractUNet build(TrainConfig c, Device device) {
        int classes = c.loss().outputChannels();
        Rng rng = new Rng(c.seed());
        AbstractUNet m = c.isWpuNet()
                ? new WpuNet(WpuNet.Config.defaults().withWidths(c.widths()).withClasses(classes).withMultiLevelFusion(c.fusion())
                        .withInit(ConvInit.XAVIER_UNIFORM), rng)
                : new UNet(UNet.Config.defaults().withWidths(c.widths()).withClasses(classes).withInit(ConvInit.XAVIER_UNIFORM), rng);
        m.to(device, DType.F32);
        return m;
    }

    /** Logits [N, classes, H, W] from images [N,1,H,W] and (WPU-Net only) coded previous masks [N,1,H,W]. */
    public static Variable forward(AbstractUNet m, Variable images, Variable previous) {
        if (m instanceof WpuNet w) return w.forward(images, previous);
        return m.forward(images);
    }

    /**
     * The post-processed one-pixel boundary map (0/255) of one sample's network output, its
     * {@code classes} channels starting at {@code offset} of {@code scores} (channel-major): argmax of
     * two classes, or a 0.5 threshold of a one-channel (MSE-trained) output; then 3x3 closing and
     * skeletonisation, as the original inference.
     */
    public static byte[] boundaryMap(float[] scores, int offset, int classes, int width, int height) {
        int plane = width * height;
        if (classes == 2) return PostProcessing.boundaryMap(java.util.Arrays.copyOfRange(scores, offset, offset + 2 * plane), width, height);
        if (classes != 1) throw new IllegalArgumentException("expected 1 or 2 output channels, got " + classes);
        byte[] mask = new byte[plane];
        for (int i = 0; i < plane; i++) if (scores[offset + i] > 0.5f) mask[i] = (byte) 255;
        return PostProcessing.fromMask(mask, width, height);
    }

    /** "auto" = the first CUDA device when the CUDA backend is available, else the CPU; otherwise Device.parse. */
    public static Device resolveDevice(String spec) {
        if (spec.equals("auto")) return Backends.defaultDevice();
        Device d;
        try {
            d = Device.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device must be auto, cpu or cuda[:k], got '" + spec + "'");
        }
        if (!Backends.isAvailable(d)) {
            String why = Backends.status().stream().filter(s -> s.type().equals(d.type())).map(Backends.Status::detail).findFirst()
                    .orElse("no such backend");
            throw new IllegalArgumentException("device " + d + " is not available: " + why);
        }
        return d;
    }
}
