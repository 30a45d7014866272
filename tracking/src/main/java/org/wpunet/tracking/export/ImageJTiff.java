package org.wpunet.tracking.export;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

/**
 * A label volume as a multi-page 32-bit signed-integer TIFF laid out as ImageJ itself writes stacks,
 * so that ImageJ/Fiji opens it as a calibrated stack:
 * <ul>
 *   <li>little-endian classic TIFF, one uncompressed strip per page, BitsPerSample 32, SampleFormat 2
 *       (signed integer: ImageJ shows it as a 32-bit stack; tifffile and libtiff read int32);</li>
 *   <li>the first page carries the ImageJ ImageDescription {@code ImageJ=1.11a, images=N, slices=N,
 *       unit=micron, spacing=DZ, loop=false, min=0, max=MAXLABEL} (one per line) and every page
 *       XResolution = YResolution = 1/pixel (pixels per micron) with ResolutionUnit 1 ("none"; the unit
 *       is the description's), as ImageJ does for microns;</li>
 *   <li>all pixel data contiguous, first page to last, with the other pages' IFDs after it.</li>
 * </ul>
 * The last point is why this file is written here byte by byte rather than through javax.imageio
 * (whose writer interleaves IFDs and pixel data): ImageJ's reader, on seeing {@code images=N} in an
 * ImageJ description, reads only the first IFD and takes the N pages to follow each other in the file.
 * Classic TIFF offsets are 32-bit, so the volume must stay under 4 GiB (use the HDF5 or VTK file
 * beyond that).
 */
final class ImageJTiff {
    private ImageJTiff() {}

    /** TIFF tag numbers used here. */
    static final int NEW_SUBFILE_TYPE = 254, IMAGE_WIDTH = 256, IMAGE_LENGTH = 257, BITS_PER_SAMPLE = 258,
            COMPRESSION = 259, PHOTOMETRIC = 262, IMAGE_DESCRIPTION = 270, STRIP_OFFSETS = 273, SAMPLES_PER_PIXEL = 277,
            ROWS_PER_STRIP = 278, STRIP_BYTE_COUNTS = 279, X_RESOLUTION = 282, Y_RESOLUTION = 283, RESOLUTION_UNIT = 296,
            SAMPLE_FORMAT = 339;
    private static final short SHORT = 3, LONG = 4, ASCII = 2, RATIONAL = 5;
    private static final int FIRST_TAGS = 15, OTHER_TAGS = 14;

    /** The ImageJ description of a stack of {@code slices} pages. */
    static String description(int slices, VoxelSize voxel, int maxLabel) {
        return "ImageJ=1.11a\nimages=" + slices + "\nslices=" + slices + "\nunit=micron\nspacing=" + num(voxel.spacingUm())
                + "\nloop=false\nmin=0.0\nmax=" + num(Math.max(1, maxLabel)) + "\n";
    }

    static void write(LabelVolume v, Path file, VoxelSize voxel) throws IOException {
        int w = v.width(), h = v.height(), n = v.depth();
        byte[] desc = (description(n, voxel, v.maxLabel()) + '\0').getBytes(StandardCharsets.US_ASCII);
        int descLen = desc.length + (desc.length & 1);           // keep every offset even (word aligned)
        long pageBytes = 4L * w * h;
        long ifd0 = 8, descAt = ifd0 + 2 + 12L * FIRST_TAGS + 4, resAt = descAt + descLen, dataAt = resAt + 8;
        long restAt = dataAt + pageBytes * n, end = restAt + (long) (n - 1) * (2 + 12 * OTHER_TAGS + 4);
        if (end > 0xFFFF_FFFFL)
            throw new IOException("cannot write " + file + ": " + w + "x" + h + "x" + n + " int32 voxels exceed the 4 GiB of a classic TIFF"
                    + " (use label.h5 or labels.vti)");
        long[] rational = resolution(voxel.pixelUm());
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.write(file, true, out -> {
            ByteBuffer b = ByteBuffer.allocate((int) dataAt).order(ByteOrder.LITTLE_ENDIAN);
            b.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt((int) ifd0);
            ifd(b, w, h, dataAt, pageBytes, descAt, desc.length, resAt, n > 1 ? restAt : 0, true);
            b.put(desc);
            if ((desc.length & 1) != 0) b.put((byte) 0);
            b.putInt((int) rational[0]).putInt((int) rational[1]);
            out.write(b.array(), 0, b.position());
            writePixels(v, out);
            for (int k = 1; k < n; k++) {
                ByteBuffer r = ByteBuffer.allocate(2 + 12 * OTHER_TAGS + 4).order(ByteOrder.LITTLE_ENDIAN);
                long next = k + 1 < n ? restAt + (long) k * r.capacity() : 0;
                ifd(r, w, h, dataAt + k * pageBytes, pageBytes, 0, 0, resAt, next, false);
                out.write(r.array());
            }
        });
    }

    /** One IFD: entries in ascending tag order, then the offset of the next IFD (0 for the last). */
    private static void ifd(ByteBuffer b, int w, int h, long strip, long stripBytes, long descAt, int descCount, long resAt,
                            long next, boolean first) {
        b.putShort((short) (first ? FIRST_TAGS : OTHER_TAGS));
        entry(b, NEW_SUBFILE_TYPE, LONG, 1, 0);
        entry(b, IMAGE_WIDTH, LONG, 1, w);
        entry(b, IMAGE_LENGTH, LONG, 1, h);
        entry(b, BITS_PER_SAMPLE, SHORT, 1, 32);
        entry(b, COMPRESSION, SHORT, 1, 1);
        entry(b, PHOTOMETRIC, SHORT, 1, 1);                      // BlackIsZero
        if (first) entry(b, IMAGE_DESCRIPTION, ASCII, descCount, descAt);
        entry(b, STRIP_OFFSETS, LONG, 1, strip);
        entry(b, SAMPLES_PER_PIXEL, SHORT, 1, 1);
        entry(b, ROWS_PER_STRIP, LONG, 1, h);
        entry(b, STRIP_BYTE_COUNTS, LONG, 1, stripBytes);
        entry(b, X_RESOLUTION, RATIONAL, 1, resAt);
        entry(b, Y_RESOLUTION, RATIONAL, 1, resAt);
        entry(b, RESOLUTION_UNIT, SHORT, 1, 1);                  // none: ImageJ's choice for microns
        entry(b, SAMPLE_FORMAT, SHORT, 1, 2);                    // signed integer
        b.putInt((int) next);
    }

    /** A 12-byte IFD entry; a SHORT value sits in the first two bytes of the value field. */
    private static void entry(ByteBuffer b, int tag, short type, int count, long value) {
        b.putShort((short) tag).putShort(type).putInt(count);
        if (type == SHORT) b.putShort((short) value).putShort((short) 0);
        else b.putInt((int) value);
    }

    private static void writePixels(LabelVolume v, OutputStream out) throws IOException {
        int w = v.width();
        int[] data = v.data();
        ByteBuffer row = ByteBuffer.allocate(4 * w).order(ByteOrder.LITTLE_ENDIAN);
        for (int start = 0; start < data.length; start += w) {
            row.clear();
            row.asIntBuffer().put(data, start, w);
            out.write(row.array());
        }
    }

    /**
     * Pixels per micron, 1 / pixelUm, as a TIFF rational (two unsigned 32-bit integers) that ImageJ
     * turns back into the pixel size: numerator 10^6 and denominator pixelUm * 10^6 rounded, with
     * fewer decimals only where the denominator would not fit; below 1 nm, 1000 / pixelUm over 1000.
     */
    static long[] resolution(double pixelUm) {
        if (pixelUm < 1e-3) {
            long num = Math.round(1000 / pixelUm);
            if (num > 0xFFFF_FFFFL) throw new IllegalArgumentException("pixel size " + pixelUm + " um is too small for a TIFF resolution");
            return new long[] {num, 1000};
        }
        double scale = 1e6;
        while (pixelUm * scale > 0xFFFF_FFFFL && scale > 1) scale /= 10;
        long den = Math.max(1, Math.round(pixelUm * scale));
        if (den > 0xFFFF_FFFFL) throw new IllegalArgumentException("pixel size " + pixelUm + " um is too large for a TIFF resolution");
        return new long[] {(long) scale, den};
    }

    private static String num(double x) {
        if (x == Math.rint(x) && Math.abs(x) < 1e15) return String.format(Locale.ROOT, "%.1f", x);
        return Double.toString(x);
    }
}
