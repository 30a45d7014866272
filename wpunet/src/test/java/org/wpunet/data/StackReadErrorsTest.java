package org.wpunet.data;

import static org.junit.jupiter.api.Assertions.*;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.data.synth.StackSynthesizer;
import org.wpunet.io.PngIO;

/** Reading stacks whose parts are missing or of different sizes names the part and both sizes. */
class StackReadErrorsTest {
    @TempDir Path tmp;

    private static byte[][][] u8(int h, int w, int n) { return new byte[h][w][n]; }

    @Test
    void hdf5NamesAMissingDataset() throws IOException {
        Path f = tmp.resolve("image-only.h5");
        try (var out = HdfFile.write(f)) {
            out.putDataset(Hdf5Stack.IMAGE, u8(4, 5, 2));
        }
        var e = assertThrows(IOException.class, () -> Hdf5Stack.read(f));
        assertTrue(e.getMessage().contains("no dataset 'label'") && e.getMessage().contains("image-only.h5"), e.getMessage());
    }

    @Test
    void hdf5SixteenBitImagesAreRefusedNamingTheTypeNeverReadModulo256() throws IOException {
        Path f = tmp.resolve("wide.h5");
        short[][][] image = new short[4][5][2];
        image[1][2][1] = 300;   // modulo 256 this was 44
        try (var out = HdfFile.write(f)) {
            out.putDataset(Hdf5Stack.IMAGE, image);
            out.putDataset(Hdf5Stack.LABEL, new int[4][5][2]);
        }
        var e = assertThrows(IOException.class, () -> Hdf5Stack.read(f));
        assertTrue(e.getMessage().contains("int16") && e.getMessage().contains("300") && e.getMessage().contains("8-bit")
                && e.getMessage().contains("wide.h5"), e.getMessage());
        // a wider type whose values are all 8-bit is read as it is
        image[1][2][1] = 255;
        Path g = tmp.resolve("fits.h5");
        try (var out = HdfFile.write(g)) {
            out.putDataset(Hdf5Stack.IMAGE, image);
            out.putDataset(Hdf5Stack.LABEL, new int[4][5][2]);
        }
        assertEquals(255, Hdf5Stack.read(g).images()[1][1 * 5 + 2] & 0xFF);
    }

    @Test
    void hdf5NamesBothShapesWhenLabelAndImageSizesDiffer() throws IOException {
        Path f = tmp.resolve("sizes.h5");
        try (var out = HdfFile.write(f)) {
            out.putDataset(Hdf5Stack.IMAGE, u8(4, 5, 2));
            out.putDataset(Hdf5Stack.LABEL, new int[4][6][2]);
        }
        var e = assertThrows(IOException.class, () -> Hdf5Stack.read(f));
        assertTrue(e.getMessage().contains("'label'") && e.getMessage().contains("[4, 6, 2]") && e.getMessage().contains("[4, 5, 2]"),
                e.getMessage());
    }

    @Test
    void directoryNamesTheFileWhoseSizeDiffers() throws IOException {
        SerialStack s = StackSynthesizer.generate(StackSynthesizer.Config.of(40, 32, 3, 10, 1));
        Path dir = tmp.resolve("stack");
        DirectoryStack.write(s, dir, false);
        Path label = dir.resolve(DirectoryStack.LABELS).resolve(DirectoryStack.fileName(2, 3));
        PngIO.writeGray8(label, new byte[24 * 32], 24, 32);
        var e = assertThrows(IOException.class, () -> DirectoryStack.read(dir));
        assertTrue(e.getMessage().contains(label.getFileName().toString()) && e.getMessage().contains("24x32")
                && e.getMessage().contains("40x32"), e.getMessage());
    }
}
