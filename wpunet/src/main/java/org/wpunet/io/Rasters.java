package org.wpunet.io;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import org.wpunet.core.io.AtomicFiles;

/** Shared helpers: raster to arrays, arrays to rasters, atomic file writes (through {@link AtomicFiles}). Package-private. */
final class Rasters {
    private Rasters() {}

    /**
     * Writes through a temporary sibling renamed over {@code target} ({@link AtomicFiles}); missing
     * parent directories are created. Errors name {@code target} and the reason.
     */
    static void writeAtomic(Path target, AtomicFiles.IoConsumer<Path> writer) throws IOException {
        AtomicFiles.createParentDirectories(target);
        AtomicFiles.writeFile(target, true, writer);
    }

    /**
     * Grey values of an image as ints: single-band rasters (8, 16 or 32 bit) directly; a palette
     * image through its palette (must be grey); a multi-band image only when its colour bands are
     * equal (alpha ignored). Anything else is an error naming {@code file}.
     */
    static int[] grayValues(BufferedImage img, Path file) {
        Raster r = img.getRaster();
        int w = img.getWidth(), h = img.getHeight(), bands = r.getNumBands();
        int[] out = new int[w * h];
        if (img.getColorModel() instanceof IndexColorModel icm) {
            int[] idx = r.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < out.length; i++) {
                int p = idx[i], red = icm.getRed(p);
                if (red != icm.getGreen(p) || red != icm.getBlue(p))
                    throw new IllegalArgumentException(file + ": palette image is not grey");
                out[i] = red;
            }
            return out;
        }
        int colourBands = img.getColorModel().hasAlpha() ? bands - 1 : bands;
        if (colourBands == 1) {
            r.getSamples(0, 0, w, h, 0, out);
            if (r.getDataBuffer().getDataType() == DataBuffer.TYPE_SHORT) // signed storage of 16-bit
                for (int i = 0; i < out.length; i++) out[i] &= 0xFFFF;
            return out;
        }
        if (colourBands != 3) throw new IllegalArgumentException(file + ": unsupported image with " + bands + " bands");
        int[] g = new int[out.length], b = new int[out.length];
        r.getSamples(0, 0, w, h, 0, out);
        r.getSamples(0, 0, w, h, 1, g);
        r.getSamples(0, 0, w, h, 2, b);
        for (int i = 0; i < out.length; i++)
            if (out[i] != g[i] || out[i] != b[i])
                throw new IllegalArgumentException(file + ": colour image, expected a grey image");
        return out;
    }

    /** Bits per sample of the first band. */
    static int bits(BufferedImage img) { return img.getColorModel().getComponentSize(0); }

}
