package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.image.LabelImage;
import org.wpunet.io.FloatImage;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;
import org.wpunet.train.weights.BoundaryWeightMap;

class WeightsCommandTest {
    @TempDir Path tmp;

    static final int W = 37, H = 23;

    /** A boundary image: a cross of 1-pixel lines (4 grains cut by the border) and an isolated 1-pixel grain. */
    static byte[] boundary() {
        byte[] b = new byte[W * H];
        for (int y = 0; y < H; y++) b[15 + W * y] = (byte) 255;
        for (int x = 0; x < W; x++) b[x + W * 9] = (byte) 255;
        for (int y = 2; y <= 4; y++) for (int x = 28; x <= 30; x++) b[x + W * y] = (byte) 255;
        b[29 + W * 3] = 0;
        return b;
    }

    static SynthCommandTest.Run weights(String... args) {
        String[] a = new String[args.length + 1];
        a[0] = "weights";
        System.arraycopy(args, 0, a, 1, args.length);
        return SynthCommandTest.run(null, a);
    }

    static void assertError(SynthCommandTest.Run r, String... parts) {
        assertEquals(2, r.rc(), r.err());
        String e = r.err().strip();
        assertEquals(1, e.lines().count(), "one line: " + e);
        assertTrue(e.startsWith("error: "), e);
        for (String p : parts) assertTrue(e.contains(p), "'" + p + "' in " + e);
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++)
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), what + " value " + i);
    }

    @Test
    void writesBothChannelsAndAPreview() throws IOException {
        Path png = tmp.resolve("b.png"), out = tmp.resolve("out/w");
        PngIO.writeGray8(png, boundary(), W, H);
        var r = weights("--boundary", png.toString(), "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        assertTrue(r.out().startsWith("weights: 37x23, 5 grains, background 1.0000..11.0000, boundary "), r.out());
        assertTrue(r.out().contains("..30.0000 -> " + out), r.out());
        assertEquals(List.of(OutputPolicy.MARKER, "weight_background.tiff", "weight_boundary.tiff", "weights.png"), SynthCommandTest.tree(out));

        float[] map = BoundaryWeightMap.compute(boundary(), W, H);
        int n = W * H;
        FloatImage bck = TiffIO.readFloat(out.resolve("weight_background.tiff"));
        FloatImage obj = TiffIO.readFloat(out.resolve("weight_boundary.tiff"));
        assertEquals(W, bck.width());
        assertEquals(H, obj.height());
        assertEquals(1, TiffIO.readFloatStack(out.resolve("weight_boundary.tiff")).size(), "one page");
        assertBitsEqual(java.util.Arrays.copyOfRange(map, 0, n), bck.values(), "background channel");
        assertBitsEqual(java.util.Arrays.copyOfRange(map, n, 2 * n), obj.values(), "boundary channel");
        assertEquals(30f, obj.get(15, 0));
        assertEquals(11f, bck.get(29, 3), "the 1-pixel grain's only pixel is its farthest");

        BufferedImage preview = ImageIO.read(out.resolve("weights.png").toFile());
        int scale = 256 / W; // small images are enlarged by an integer factor
        assertTrue(preview.getWidth() >= 2 * W * scale && preview.getHeight() > H * scale, preview.getWidth() + "x" + preview.getHeight());
        int boundaryPixels = 0;
        for (byte x : boundary()) if (x != 0) boundaryPixels++;
        assertTrue(whitePixels(preview) >= boundaryPixels * scale * scale, "boundary pixels of the boundary channel are white");

        // a TIFF boundary image gives the same map
        Path tif = tmp.resolve("b.tif"), out2 = tmp.resolve("w2");
        int[] v = new int[n];
        for (int i = 0; i < n; i++) v[i] = boundary()[i] & 0xFF;
        TiffIO.write(tif, new LabelImage(W, H, v), TiffIO.Depth.BITS_8);
        assertEquals(0, weights("--boundary", tif.toString(), "--out", out2.toString()).rc());
        assertBitsEqual(obj.values(), TiffIO.readFloat(out2.resolve("weight_boundary.tiff")).values(), "from TIFF");
    }

    private static int whitePixels(BufferedImage img) {
        int count = 0;
        for (int y = 0; y < img.getHeight(); y++)
            for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF) count++;
        return count;
    }

    @Test
    void forceReplacesOnlyItsOwnFiles() throws IOException {
        Path png = tmp.resolve("b.png"), out = tmp.resolve("w");
        PngIO.writeGray8(png, boundary(), W, H);
        Files.createDirectories(out);
        Files.writeString(out.resolve("notes.txt"), "mine");
        Files.writeString(out.resolve("weights.png"), "old");
        assertError(weights("--boundary", png.toString(), "--out", out.toString()), out.toString(), "not empty", "--force");
        assertEquals("old", Files.readString(out.resolve("weights.png")), "nothing written without --force");
        assertEquals(List.of("notes.txt", "weights.png"), SynthCommandTest.tree(out));

        // --force replaces only files wpunet wrote: not the user's weights.png
        assertError(weights("--boundary", png.toString(), "--out", out.toString(), "--force"), "weights.png", "would be lost");
        assertEquals("old", Files.readString(out.resolve("weights.png")));
        Files.delete(out.resolve("weights.png"));
        for (int run = 0; run < 2; run++) {   // the second run replaces the first one's files
            var r = weights("--boundary", png.toString(), "--out", out.toString(), "--force");
            assertEquals(0, r.rc(), r.err());
            assertEquals(List.of(OutputPolicy.MARKER, "notes.txt", "weight_background.tiff", "weight_boundary.tiff", "weights.png"),
                    SynthCommandTest.tree(out), "no staging or backup file left");
        }
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertNotNull(ImageIO.read(out.resolve("weights.png").toFile()), "weights.png replaced by the preview");

        Files.delete(out.resolve("weights.png"));
        Files.createDirectory(out.resolve("weights.png"));
        assertError(weights("--boundary", png.toString(), "--out", out.toString(), "--force"), "weights.png/", "would be lost");
    }

    @Test
    void badInputsAreOneLineErrors() throws IOException {
        Path out = tmp.resolve("w");
        assertError(weights("--boundary", tmp.resolve("none.png").toString(), "--out", out.toString()), "none.png", "no such file");
        Path junk = tmp.resolve("junk.png");
        Files.writeString(junk, "not an image");
        assertError(weights("--boundary", junk.toString(), "--out", out.toString()), "junk.png");

        byte[] grey = boundary();
        grey[3 + W * 2] = (byte) 128;
        grey[4 + W * 2] = (byte) 1;
        Path g = tmp.resolve("grey.png");
        PngIO.writeGray8(g, grey, W, H);
        assertError(weights("--boundary", g.toString(), "--out", out.toString()),
                "grey.png", "not a 0/255 boundary image", "2 pixels have other values", "e.g. 128 at x 3, y 2");

        Path two = tmp.resolve("two.tif");
        var page = new LabelImage(2, 2, new int[]{0, 255, 0, 0});
        TiffIO.writeStack(two, List.of(page, page), TiffIO.Depth.BITS_8);
        assertError(weights("--boundary", two.toString(), "--out", out.toString()), "two.tif", "2 pages");

        Path file = tmp.resolve("afile");
        Files.writeString(file, "x");
        PngIO.writeGray8(tmp.resolve("ok.png"), boundary(), W, H);
        assertError(weights("--boundary", tmp.resolve("ok.png").toString(), "--out", file.toString()), "afile", "not a directory");
        assertFalse(Files.exists(out), "no output directory left behind by failed runs");

        var missing = weights("--out", out.toString());
        assertEquals(2, missing.rc());
        assertTrue(missing.err().contains("--boundary"), missing.err());
    }
}
