package org.wpunet.pipeline;

import java.nio.file.Path;
import java.util.List;
import org.wpunet.core.Device;
import org.wpunet.data.SerialStack;

/** Stage 4 of the demo (interim: tracking is being built on its own branch). */
final class TrackingStage {
    static final String DIR = "grains3d";

    private TrackingStage() {}

    static int steps() { return 1; }

    static TrackingOutcome.Row score3D(String name, byte[][] boundaries, SerialStack test) { return null; }

    static TrackingOutcome run(ModelRuns.Segmented segmented, SerialStack test, Device device, Path out, StageProgress progress) {
        return new TrackingOutcome(List.of(), List.of(), List.of(), List.of("3D tracking is not in this build yet."));
    }
}
