package org.wpunet.io;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import org.wpunet.image.LabelImage;

/**
 * TIFF through javax.imageio's TIFF plugin: single- and multi-page grey images of 8, 16 or 32 bits
 * per sample (label images as 16- or 32-bit), and 32-bit IEEE float images (SampleFormat = 3, e.g.
 * weight maps; {@link #writeFloatStack}, {@link #readFloatStack}). Pages of a stack must all have
 * the same size. Writes are atomic (temporary file, then rename). Errors name the file (and page).
 */
public final class TiffIO {
    private TiffIO() {}

    /** Bits per sample for writing. */
    public enum Depth { BITS_8, BITS_16, BITS_32 }

    /** Reads every page of a (multi-page) grey TIFF as integer values (unsigned for 8/16 bit). */
    public static List<LabelImage> readStack(Path file) throws IOException {
        List<LabelImage> pages = new ArrayList<>();
        forEachPage(file, (img, p) -> {
            if (isFloat(img))
                throw new IllegalArgumentException(file + ": page " + p + " holds floating-point samples, expected integer values");
            checkSameSize(file, p, img, pages.isEmpty() ? null : new int[]{pages.get(0).width(), pages.get(0).height()});
            pages.add(new LabelImage(img.getWidth(), img.getHeight(), Rasters.grayValues(img, file)));
        });
        return pages;
    }

    /**
     * Reads every page of a grey TIFF as float values: 32-bit float pages exactly, integer pages
     * converted (unsigned for 8/16 bit).
     */
    public static List<FloatImage> readFloatStack(Path file) throws IOException {
        List<FloatImage> pages = new ArrayList<>();
        forEachPage(file, (img, p) -> {
            checkSameSize(file, p, img, pages.isEmpty() ? null : new int[]{pages.get(0).width(), pages.get(0).height()});
            int w = img.getWidth(), h = img.getHeight();
            float[] v = new float[w * h];
            if (isFloat(img)) {
                if (img.getRaster().getNumBands() != 1)
                    throw new IllegalArgumentException(file + ": page " + p + " has " + img.getRaster().getNumBands() + " float bands, expected 1");
                img.getRaster().getSamples(0, 0, w, h, 0, v);
            } else {
                int[] iv = Rasters.grayValues(img, file);
                for (int i = 0; i < v.length; i++) v[i] = iv[i];
            }
            pages.add(new FloatImage(w, h, v));
        });
        return pages;
    }

    /** Reads the first page as float values. */
    public static FloatImage readFloat(Path file) throws IOException {
        return readFloatStack(file).get(0);
    }

    private interface PageConsumer { void accept(BufferedImage img, int page) throws IOException; }

    private static boolean isFloat(BufferedImage img) {
        int t = img.getRaster().getDataBuffer().getDataType();
        return t == DataBuffer.TYPE_FLOAT || t == DataBuffer.TYPE_DOUBLE;
    }

    private static void checkSameSize(Path file, int p, BufferedImage img, int[] first) {
        if (first != null && (img.getWidth() != first[0] || img.getHeight() != first[1]))
            throw new IllegalArgumentException(file + ": page " + p + " is " + img.getWidth() + "x" + img.getHeight()
                    + ", page 0 is " + first[0] + "x" + first[1]);
    }

    /** Decodes each page in order; errors name the file (and page). */
    private static void forEachPage(Path file, PageConsumer body) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        int count = 0;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IOException(file + ": cannot open");
            var readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) throw new IOException(file + ": not a readable image (unknown or corrupt format)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, false, true);
                int n = reader.getNumImages(true);
                for (int p = 0; p < n; p++) {
                    BufferedImage img;
                    try {
                        img = reader.read(p);
                    } catch (IOException | RuntimeException e) {
                        throw new IOException(file + ": cannot read page " + p + ": " + e.getMessage(), e);
                    }
                    body.accept(img, p);
                    count++;
                }
            } finally {
                reader.dispose();
            }
        } catch (IOException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IOException(file + ": cannot read TIFF: " + e.getMessage(), e);
        }
        if (count == 0) throw new IOException(file + ": no image in file");
    }

    /** Reads the first page. */
    public static LabelImage read(Path file) throws IOException {
        return readStack(file).get(0);
    }

    /** Writes one page. */
    public static void write(Path file, LabelImage image, Depth depth) throws IOException {
        writeStack(file, List.of(image), depth);
    }

    /**
     * Writes a multi-page TIFF, one page per image (all the same size). Values must fit the depth:
     * 0..255, 0..65535, or any int for 32 bits (stored as 32-bit signed integer samples).
     */
    public static void writeStack(Path file, List<LabelImage> pages, Depth depth) throws IOException {
        if (pages.isEmpty()) throw new IllegalArgumentException(file + ": no pages to write");
        List<BufferedImage> imgs = new ArrayList<>();
        for (int p = 0; p < pages.size(); p++) {
            LabelImage li = pages.get(p);
            if (li.width() != pages.get(0).width() || li.height() != pages.get(0).height())
                throw new IllegalArgumentException(file + ": page " + p + " differs in size from page 0");
            imgs.add(toImage(li, depth, file));
        }
        writeImages(file, imgs);
    }

    private static void writeImages(Path file, List<BufferedImage> imgs) throws IOException {
        Rasters.writeAtomic(file, tmp -> {
            var writers = ImageIO.getImageWritersByFormatName("tiff");
            if (!writers.hasNext()) throw new IOException(file + ": no TIFF writer available");
            ImageWriter w = writers.next();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(tmp.toFile())) {
                w.setOutput(out);
                var param = w.getDefaultWriteParam();
                param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType("Deflate");
                w.prepareWriteSequence(littleEndian(w, param));
                for (BufferedImage img : imgs) w.writeToSequence(new IIOImage(img, null, null), param);
                w.endWriteSequence();
            } finally {
                w.dispose();
            }
        });
    }

    /**
     * Stream metadata asking for a little-endian ("II") file, as numpy/tifffile write on x86: the
     * plugin's default is big-endian, whose float pages Pillow 9 decodes as garbage.
     */
    private static IIOMetadata littleEndian(ImageWriter w, javax.imageio.ImageWriteParam param) throws IOException {
        IIOMetadata meta = w.getDefaultStreamMetadata(param);
        String format = meta.getNativeMetadataFormatName();
        var root = new IIOMetadataNode(format);
        var order = new IIOMetadataNode("ByteOrder");
        order.setAttribute("value", "LITTLE_ENDIAN");
        root.appendChild(order);
        meta.mergeTree(format, root);
        return meta;
    }

    /** Writes one 32-bit float page. */
    public static void writeFloat(Path file, FloatImage image) throws IOException {
        writeFloatStack(file, List.of(image));
    }

    /**
     * Writes a multi-page TIFF of 32-bit IEEE float samples (BitsPerSample 32, SampleFormat 3, as
     * numpy/tifffile write float32), one page per image, all the same size; values are stored
     * exactly (Deflate compression is lossless).
     */
    public static void writeFloatStack(Path file, List<FloatImage> pages) throws IOException {
        if (pages.isEmpty()) throw new IllegalArgumentException(file + ": no pages to write");
        List<BufferedImage> imgs = new ArrayList<>();
        var cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), new int[]{32}, false, false,
                Transparency.OPAQUE, DataBuffer.TYPE_FLOAT);
        for (int p = 0; p < pages.size(); p++) {
            FloatImage fi = pages.get(p);
            if (fi.width() != pages.get(0).width() || fi.height() != pages.get(0).height())
                throw new IllegalArgumentException(file + ": page " + p + " differs in size from page 0");
            WritableRaster r = cm.createCompatibleWritableRaster(fi.width(), fi.height());
            r.setSamples(0, 0, fi.width(), fi.height(), 0, fi.values());
            imgs.add(new BufferedImage(cm, r, false, null));
        }
        writeImages(file, imgs);
    }

    private static BufferedImage toImage(LabelImage li, Depth depth, Path file) {
        int w = li.width(), h = li.height();
        int[] v = li.labels();
        int bits = switch (depth) { case BITS_8 -> 8; case BITS_16 -> 16; case BITS_32 -> 32; };
        long max = bits == 32 ? Long.MAX_VALUE : (1L << bits) - 1;
        long min = bits == 32 ? Long.MIN_VALUE : 0;
        for (int x : v)
            if (x < min || x > max) throw new IllegalArgumentException(file + ": value " + x + " does not fit " + bits + " bits");
        int type = switch (depth) { case BITS_8 -> DataBuffer.TYPE_BYTE; case BITS_16 -> DataBuffer.TYPE_USHORT; case BITS_32 -> DataBuffer.TYPE_INT; };
        var cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), new int[]{bits}, false, false,
                Transparency.OPAQUE, type);
        WritableRaster r = Raster.createInterleavedRaster(type == DataBuffer.TYPE_INT ? DataBuffer.TYPE_BYTE : type, w, h, 1, null);
        if (type == DataBuffer.TYPE_INT) r = cm.createCompatibleWritableRaster(w, h);
        r.setSamples(0, 0, w, h, 0, v);
        return new BufferedImage(cm, r, false, null);
    }
}
