package org.wpunet.tracking;

/**
 * The physical size of one voxel of a serial-section stack: {@code pixelUm} in x and y (the
 * micrograph's pixel size), {@code spacingUm} in z (the distance between sections, the paper's
 * 1.8 um for its iron stack).
 */
public record VoxelSize(double pixelUm, double spacingUm) {
    public VoxelSize {
        if (!(pixelUm > 0) || !Double.isFinite(pixelUm))
            throw new IllegalArgumentException("pixel size must be a positive number of um, got " + pixelUm);
        if (!(spacingUm > 0) || !Double.isFinite(spacingUm))
            throw new IllegalArgumentException("section spacing must be a positive number of um, got " + spacingUm);
    }

    /** Volume of one voxel in um^3. */
    public double voxelVolume() { return pixelUm * pixelUm * spacingUm; }
}
