package org.wpunet.data.synth;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.wpunet.data.SerialStack;
import org.wpunet.image.ConnectedComponents;

class SynthesisTest {
    private static SerialStack small(long seed, StackSynthesizer.Method m, Flaws f) {
        var c = StackSynthesizer.Config.of(96, 80, 6, 16, seed).withMethod(m).withFlaws(f)
                .withPotts(new PottsMicrostructure.Options(0.7, 0, 200, PottsMicrostructure.Start.VORONOI, 0.5));
        return StackSynthesizer.generate(c);
    }

    @Test
    void boundariesAreOnePixelRuleAndClosed() {
        for (var m : StackSynthesizer.Method.values()) {
            SerialStack s = small(3, m, Flaws.MEDIUM);
            int w = s.width(), h = s.height();
            for (int k = 0; k < s.slices(); k++) {
                int[] lab = s.labels()[k];
                byte[] b = s.boundaries()[k];
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int i = y * w + x;
                        boolean expect = (x + 1 < w && lab[i + 1] != lab[i]) || (y + 1 < h && lab[i + w] != lab[i]);
                        assertEquals(expect ? (byte) 255 : 0, b[i], m + " slice " + k + " pixel " + x + "," + y);
                    }
                // closed: 4-connected regions of non-boundary pixels never span two grains
                int[] regions = ConnectedComponents.labelMask(invert(b), w, h, 4).labels();
                Map<Integer, Integer> grainOf = new HashMap<>();
                for (int i = 0; i < regions.length; i++) {
                    if (regions[i] == 0) continue;
                    Integer g = grainOf.putIfAbsent(regions[i], lab[i]);
                    assertTrue(g == null || g == lab[i], m + ": a region crosses a boundary in slice " + k);
                }
                assertTrue(grainOf.size() > 5, "several grains per slice");
            }
        }
    }

    private static byte[] invert(byte[] b) {
        byte[] o = new byte[b.length];
        for (int i = 0; i < b.length; i++) o[i] = b[i] == 0 ? (byte) 1 : 0;
        return o;
    }

    @Test
    void grainIdsFollowGrainsFromSliceToSlice() {
        for (var m : StackSynthesizer.Method.values()) {
            SerialStack s = small(5, m, Flaws.LIGHT);
            double sumIoU = 0;
            int pairs = 0;
            for (int k = 0; k + 1 < s.slices(); k++) {
                Map<Integer, int[]> counts = new HashMap<>(); // id -> {in k, in k+1, in both}
                int[] a = s.labels()[k], b = s.labels()[k + 1];
                for (int i = 0; i < a.length; i++) {
                    counts.computeIfAbsent(a[i], x -> new int[3])[0]++;
                    counts.computeIfAbsent(b[i], x -> new int[3])[1]++;
                    if (a[i] == b[i]) counts.get(a[i])[2]++;
                }
                for (int[] c : counts.values())
                    if (c[0] > 50 && c[1] > 50) { sumIoU += (double) c[2] / (c[0] + c[1] - c[2]); pairs++; }
            }
            // spacing is 2 px for 16 px grains: a grain's sections in adjacent slices overlap strongly
            assertTrue(sumIoU / pairs > 0.7, m + ": mean IoU of a grain in adjacent slices " + sumIoU / pairs);
        }
    }

    @Test
    void tiledLaguerreSearchEqualsBruteForce() {
        var v = new VoronoiMicrostructure(70, 50, 4, 3.5, 12, 0.6, 11);
        var rnd = new SplittableRandom(1);
        for (int k = 0; k < 4; k++) {
            int[] sec = v.section(k);
            for (int t = 0; t < 800; t++) {
                int x = rnd.nextInt(70), y = rnd.nextInt(50);
                assertEquals(v.bruteForce(x, y, k), sec[y * 70 + x], "pixel " + x + "," + y + " of section " + k);
            }
        }
    }

    @Test
    void voronoiSectionsHaveTheRequestedGrainSize() {
        for (double d : new double[] {12, 24}) {
            var v = new VoronoiMicrostructure(240, 240, 3, 30, d, 0.35, 7);
            long regions = 0;
            for (int k = 0; k < 3; k++) regions += ConnectedComponents.count(ConnectedComponents.label(v.section(k), 240, 240, 4, 0).labels());
            double measured = Math.sqrt(4 * (3.0 * 240 * 240 / regions) / Math.PI);
            assertEquals(d, measured, 0.15 * d, "mean section diameter for requested " + d);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() {
        for (var m : StackSynthesizer.Method.values()) {
            SerialStack a = small(9, m, Flaws.HEAVY), b = small(9, m, Flaws.HEAVY), c = small(10, m, Flaws.HEAVY);
            for (int k = 0; k < a.slices(); k++) {
                assertArrayEquals(a.images()[k], b.images()[k]);
                assertArrayEquals(a.labels()[k], b.labels()[k]);
                assertArrayEquals(a.boundaries()[k], b.boundaries()[k]);
            }
            assertFalse(java.util.Arrays.equals(a.images()[0], c.images()[0]), m + ": another seed, another stack");
        }
    }

    @Test
    void pottsGrowsGrainsAndNumbersThemUniquely() {
        var p = new PottsMicrostructure(40, 40, 3, 3, 10, 4,
                new PottsMicrostructure.Options(0.7, 8, 300, PottsMicrostructure.Start.VORONOI, 0.4), null);
        assertTrue(p.sweeps() > 0, "growth needed sweeps");
        assertTrue(p.grainSizeReached() >= 10, "reached " + p.grainSizeReached());
        assertEquals(ConnectedComponents.count(p.lattice()), p.grains());
        // with only 8 spin values, grains are still told apart: every id is one 6-connected region
        int[] relabelled = ConnectedComponents.label3D(p.lattice(), 40, 40, p.depth(), 6, 0);
        assertEquals(p.grains(), ConnectedComponents.count(relabelled));
        assertEquals(p.trials(), (long) p.sweeps() * 40 * 40 * p.depth());
    }

    @Test
    void flawStatisticsAsConfigured() {
        for (Flaws f : new Flaws[] {Flaws.NONE, Flaws.LIGHT, Flaws.HEAVY}) {
            var c = StackSynthesizer.Config.of(256, 256, 40, 24, 2).withFlaws(f);
            var r = StackSynthesizer.run(c, null);
            long missing = 0, faint = 0, boundary = 0, scratches = 0, pits = 0;
            double sum = 0, sq = 0, normalB = 0, missingB = 0;
            long nNormal = 0, nMissing = 0, n = 0;
            for (int k = 0; k < 40; k++) {
                var rd = r.renders()[k];
                missing += rd.missingPixels(); faint += rd.faintPixels(); boundary += rd.boundaryPixels();
                scratches += rd.scratches(); pits += rd.pits();
                byte[] img = rd.image(), st = rd.boundaryState(), b = r.stack().boundaries()[k];
                for (int i = 0; i < img.length; i++) {
                    double v = (img[i] & 255) / 255.0;
                    sum += v; sq += v * v; n++;
                    if (b[i] == 0) continue;
                    if (st[i] == MicrographRenderer.MISSING) { missingB += v; nMissing++; }
                    else if (st[i] == MicrographRenderer.NORMAL) { normalB += v; nNormal++; }
                }
            }
            assertEquals(f.missingFraction(), (double) missing / boundary, 0.01, f.name() + " missing fraction");
            assertEquals(f.faintFraction(), (double) faint / boundary, 0.01, f.name() + " faint fraction");
            double megapixels = 40 * 256 * 256 / 1e6;
            // Poisson counts: within 4 standard deviations of the configured mean
            double es = f.scratchesPerMegapixel() * megapixels, ep = f.pitsPerMegapixel() * megapixels;
            assertEquals(es, scratches, 4 * Math.sqrt(es) + 1e-9, f.name() + " scratches");
            assertEquals(ep, pits, 4 * Math.sqrt(ep) + 1e-9, f.name() + " pits");
            double mean = sum / n, std = Math.sqrt(sq / n - mean * mean);
            assertEquals(MicrographRenderer.TARGET_MEAN, mean, 0.02, f.name() + " mean");
            assertEquals(MicrographRenderer.TARGET_STD, std, 0.03, f.name() + " std");
            // grooves are dark where etched, near the grain brightness where missing
            assertTrue(normalB / nNormal < mean - 0.2, f.name() + " etched boundaries are dark: " + normalB / nNormal);
            if (nMissing > 0) assertTrue(missingB / nMissing > normalB / nNormal + 0.2, f.name() + " missing stretches are pale");
        }
    }
}
