package org.wpunet.io;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Shared helpers: raster to arrays, arrays to rasters, atomic file writes. Package-private. */
final class Rasters {
    private Rasters() {}

    /** A writer that fills a temporary file. */
    interface FileWriter { void write(Path tmp) throws IOException; }

    /** Writes through a temporary file in the same directory, then renames it over {@code target}. */
    static void writeAtomic(Path target, FileWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp");
        try {
            writer.write(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
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
