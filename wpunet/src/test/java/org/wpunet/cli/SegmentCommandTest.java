package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.Tensor;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.image.LabelImage;
import org.wpunet.io.FloatImage;
import org.wpunet.io.Gray8Image;
import org.wpunet.io.PngIO;
import org.wpunet.io.TiffIO;
import org.wpunet.nn.io.Safetensors;

class SegmentCommandTest {
    @TempDir static Path shared;
    static Path run, h5;

    /** A one-epoch tiny run on a 48x48 stack: a model that exists, not one that segments well. */
    @BeforeAll
    static void trainedRun() throws IOException {
        SerialStack s = StackSynthesizer.run(StackSynthesizer.Config.of(48, 48, 6, 12, 3), null).stack();
        h5 = shared.resolve("stack.h5");
        Hdf5Stack.write(s, h5, false);
        run = shared.resolve("run");
        var r = SynthCommandTest.run(null, "train", "--quiet", "--data", h5.toString(), "--out", run.toString(), "--widths", "4,4,8,8,8",
                "--crop", "32", "--batch", "2", "--epochs", "1", "--device", "cpu", "--train-slices", "1-3", "--val-slices", "4-6");
        assertEquals(0, r.rc(), r.err());
    }

    private static SynthCommandTest.Run segment(String... args) {
        List<String> a = new ArrayList<>(List.of("segment", "--quiet", "--device", "cpu", "--tile", "32", "--margin", "8"));
        a.addAll(List.of(args));
        return SynthCommandTest.run(null, a.toArray(String[]::new));
    }

    @Test
    void writesBoundariesProbabilitiesGrainsAndScores(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("seg");
        var r = segment("--model", run.toString(), "--data", h5.toString(), "--slices", "2-5", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        for (String n : List.of("002", "003", "004", "005")) {
            Gray8Image b = PngIO.readGray8(out.resolve("boundary/" + n + ".png"));
            assertEquals(48, b.width());
            for (byte v : b.pixels()) assertTrue(v == 0 || v == (byte) 255);
            FloatImage p = TiffIO.readFloat(out.resolve("probability/" + n + ".tiff"));
            for (float v : p.values()) assertTrue(v >= 0 && v <= 1, "probability " + v);
            LabelImage g = TiffIO.read(out.resolve("grains/" + n + ".tiff"));
            for (int v : g.labels()) assertTrue(v >= 1, "every pixel has a grain");
        }
        assertFalse(Files.exists(out.resolve("boundary/001.png")), "--slices 2-5 only");
        // the HDF5 copy holds the same as the files, as H x W x N datasets
        try (var f = new io.jhdf.HdfFile(out.resolve("segmentation.h5"))) {
            int[][][] bd = (int[][][]) f.getDatasetByPath("boundary").getData();   // unsigned bytes read widened
            int[][][] gr = (int[][][]) f.getDatasetByPath("grains").getData();
            float[][][] pr = (float[][][]) f.getDatasetByPath("probability").getData();
            assertEquals(48, bd.length);
            assertEquals(4, bd[0][0].length);
            Gray8Image b3 = PngIO.readGray8(out.resolve("boundary/004.png"));
            LabelImage g3 = TiffIO.read(out.resolve("grains/004.tiff"));
            FloatImage p3 = TiffIO.readFloat(out.resolve("probability/004.tiff"));
            for (int y = 0; y < 48; y++)
                for (int x = 0; x < 48; x++) {
                    assertEquals(b3.pixels()[y * 48 + x] & 0xFF, bd[y][x][2]);
                    assertEquals(g3.labels()[y * 48 + x], gr[y][x][2]);
                    assertEquals(p3.values()[y * 48 + x], pr[y][x][2]);
                }
        }
        String json = Files.readString(out.resolve("scores.json"));
        assertTrue(json.contains("\"002.png\"") && json.contains("\"mean\""), json);
        assertTrue(r.out().contains("mean"), r.out());
        // a non-empty output needs --force, which replaces only segment's own outputs
        Files.writeString(out.resolve("notes.txt"), "mine");
        var again = segment("--model", run.toString(), "--data", h5.toString(), "--out", out.toString());
        assertEquals(2, again.rc());
        var forced = segment("--model", run.toString(), "--data", h5.toString(), "--out", out.toString(), "--force", "--propagate", "gt",
                "--stitch", "original");
        assertEquals(0, forced.rc(), forced.err());
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertTrue(Files.exists(out.resolve("boundary/001.png")));
        // eval reads the HDF5 ground truth directly, for a slice range
        var ev = SynthCommandTest.run(null, "eval", "--pred", out.resolve("boundary").toString(), "--gt", h5.toString(), "--slices", "2-3");
        assertEquals(0, ev.rc(), ev.err());
        assertTrue(ev.out().contains("002.png") && ev.out().contains("003.png") && !ev.out().contains("004.png"), ev.out());
    }

    @Test
    void imagesWithoutTruthAndTiffStacks(@TempDir Path tmp) throws IOException {
        SerialStack s = Hdf5Stack.read(h5);
        Path imgs = Files.createDirectories(tmp.resolve("mine/images"));
        List<LabelImage> pages = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            PngIO.writeGray8(imgs.resolve(DirectoryStack.fileName(k, 3)), s.images()[k], 48, 48);
            int[] v = new int[48 * 48];
            for (int i = 0; i < v.length; i++) v[i] = s.images()[k][i] & 0xFF;
            pages.add(new LabelImage(48, 48, v));
        }
        var r = segment("--model", run.toString(), "--data", tmp.resolve("mine").toString(), "--out", tmp.resolve("a").toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(Files.exists(tmp.resolve("a/boundary/003.png")));
        assertFalse(Files.exists(tmp.resolve("a/scores.json")), "no truth, no scores");
        Path tif = tmp.resolve("stack.tif");
        TiffIO.writeStack(tif, pages, TiffIO.Depth.BITS_8);
        var t = segment("--model", run.toString(), "--data", tif.toString(), "--out", tmp.resolve("b").toString());
        assertEquals(0, t.rc(), t.err());
        assertTrue(Files.exists(tmp.resolve("b/grains/003.tiff")));
    }

    @Test
    void reverseAndTwoWayKeepTheSlicesInOrder(@TempDir Path tmp) throws IOException {
        for (String mode : List.of("--reverse", "--two-way")) {
            Path out = tmp.resolve(mode.substring(2));
            var r = segment("--model", run.toString(), "--data", h5.toString(), "--slices", "2-4", "--out", out.toString(), mode);
            assertEquals(0, r.rc(), r.err());
            assertTrue(r.err().contains(mode.equals("--reverse") ? "(reverse)" : "(two-way)"), r.err());
            // the reverse pass delivers slice 4 first: the HDF5 copy and the scores still go by slice number
            try (var f = new io.jhdf.HdfFile(out.resolve("segmentation.h5"))) {
                int[][][] bd = (int[][][]) f.getDatasetByPath("boundary").getData();
                for (int k = 0; k < 3; k++) {
                    Gray8Image b = PngIO.readGray8(out.resolve("boundary/00" + (k + 2) + ".png"));
                    for (int y = 0; y < 48; y++)
                        for (int x = 0; x < 48; x++) assertEquals(b.pixels()[y * 48 + x] & 0xFF, bd[y][x][k], "slice " + (k + 2));
                }
            }
            String json = Files.readString(out.resolve("scores.json"));
            assertTrue(json.indexOf("\"002.png\"") < json.indexOf("\"003.png\"") && json.indexOf("\"003.png\"") < json.indexOf("\"004.png\""), json);
        }
        var both = segment("--model", run.toString(), "--data", h5.toString(), "--out", tmp.resolve("x").toString(), "--reverse", "--two-way");
        assertEquals(2, both.rc());
        assertEquals("error: --reverse and --two-way exclude each other (--two-way runs both directions)", both.err().strip());
    }

    @Test
    void badInputIsOneErrorLine(@TempDir Path tmp) throws IOException {
        SerialStack s = Hdf5Stack.read(h5);
        Path imgs = Files.createDirectories(tmp.resolve("noTruth"));
        PngIO.writeGray8(imgs.resolve("001.png"), s.images()[0], 48, 48);
        List<SynthCommandTest.Run> runs = new ArrayList<>();
        // gt propagation without truth
        runs.add(segment("--model", run.toString(), "--data", imgs.toString(), "--out", tmp.resolve("o1").toString(), "--propagate", "gt"));
        assertTrue(runs.getLast().err().contains("--propagate gt"), runs.getLast().err());
        // 16-bit data
        int[] v = new int[48 * 48];
        java.util.Arrays.fill(v, 1000);
        Path t16 = tmp.resolve("deep.tif");
        TiffIO.writeStack(t16, List.of(new LabelImage(48, 48, v)), TiffIO.Depth.BITS_16);
        runs.add(segment("--model", run.toString(), "--data", t16.toString(), "--out", tmp.resolve("o2").toString()));
        assertTrue(runs.getLast().err().contains("16-bit"), runs.getLast().err());
        // a first mask of the wrong size
        Path mask = tmp.resolve("mask.png");
        PngIO.writeGray8(mask, new byte[16 * 16], 16, 16);
        runs.add(segment("--model", run.toString(), "--data", h5.toString(), "--out", tmp.resolve("o3").toString(), "--first-mask", mask.toString()));
        assertTrue(runs.getLast().err().contains("16x16"), runs.getLast().err());
        // a missing first mask
        runs.add(segment("--model", run.toString(), "--data", h5.toString(), "--out", tmp.resolve("o4").toString(), "--first-mask",
                tmp.resolve("nope.png").toString()));
        assertTrue(runs.getLast().err().contains("nope.png"), runs.getLast().err());
        // a model file of another architecture
        Path other = tmp.resolve("other.safetensors");
        try (Tensor w = Tensor.zeros(3, 3)) {
            Safetensors.write(other, Map.of("encoder.weight", w));
        }
        runs.add(segment("--model", other.toString(), "--data", h5.toString(), "--out", tmp.resolve("o5").toString()));
        // an image smaller than the network can take
        Path tiny = Files.createDirectories(tmp.resolve("tiny"));
        PngIO.writeGray8(tiny.resolve("001.png"), new byte[8 * 8], 8, 8);
        runs.add(segment("--model", run.toString(), "--data", tiny.toString(), "--out", tmp.resolve("o6").toString()));
        for (var r : runs) {
            assertEquals(2, r.rc(), r.err());
            assertTrue(r.err().startsWith("error: "), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }
}
