package org.wpunet.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.image.LabelImage;
import org.wpunet.io.TiffIO;

/** Issue 16, item 4: 16-bit micrographs given to segment/train are refused naming the depth, never read modulo 256. */
class SixteenBitInputTest {
    @TempDir Path tmp;

    @Test
    void sixteenBitPngAndTiffStacksAreRefusedNamingTheDepth() throws Exception {
        var img = new BufferedImage(20, 20, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(3, 4, 0, 300);
        Path dir = Files.createDirectories(tmp.resolve("pngs"));
        ImageIO.write(img, "png", dir.resolve("001.png").toFile());
        var e = assertThrows(IllegalArgumentException.class, () -> StackInput.read(dir));
        assertTrue(e.getMessage().contains("16-bit") && e.getMessage().contains("001.png"), e.getMessage());

        int[] v = new int[20 * 20];
        v[4 * 20 + 3] = 300;
        Path tif = tmp.resolve("s.tif");
        TiffIO.writeStack(tif, List.of(new LabelImage(20, 20, v)), TiffIO.Depth.BITS_16);
        e = assertThrows(IllegalArgumentException.class, () -> StackInput.read(tif));
        assertTrue(e.getMessage().contains("16-bit") && e.getMessage().contains("300"), e.getMessage());

        // and through the CLI: one error line, exit 2
        var r = SynthCommandTest.run(null, "segment", "--data", tif.toString(), "--out", tmp.resolve("seg").toString());
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("16-bit"), r.err());
    }
}
