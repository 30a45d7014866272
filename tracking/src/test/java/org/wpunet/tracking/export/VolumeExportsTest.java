package org.wpunet.tracking.export;

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
import org.wpunet.image.LabelImage;
import org.wpunet.io.TiffIO;
import org.wpunet.tracking.VoxelSize;

class VolumeExportsTest {
    @TempDir Path dir;

    private static final VoxelSize VOXEL = new VoxelSize(0.65, 1.8);

    /** Blocky grains with distinct values everywhere, so that any mix-up of axes shows. */
    static LabelVolume volume(int w, int h, int n, long seed) {
        Random r = new Random(seed);
        int[] seeds = new int[64];
        for (int i = 0; i < seeds.length; i++) seeds[i] = 1 + r.nextInt(100_000);
        int[] v = new int[w * h * n];
        for (int z = 0; z < n; z++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) v[x + w * (y + h * z)] = seeds[(x / 5) % 4 + 4 * ((y / 4) % 4) + 16 * ((z / 3) % 4)];
        return new LabelVolume(w, h, n, v);
    }

    @Test
    void hdf5RoundTripKeepsLayoutAndValues() throws IOException {
        LabelVolume v = volume(13, 9, 7, 1);
        Path f = VolumeExports.writeHdf5(v, dir.resolve("label.h5"), VOXEL);
        LabelVolume back = VolumeExports.readHdf5(f);
        assertEquals(13, back.width());
        assertEquals(9, back.height());
        assertEquals(7, back.depth());
        assertArrayEquals(v.data(), back.data());
        try (var hdf = new io.jhdf.HdfFile(f)) {
            var d = hdf.getDatasetByPath("label");
            assertArrayEquals(new int[] {9, 13, 7}, d.getDimensions(), "H x W x N like the dataset files");
            assertEquals(int.class, d.getJavaType());
            int[][][] a = (int[][][]) d.getData();
            assertEquals(v.get(11, 2, 5), a[2][11][5], "label[y][x][k] is voxel (x, y, k)");
            assertArrayEquals(new double[] {0.65, 0.65, 1.8}, (double[]) d.getAttribute(Hdf5Labels.ELEMENT_SIZE).getData());
        }
    }

    @Test
    void tiffIsAnImageJStackWithCalibrationAndContiguousPages() throws IOException {
        LabelVolume v = volume(11, 6, 5, 2);
        Path f = VolumeExports.writeTiff(v, dir.resolve("labels.tif"), VOXEL);
        TiffFile t = new TiffFile(f);
        assertEquals(5, t.ifds.size(), "one page per slice");
        long page = 11 * 6 * 4;
        long first = t.ifds.get(0).one(ImageJTiff.STRIP_OFFSETS);
        for (int k = 0; k < 5; k++) {
            TiffFile.Ifd ifd = t.ifds.get(k);
            assertEquals(11, ifd.one(ImageJTiff.IMAGE_WIDTH));
            assertEquals(6, ifd.one(ImageJTiff.IMAGE_LENGTH));
            assertEquals(32, ifd.one(ImageJTiff.BITS_PER_SAMPLE));
            assertEquals(2, ifd.one(ImageJTiff.SAMPLE_FORMAT), "signed integer samples");
            assertEquals(1, ifd.one(ImageJTiff.COMPRESSION));
            assertEquals(page, ifd.one(ImageJTiff.STRIP_BYTE_COUNTS));
            assertEquals(first + k * page, ifd.one(ImageJTiff.STRIP_OFFSETS), "ImageJ reads pages as one contiguous block");
            long[] xr = ifd.longs(ImageJTiff.X_RESOLUTION), yr = ifd.longs(ImageJTiff.Y_RESOLUTION);
            assertEquals(1 / 0.65, (double) xr[0] / xr[1], 1e-9, "pixels per micron");
            assertEquals(1 / 0.65, (double) yr[0] / yr[1], 1e-9);
            assertEquals(1, ifd.one(ImageJTiff.RESOLUTION_UNIT));
            for (int y = 0; y < 6; y++)
                for (int x = 0; x < 11; x++)
                    assertEquals(v.get(x, y, k), t.bytes.getInt((int) (first + k * page + 4 * (x + 11 * y))));
        }
        String desc = t.ifds.get(0).ascii(ImageJTiff.IMAGE_DESCRIPTION);
        assertTrue(desc.endsWith("\0"), "ASCII values end in NUL");
        List<String> lines = List.of(desc.substring(0, desc.length() - 1).split("\n"));
        assertTrue(lines.get(0).matches("ImageJ=\\d\\.\\d+[a-z]?"), lines.get(0));
        assertTrue(lines.containsAll(List.of("images=5", "slices=5", "unit=micron", "spacing=1.8", "min=0.0",
                "max=" + v.maxLabel() + ".0")), lines.toString());
        assertNull(t.ifds.get(1).tags().get(ImageJTiff.IMAGE_DESCRIPTION), "description on the first page only, as ImageJ writes");
        // and javax.imageio's TIFF reader decodes the same pages
        List<LabelImage> pages = TiffIO.readStack(f);
        assertEquals(5, pages.size());
        for (int k = 0; k < 5; k++) assertArrayEquals(v.slice(k), pages.get(k).labels());
    }

    @Test
    void vtiHeaderIsValidAndDataReadsBack() throws IOException {
        LabelVolume v = volume(10, 7, 4, 3);
        Path f = VolumeExports.writeVti(v, dir.resolve("labels.vti"), VOXEL);
        String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
        String head = text.substring(0, text.indexOf("<AppendedData encoding=\"raw\">\n   _") + 30);
        assertTrue(head.startsWith("<?xml version=\"1.0\"?>\n<VTKFile type=\"ImageData\""), head);
        assertTrue(head.contains("WholeExtent=\"0 10 0 7 0 4\""), head);
        assertTrue(head.contains("Spacing=\"0.65 0.65 1.8\""), head);
        assertTrue(head.contains("<CellData Scalars=\"label\">"), head);
        assertTrue(head.contains("type=\"Int32\" Name=\"label\""), head);
        assertTrue(text.endsWith("</AppendedData>\n</VTKFile>\n"));
        assertArrayEquals(v.data(), VolumeExports.readVti(f).data());
    }

    @Test
    void vtiOfSeveralCompressedBlocksReadsBack() throws IOException {
        LabelVolume v = volume(64, 64, 70, 4);          // 1.1 MiB of Int32: two zlib blocks
        assertTrue(4L * v.data().length > VtkImageData.BLOCK);
        Path f = VolumeExports.writeVti(v, dir.resolve("big.vti"), VOXEL);
        assertArrayEquals(v.data(), VolumeExports.readVti(f).data());
    }

    @Test
    void damagedFilesGiveOneClearError() throws IOException {
        LabelVolume v = volume(10, 7, 4, 5);
        Path vti = VolumeExports.writeVti(v, dir.resolve("labels.vti"), VOXEL);
        byte[] all = Files.readAllBytes(vti);
        Path cut = dir.resolve("cut.vti");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2 + 300));
        IOException e = assertThrows(IOException.class, () -> VolumeExports.readVti(cut));
        assertTrue(e.getMessage().contains("cut.vti"), e.getMessage());
        Path notH5 = dir.resolve("not.h5");
        Files.writeString(notH5, "hello");
        e = assertThrows(IOException.class, () -> VolumeExports.readHdf5(notH5));
        assertTrue(e.getMessage().contains("not.h5"), e.getMessage());
    }

    @Test
    void slicePngsAndOrthogonalViewHaveTheExpectedSizes() throws IOException {
        LabelVolume v = volume(40, 30, 6, 6);
        Path slices = VolumeExports.writeSlicePngs(v, dir.resolve("slices"));
        try (var s = Files.list(slices)) {
            assertEquals(List.of("001.png", "002.png", "003.png", "004.png", "005.png", "006.png"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        BufferedImage first = ImageIO.read(slices.resolve("001.png").toFile());
        int scale = 512 / 40;                                 // small slices are enlarged by a whole factor
        assertEquals(40 * scale, first.getWidth());
        assertEquals(30 * scale, first.getHeight());
        // the grain colour of voxel (2, 2) in slice 1, away from boundaries
        assertEquals(GrainColours.rgb(v.get(2, 2, 0)), first.getRGB(2 * scale + 1, 2 * scale + 1) & 0xFFFFFF);

        Path ortho = VolumeExports.writeOrthogonalViews(v, dir.resolve("orthogonal.png"), VOXEL);
        BufferedImage o = ImageIO.read(ortho.toFile());
        int xy = 40 * scale, z = (int) Math.round(6 * scale * 1.8 / 0.65);
        assertTrue(o.getWidth() >= xy + z, "XY and YZ side by side: " + o.getWidth());
        assertTrue(o.getHeight() >= 30 * scale + z, "XY above XZ: " + o.getHeight());
    }

    @Test
    void writeAllWritesEveryOutputAndRefusesToReplaceForeignFiles() throws IOException {
        LabelVolume v = volume(12, 10, 3, 7);
        Path out = dir.resolve("new/out");
        List<Path> told = new java.util.ArrayList<>();
        List<Path> written = VolumeExports.writeAll(v, out, VOXEL, (p, done, total) -> {
            assertEquals(told.size() + 1, done);
            assertEquals(5, total);
            told.add(p);
        });
        assertEquals(VolumeExports.OUTPUT_NAMES.stream().map(out::resolve).toList(), written);
        assertEquals(written, told);
        for (Path p : written) assertTrue(Files.exists(p), p.toString());
        // a second run replaces its own outputs
        LabelVolume other = volume(12, 10, 2, 8);
        VolumeExports.writeAll(other, out, VOXEL);
        assertEquals(2, VolumeExports.readHdf5(out.resolve(VolumeExports.HDF5)).depth());
        try (var s = Files.list(out.resolve(VolumeExports.SLICES))) {
            assertEquals(2, s.count(), "the old third slice picture is gone with the old folder");
        }
        // a slice folder holding something else is not ours to replace: nothing is written at all
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine.resolve("slices"));
        Files.writeString(mine.resolve("slices/notes.txt"), "keep me");
        IOException e = assertThrows(IOException.class, () -> VolumeExports.writeAll(v, mine, VOXEL));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertFalse(Files.exists(mine.resolve(VolumeExports.HDF5)));
        assertEquals("keep me", Files.readString(mine.resolve("slices/notes.txt")));
        try (var s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporaries left behind");
        }
    }

    @Test
    void coloursAreStableAndDistinct() {
        assertEquals(GrainColours.rgb(17), GrainColours.rgb(17));
        assertEquals(GrainColours.NO_GRAIN, GrainColours.rgb(0));
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int id = 1; id <= 200; id++) seen.add(GrainColours.rgb(id));
        assertTrue(seen.size() >= 198, "ids get different colours: " + seen.size());
    }
}
