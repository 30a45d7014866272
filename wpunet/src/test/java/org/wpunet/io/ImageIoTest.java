package org.wpunet.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.image.LabelImage;

class ImageIoTest {
    @TempDir
    Path dir;

    @Test
    void png8RoundTrip() throws IOException {
        byte[] px = new byte[7 * 5];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7);
        Path f = dir.resolve("sub/a.png");
        PngIO.writeGray8(f, px, 7, 5);
        Gray8Image g = PngIO.readGray8(f);
        assertEquals(7, g.width());
        assertEquals(5, g.height());
        assertArrayEquals(px, g.pixels());
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    @Test
    void png16Labels() throws IOException {
        int[] v = {0, 1, 300, 65535, 40000, 2};
        Path f = dir.resolve("l.png");
        PngIO.writeGray16(f, v, 3, 2);
        LabelImage l = PngIO.readLabels(f);
        assertArrayEquals(v, l.labels());
        assertThrows(IllegalArgumentException.class, () -> PngIO.readGray8(f), "16-bit is not 8-bit");
        assertThrows(IllegalArgumentException.class, () -> PngIO.writeGray16(dir.resolve("x.png"), new int[]{70000}, 1, 1));
    }

    @Test
    void tiffStacks8_16_32() throws IOException {
        for (TiffIO.Depth d : TiffIO.Depth.values()) {
            int max = switch (d) { case BITS_8 -> 255; case BITS_16 -> 65535; case BITS_32 -> 2_000_000_000; };
            var p0 = new LabelImage(4, 3, new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, max});
            var p1 = new LabelImage(4, 3, new int[]{max, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
            Path f = dir.resolve("s" + d + ".tif");
            TiffIO.writeStack(f, List.of(p0, p1), d);
            List<LabelImage> back = TiffIO.readStack(f);
            assertEquals(2, back.size(), d.toString());
            assertArrayEquals(p0.labels(), back.get(0).labels(), d.toString());
            assertArrayEquals(p1.labels(), back.get(1).labels(), d.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> TiffIO.write(dir.resolve("bad.tif"),
                new LabelImage(1, 1, new int[]{256}), TiffIO.Depth.BITS_8));
    }

    @Test
    void floatTiffRoundTripsEveryBitPattern() throws IOException {
        float[] a = {0f, -0f, 1f, 30f, 0.35862368f, Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                -1.5e-7f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        float[] b = new float[a.length];
        for (int i = 0; i < b.length; i++) b[i] = (float) Math.exp(-i * 0.37) * 11;
        Path f = dir.resolve("w/f.tiff");
        TiffIO.writeFloatStack(f, List.of(new FloatImage(4, 3, a), new FloatImage(4, 3, b)));
        List<FloatImage> back = TiffIO.readFloatStack(f);
        assertEquals(2, back.size());
        assertEquals(4, back.get(0).width());
        assertEquals(3, back.get(0).height());
        for (int i = 0; i < a.length; i++) {
            assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(back.get(0).values()[i]), "page 0 value " + i);
            assertEquals(Float.floatToRawIntBits(b[i]), Float.floatToRawIntBits(back.get(1).values()[i]), "page 1 value " + i);
        }
        assertEquals(a[5], TiffIO.readFloat(f).get(1, 1), "readFloat reads page 0");
        // the integer reader refuses float samples instead of truncating them
        var e = assertThrows(IllegalArgumentException.class, () -> TiffIO.readStack(f));
        assertTrue(e.getMessage().contains("f.tiff") && e.getMessage().contains("floating-point"), e.getMessage());
        // integer pages read as floats are converted exactly
        Path g = dir.resolve("g.tif");
        TiffIO.write(g, new LabelImage(2, 1, new int[]{255, 7}), TiffIO.Depth.BITS_8);
        assertArrayEquals(new float[]{255f, 7f}, TiffIO.readFloat(g).values());
        assertThrows(IllegalArgumentException.class, () -> TiffIO.writeFloatStack(dir.resolve("x.tif"),
                List.of(new FloatImage(1, 1, new float[1]), new FloatImage(2, 1, new float[2]))));
        assertThrows(IllegalArgumentException.class, () -> new FloatImage(2, 2, new float[3]));
    }

    @Test
    void errorsNameTheFile() throws IOException {
        Path junk = dir.resolve("junk.png");
        Files.writeString(junk, "not an image");
        var e = assertThrows(IOException.class, () -> PngIO.readGray8(junk));
        assertTrue(e.getMessage().contains("junk.png"), e.getMessage());
        var m = assertThrows(IOException.class, () -> PngIO.readGray8(dir.resolve("missing.png")));
        assertTrue(m.getMessage().contains("missing.png"), m.getMessage());
        var t = assertThrows(IOException.class, () -> TiffIO.readStack(junk));
        assertTrue(t.getMessage().contains("junk.png"), t.getMessage());
    }
}
