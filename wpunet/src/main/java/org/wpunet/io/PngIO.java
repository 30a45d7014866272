package org.wpunet.io;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.wpunet.image.LabelImage;

/**
 * PNG (and any format javax.imageio reads) for grey images: 8-bit grey images as {@link Gray8Image},
 * 16-bit grey label images as {@link LabelImage} (values 0..65535). Writes are atomic: a temporary
 * file in the target directory renamed over the target. Errors name the file.
 */
public final class PngIO {
    private PngIO() {}

    /**
     * Reads an 8-bit grey image. Grey palette images and RGB images whose three channels are equal
     * are accepted; 16-bit or colour images are an error.
     */
    public static Gray8Image readGray8(Path file) throws IOException {
        BufferedImage img = read(file);
        if (Rasters.bits(img) > 8)
            throw new IllegalArgumentException(file + ": " + Rasters.bits(img) + "-bit image, expected 8-bit grey");
        int[] v = Rasters.grayValues(img, file);
        byte[] px = new byte[v.length];
        for (int i = 0; i < v.length; i++) px[i] = (byte) v[i];
        return new Gray8Image(img.getWidth(), img.getHeight(), px);
    }

    /** Reads an 8- or 16-bit grey image as integer values (a label image stored as PNG). */
    public static LabelImage readLabels(Path file) throws IOException {
        BufferedImage img = read(file);
        return new LabelImage(img.getWidth(), img.getHeight(), Rasters.grayValues(img, file));
    }

    /** Writes an 8-bit grey PNG. */
    public static void writeGray8(Path file, byte[] pixels, int width, int height) throws IOException {
        new Gray8Image(width, height, pixels); // validates the size
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        byte[] dst = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int stride = img.getRaster().getSampleModel() instanceof java.awt.image.ComponentSampleModel c ? c.getScanlineStride() : width;
        for (int y = 0; y < height; y++) System.arraycopy(pixels, y * width, dst, y * stride, width);
        write(file, img);
    }

    /** Writes an 8-bit grey PNG. */
    public static void writeGray8(Path file, Gray8Image image) throws IOException {
        writeGray8(file, image.pixels(), image.width(), image.height());
    }

    /** Writes a 16-bit grey PNG; every value must lie in 0..65535. */
    public static void writeGray16(Path file, int[] values, int width, int height) throws IOException {
        new LabelImage(width, height, values);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_USHORT_GRAY);
        short[] dst = ((DataBufferUShort) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v < 0 || v > 0xFFFF)
                throw new IllegalArgumentException(file + ": value " + v + " does not fit a 16-bit PNG (use TIFF for 32-bit labels)");
            dst[i] = (short) v;
        }
        write(file, img);
    }

    static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read image: " + e.getMessage(), e);
        }
        if (img == null) throw new IOException(file + ": not a readable image (unknown or corrupt format)");
        return img;
    }

    private static void write(Path file, BufferedImage img) throws IOException {
        Rasters.writeAtomic(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException(file + ": no PNG writer");
        });
    }
}
