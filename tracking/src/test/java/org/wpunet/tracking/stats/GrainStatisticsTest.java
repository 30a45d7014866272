package org.wpunet.tracking.stats;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

class GrainStatisticsTest {
    @TempDir Path dir;

    private static LabelVolume empty(int w, int h, int n) { return new LabelVolume(w, h, n, new int[w * h * n]); }

    private static void fill(LabelVolume v, int id, int x0, int x1, int y0, int y1, int z0, int z1) {
        for (int z = z0; z <= z1; z++)
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) v.data()[x + v.width() * (y + v.height() * z)] = id;
    }

    @Test
    void boxGrainHasItsVolumeBoxCentroidAndAxisRatios() {
        LabelVolume v = empty(20, 12, 6);
        fill(v, 7, 3, 12, 4, 8, 2, 3);                    // 10 x 5 x 2 voxels
        VoxelSize voxel = new VoxelSize(1.0, 1.8);
        Grain g = GrainStatistics.of(v, voxel).grain(7);
        assertEquals(100, g.voxels());
        assertEquals(180.0, g.volumeUm3(), 1e-9);
        assertEquals(Math.cbrt(6 * 180.0 / Math.PI), g.eqDiameterUm(), 1e-9);
        assertArrayEquals(new int[] {3, 12, 4, 8, 2, 3}, new int[] {g.x0(), g.x1(), g.y0(), g.y1(), g.z0(), g.z1()});
        assertEquals(3, g.firstSlice());
        assertEquals(4, g.lastSlice());
        assertEquals(8.0, g.centroidXUm(), 1e-9);        // voxel centres 3.5 .. 12.5
        assertEquals(6.5, g.centroidYUm(), 1e-9);
        assertEquals(5.4, g.centroidZUm(), 1e-9);        // slices 2, 3 span 3.6 .. 7.2 um
        // physical sides 10, 5, 3.6 um: a box of side L has variance L^2/12, so axis ratios are side ratios
        assertEquals(0.5, g.aspectMiddle(), 1e-5);
        assertEquals(0.36, g.aspectMinor(), 1e-5);
        double k = Math.sqrt(5.0 / 3);                    // ellipsoid axis 2 sqrt(5 L^2 / 12) = L sqrt(5/3)
        assertEquals(10 * k, g.axisMajorUm(), 1e-4);
        assertEquals(5 * k, g.axisMiddleUm(), 1e-4);
        assertEquals(3.6 * k, g.axisMinorUm(), 1e-4);
        assertEquals(1.0, g.majorDirX(), 1e-5);
        assertFalse(g.touchesBorder());
        assertEquals(0, g.neighbours());
    }

    @Test
    void tiltedBoxHasItsMajorAxisAlongTheTilt() {
        LabelVolume v = empty(30, 30, 3);
        for (int t = 0; t < 20; t++) fill(v, 1, 5 + t, 6 + t, 5 + t, 5 + t, 1, 1);   // a diagonal staircase in xy
        Grain g = GrainStatistics.of(v, new VoxelSize(1, 1)).grain(1);
        assertEquals(Math.sqrt(0.5), g.majorDirX(), 0.02);
        assertEquals(Math.sqrt(0.5), g.majorDirY(), 0.02);
        assertEquals(0, g.majorDirZ(), 1e-5);
        assertTrue(g.aspectMiddle() < 0.15, "a thin rod: " + g.aspectMiddle());
    }

    @Test
    void sphereHasItsEquivalentDiameterEvenWithAnisotropicVoxels() {
        for (VoxelSize voxel : List.of(new VoxelSize(1, 1), new VoxelSize(0.5, 1.5))) {
            double r = 10;
            int w = (int) Math.ceil(2 * r / voxel.pixelUm()) + 4, n = (int) Math.ceil(2 * r / voxel.spacingUm()) + 4;
            LabelVolume v = empty(w, w, n);
            double c = w * voxel.pixelUm() / 2, cz = n * voxel.spacingUm() / 2;
            for (int z = 0; z < n; z++)
                for (int y = 0; y < w; y++)
                    for (int x = 0; x < w; x++) {
                        double dx = (x + 0.5) * voxel.pixelUm() - c, dy = (y + 0.5) * voxel.pixelUm() - c, dz = (z + 0.5) * voxel.spacingUm() - cz;
                        if (dx * dx + dy * dy + dz * dz <= r * r) v.data()[x + w * (y + w * z)] = 3;
                    }
            Grain g = GrainStatistics.of(v, voxel).grain(3);
            assertEquals(2 * r, g.eqDiameterUm(), 0.01 * 2 * r, voxel.toString());
            assertEquals(c, g.centroidXUm(), 1e-9);
            assertEquals(cz, g.centroidZUm(), 1e-9);
            assertTrue(g.aspectMinor() > 0.95, "round: " + g.aspectMinor());
            assertEquals(2 * r, g.axisMajorUm(), 0.03 * 2 * r, "a sphere's moment ellipsoid is the sphere");
        }
    }

    @Test
    void neighboursShareAFaceAndBorderGrainsAreFlagged() {
        LabelVolume v = empty(10, 10, 10);
        fill(v, 1, 0, 4, 0, 9, 0, 9);         // two halves touching along x = 4|5
        fill(v, 2, 5, 9, 0, 9, 0, 9);
        v.data()[0] = 0;
        LabelVolume island = empty(10, 10, 10);
        fill(island, 5, 3, 5, 3, 5, 3, 5);    // inside, surrounded by "no grain"
        fill(island, 6, 6, 6, 6, 6, 6, 6);    // touches 5 along an edge only: (5,5,*) and (6,6,6) share no face
        fill(island, 8, 2, 2, 3, 3, 3, 3);    // shares a face with 5
        fill(island, 9, 4, 4, 4, 4, 9, 9);    // on the last slice
        GrainStatistics two = GrainStatistics.of(v, new VoxelSize(1, 1));
        assertEquals(List.of(2), two.grain(1).neighbourIds());
        assertEquals(List.of(1), two.grain(2).neighbourIds());
        assertTrue(two.grain(1).touchesBorder());
        GrainStatistics s = GrainStatistics.of(island, new VoxelSize(1, 1));
        assertEquals(List.of(5, 6, 8, 9), s.grains().stream().map(Grain::id).toList());
        assertEquals(List.of(8), s.grain(5).neighbourIds(), "face-connected only");
        assertEquals(List.of(), s.grain(6).neighbourIds());
        assertFalse(s.grain(5).touchesBorder());
        assertFalse(s.grain(6).touchesBorder());
        assertTrue(s.grain(9).touchesBorder(), "the first and last slices are borders too");
        assertEquals(10, s.grain(9).firstSlice());
    }

    @Test
    void meanInterceptCountsGrainCrossings() {
        LabelVolume v = empty(10, 10, 4);
        fill(v, 1, 0, 4, 0, 9, 0, 3);
        fill(v, 2, 5, 9, 0, 9, 0, 3);
        GrainStatistics s = GrainStatistics.of(v, new VoxelSize(2, 3));
        // x lines: 40 of 20 um, one crossing each; y lines: 40 of 20 um, none -> 1600 um / 40 crossings
        assertEquals(40.0, s.meanInterceptXyUm(), 1e-9);
        assertTrue(Double.isNaN(s.meanInterceptZUm()));
        assertEquals(-6.643856 * Math.log10(0.040) - 3.288, s.astmGrainSizeNumber(), 1e-9);
    }

    @Test
    void csvHasOneRowPerGrainWithTheDocumentedColumns() throws IOException {
        LabelVolume v = empty(20, 12, 6);
        fill(v, 7, 3, 12, 4, 8, 2, 3);
        fill(v, 9, 13, 14, 4, 8, 2, 3);
        GrainStatistics s = GrainStatistics.of(v, new VoxelSize(1.0, 1.8));
        Path csv = dir.resolve("stats/grains.csv");
        s.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size());
        List<String> cols = List.of(lines.get(0).split(","));
        assertEquals(List.of("id", "voxels", "volume_um3", "eq_diameter_um", "x0", "x1", "y0", "y1", "z0", "z1", "first_slice",
                "last_slice", "centroid_x_um", "centroid_y_um", "centroid_z_um", "axis_major_um", "axis_middle_um", "axis_minor_um",
                "aspect_middle_major", "aspect_minor_major", "major_dir_x", "major_dir_y", "major_dir_z", "neighbours",
                "neighbour_ids", "touches_border"), cols);
        String[] row = lines.get(1).split(",", -1);
        assertEquals(cols.size(), row.length);
        assertEquals("7", row[cols.indexOf("id")]);
        assertEquals("100", row[cols.indexOf("voxels")]);
        assertEquals(180.0, Double.parseDouble(row[cols.indexOf("volume_um3")]), 1e-9);
        assertEquals("3", row[cols.indexOf("first_slice")]);
        assertEquals(5.4, Double.parseDouble(row[cols.indexOf("centroid_z_um")]), 1e-9);
        assertEquals("9", row[cols.indexOf("neighbour_ids")]);
        assertEquals("0", row[cols.indexOf("touches_border")]);
        assertEquals("9", lines.get(2).split(",")[0]);
    }

    @Test
    void lognormalFitRecoversItsParameters() {
        Random r = new Random(42);
        double[] x = new double[20_000];
        for (int i = 0; i < x.length; i++) x[i] = Math.exp(2.5 + 0.4 * r.nextGaussian());
        LognormalFit f = LognormalFit.of(x);
        assertEquals(2.5, f.mu(), 0.01);
        assertEquals(0.4, f.sigma(), 0.01);
        // the density integrates to one
        double sum = 0, dx = 0.01;
        for (double t = dx / 2; t < 200; t += dx) sum += f.pdf(t) * dx;
        assertEquals(1, sum, 1e-3);
    }

    @Test
    void histogramAndSummaryAreWritten() throws IOException {
        int w = 40, h = 40, n = 10;
        int[] lab = new int[w * h * n];
        for (int i = 0; i < lab.length; i++) {
            int x = i % w, y = (i / w) % h, z = i / (w * h);
            lab[i] = 1 + (x / (3 + (y / 8) % 5)) + 20 * (y / 8) + 200 * (z / 3);
        }
        GrainStatistics s = GrainStatistics.of(new LabelVolume(w, h, n, lab), new VoxelSize(0.5, 1.8));
        Path png = dir.resolve("grain-sizes.png");
        s.writeHistogram(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertEquals(500, img.getHeight());
        List<String> lines = s.summaryLines();
        assertTrue(lines.get(0).startsWith("grains: " + s.grains().size() + " "), lines.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("lognormal fit of diameters: mu ")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("ASTM E112 G = ")), lines.toString());
    }

    @Test
    void aVolumeWithoutGrainsGivesAnEmptyTableAndStillAPicture() throws IOException {
        GrainStatistics s = GrainStatistics.of(empty(5, 4, 3), new VoxelSize(1, 1));
        assertEquals(List.of(), s.grains());
        assertEquals(1, s.summaryLines().size());
        assertTrue(s.summaryLines().get(0).startsWith("grains: 0 "), s.summaryLines().get(0));
        assertTrue(Double.isNaN(s.diameterFit().mu()));
        s.writeCsv(dir.resolve("grains.csv"));
        assertEquals(List.of(Grain.CSV_HEADER), Files.readAllLines(dir.resolve("grains.csv")));
        s.writeHistogram(dir.resolve("sizes.png"));
        assertNotNull(ImageIO.read(dir.resolve("sizes.png").toFile()));
    }

    @Test
    void negativeLabelsAreRefused() {
        LabelVolume v = empty(3, 3, 1);
        v.data()[4] = -2;
        var e = assertThrows(IllegalArgumentException.class, () -> GrainStatistics.of(v, new VoxelSize(1, 1)));
        assertTrue(e.getMessage().contains("-2"), e.getMessage());
    }

    @Test
    void sparseHugeIdsAreMeasuredLikeSmallOnes() {
        LabelVolume small = empty(8, 8, 2), huge = empty(8, 8, 2);
        fill(small, 1, 0, 3, 0, 7, 0, 1);
        fill(small, 2, 4, 7, 0, 7, 0, 1);
        fill(huge, 2_000_000_000, 0, 3, 0, 7, 0, 1);
        fill(huge, 2_000_000_001, 4, 7, 0, 7, 0, 1);
        var a = GrainStatistics.of(small, new VoxelSize(1, 1)).grains();
        var b = GrainStatistics.of(huge, new VoxelSize(1, 1)).grains();
        assertEquals(List.of(2_000_000_001), b.get(0).neighbourIds());
        assertEquals(a.get(1).centroidXUm(), b.get(1).centroidXUm());
        assertEquals(a.get(0).voxels(), b.get(0).voxels());
    }
}
