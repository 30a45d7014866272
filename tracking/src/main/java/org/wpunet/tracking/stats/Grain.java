package org.wpunet.tracking.stats;

import java.util.List;

/**
 * One 3D grain's statistics, one row of {@code grains.csv}. Lengths are in micrometres (um), volumes
 * in um^3; positions are measured from the volume's corner, a voxel (x, y, z) occupying
 * [x, x+1] * pixel, [y, y+1] * pixel, [z, z+1] * spacing (so its centre is at (x + 0.5) * pixel, ...).
 *
 * @param id              grain id (label in the volume)
 * @param voxels          number of voxels
 * @param volumeUm3       voxels * pixel^2 * spacing
 * @param eqDiameterUm    diameter of the sphere of the same volume, (6 V / pi)^(1/3)
 * @param x0              bounding box, voxel indices from 0, inclusive: x0..x1, y0..y1, z0..z1
 * @param centroidXUm     centroid (mean voxel centre) in um
 * @param axisMajorUm     full axis lengths of the ellipsoid with the grain's second moments (a solid
 *                        ellipsoid of semi-axis r has variance r^2 / 5 along it, so a full axis is
 *                        2 sqrt(5 lambda) for an eigenvalue lambda of the covariance), major >= middle >= minor
 * @param aspectMiddle    middle / major axis (b/a), in (0, 1]
 * @param aspectMinor     minor / major axis (c/a), in (0, 1]
 * @param majorDirX       unit vector of the major axis (largest component made positive)
 * @param neighbourIds    ids of the grains sharing at least one voxel face (6-neighbourhood), ascending
 * @param touchesBorder   whether a voxel lies on a face of the volume (the first or last slice
 *                        included): such grains are cut by the volume and their size is a lower bound
 */
public record Grain(int id, long voxels, double volumeUm3, double eqDiameterUm,
                    int x0, int x1, int y0, int y1, int z0, int z1,
                    double centroidXUm, double centroidYUm, double centroidZUm,
                    double axisMajorUm, double axisMiddleUm, double axisMinorUm,
                    double aspectMiddle, double aspectMinor,
                    double majorDirX, double majorDirY, double majorDirZ,
                    List<Integer> neighbourIds, boolean touchesBorder) {
    public Grain {
        neighbourIds = List.copyOf(neighbourIds);
    }

    /** First slice holding the grain, numbered from 1 (as slice files are). */
    public int firstSlice() { return z0 + 1; }

    /** Last slice holding the grain, numbered from 1. */
    public int lastSlice() { return z1 + 1; }

    /** Number of face-adjacent grains. */
    public int neighbours() { return neighbourIds.size(); }

    /** Column names of {@link #csvRow}. */
    public static final String CSV_HEADER = "id,voxels,volume_um3,eq_diameter_um,x0,x1,y0,y1,z0,z1,first_slice,last_slice,"
            + "centroid_x_um,centroid_y_um,centroid_z_um,axis_major_um,axis_middle_um,axis_minor_um,"
            + "aspect_middle_major,aspect_minor_major,major_dir_x,major_dir_y,major_dir_z,neighbours,neighbour_ids,touches_border";

    /** This grain as a CSV row (neighbour ids space-separated in one field; touches_border 1 or 0). */
    public String csvRow() {
        StringBuilder ids = new StringBuilder();
        for (int g : neighbourIds) ids.append(ids.isEmpty() ? "" : " ").append(g);
        return id + "," + voxels + "," + num(volumeUm3) + "," + num(eqDiameterUm) + ","
                + x0 + "," + x1 + "," + y0 + "," + y1 + "," + z0 + "," + z1 + "," + firstSlice() + "," + lastSlice() + ","
                + num(centroidXUm) + "," + num(centroidYUm) + "," + num(centroidZUm) + ","
                + num(axisMajorUm) + "," + num(axisMiddleUm) + "," + num(axisMinorUm) + ","
                + num(aspectMiddle) + "," + num(aspectMinor) + ","
                + num(majorDirX) + "," + num(majorDirY) + "," + num(majorDirZ) + ","
                + neighbourIds.size() + "," + ids + "," + (touchesBorder ? 1 : 0);
    }

    /** Six significant digits, plain notation, '.' decimal point. */
    static String num(double v) {
        if (!Double.isFinite(v)) return "nan";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
