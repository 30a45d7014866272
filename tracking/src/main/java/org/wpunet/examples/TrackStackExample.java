package org.wpunet.examples;

import java.nio.file.Path;
import org.wpunet.core.Device;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.LabelVolume;
import org.wpunet.data.SerialStack;
import org.wpunet.infer.Propagation;
import org.wpunet.infer.SegmentOptions;
import org.wpunet.infer.Segmenter;
import org.wpunet.infer.StackResult;
import org.wpunet.tracking.OverlapLinker;
import org.wpunet.tracking.StackTracker;
import org.wpunet.tracking.TrackingScores;
import org.wpunet.tracking.VoxelSize;
import org.wpunet.tracking.export.VolumeExports;
import org.wpunet.tracking.stats.GrainStatistics;
import org.wpunet.train.ModelFiles;

/**
 * From micrographs to 3D grains: segment a stack with the bundled model (own-prediction propagation),
 * link each slice's grains to the previous slice's by maximum overlap, score the 3D grains against the
 * stack's true labels, write the volume (HDF5, TIFF, VTK, slice PNGs, orthogonal views) and print its
 * grain statistics.
 *
 * <pre>
 * bin/wpunet example track STACK.h5 OUT_DIR [PIXEL_UM SPACING_UM]
 * </pre>
 */
public final class TrackStackExample {
    private TrackStackExample() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: TrackStackExample STACK.h5 OUT_DIR [PIXEL_UM SPACING_UM (default 1 1)]");
            System.exit(2);
        }
        SerialStack stack = Hdf5Stack.read(Path.of(args[0]));
        VoxelSize voxel = args.length > 3 ? new VoxelSize(Double.parseDouble(args[2]), Double.parseDouble(args[3])) : new VoxelSize(1, 1);
        byte[][] boundaries = new byte[stack.slices()][];
        try (ModelFiles.LoadedModel m = ModelFiles.loadPretrained(Device.CPU)) {
            StackResult r = new Segmenter(m.model(), m.mean(), m.std(), SegmentOptions.defaults()).segmentStack(stack, Propagation.OWN, null, null);
            for (int k = 0; k < boundaries.length; k++) boundaries[k] = r.slices().get(k).boundary();
        }
        LabelVolume grains = StackTracker.track(boundaries, stack.width(), stack.height(), new OverlapLinker());   // ids 1..K in 3D
        TrackingScores s = TrackingScores.compare(grains, stack.labelVolume());
        System.out.printf("%d grains found, %d true; 3D ARI %.3f, VI %.3f (merge %.3f, split %.3f), links recovered %.3f%n", s.grains(),
                s.trueGrains(), s.ari(), s.vi(), s.viMerge(), s.viSplit(), s.linkAccuracy());
        for (Path p : VolumeExports.writeAll(grains, Path.of(args[1]), voxel)) System.out.println("wrote " + p);
        GrainStatistics.of(grains, voxel).summaryLines().forEach(System.out::println);
    }
}
