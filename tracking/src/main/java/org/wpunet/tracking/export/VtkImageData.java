package org.wpunet.tracking.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

/**
 * A label volume as VTK XML image data ({@code .vti}, ParaView and VTK read it): one Int32 cell-data
 * array {@code label}, one value per voxel, so voxel (x, y, z) is the box [x, x+1] * pixel by
 * [y, y+1] * pixel by [z, z+1] * spacing (WholeExtent 0..W, 0..H, 0..N in points, Origin 0, Spacing
 * = the voxel size in um). The array is stored as raw appended data compressed with
 * {@code vtkZLibDataCompressor}: a UInt64 header (number of blocks, uncompressed block size, size of a
 * partial last block or 0, compressed size of each block), then the zlib streams of the blocks.
 */
final class VtkImageData {
    private VtkImageData() {}

    static final String ARRAY = "label";
    /** Uncompressed bytes per compressed block (VTK reads the size from the header). */
    static final int BLOCK = 1 << 20;

    static void write(LabelVolume v, Path file, VoxelSize voxel) throws IOException {
        int w = v.width(), h = v.height(), n = v.depth();
        int[] data = v.data();
        int min = Integer.MAX_VALUE, max = Integer.MIN_VALUE;
        for (int x : data) { min = Math.min(min, x); max = Math.max(max, x); }
        long total = 4L * data.length;
        int blocks = (int) ((total + BLOCK - 1) / BLOCK);
        List<byte[]> compressed = new ArrayList<>(blocks);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);   // zlib format, as VTK's compress2
        ByteBuffer block = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
        byte[] buf = new byte[BLOCK + BLOCK / 100 + 64];
        try {
            for (int b = 0, next = 0; b < blocks; b++) {
                int count = (int) Math.min(BLOCK / 4, data.length - (long) next);
                block.clear();
                block.asIntBuffer().put(data, next, count);
                next += count;
                deflater.reset();
                deflater.setInput(block.array(), 0, 4 * count);
                deflater.finish();
                ByteArrayOutputStream z = new ByteArrayOutputStream();
                while (!deflater.finished()) z.write(buf, 0, deflater.deflate(buf));
                compressed.add(z.toByteArray());
            }
        } finally {
            deflater.end();
        }
        ByteBuffer header = ByteBuffer.allocate(8 * (3 + blocks)).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(blocks).putLong(BLOCK).putLong(total % BLOCK);
        for (byte[] c : compressed) header.putLong(c.length);
        String extent = "0 " + w + " 0 " + h + " 0 " + n;
        String xml = "<?xml version=\"1.0\"?>\n"
                + "<VTKFile type=\"ImageData\" version=\"1.0\" byte_order=\"LittleEndian\" header_type=\"UInt64\""
                + " compressor=\"vtkZLibDataCompressor\">\n"
                + "  <ImageData WholeExtent=\"" + extent + "\" Origin=\"0 0 0\" Spacing=\"" + num(voxel.pixelUm()) + " "
                + num(voxel.pixelUm()) + " " + num(voxel.spacingUm()) + "\">\n"
                + "    <Piece Extent=\"" + extent + "\">\n"
                + "      <PointData>\n      </PointData>\n"
                + "      <CellData Scalars=\"" + ARRAY + "\">\n"
                + "        <DataArray type=\"Int32\" Name=\"" + ARRAY + "\" NumberOfComponents=\"1\" format=\"appended\" offset=\"0\""
                + " RangeMin=\"" + min + "\" RangeMax=\"" + max + "\"/>\n"
                + "      </CellData>\n"
                + "    </Piece>\n"
                + "  </ImageData>\n"
                + "  <AppendedData encoding=\"raw\">\n   _";
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.write(file, true, out -> {
            out.write(xml.getBytes(StandardCharsets.US_ASCII));
            out.write(header.array());
            for (byte[] c : compressed) out.write(c);
            out.write("\n  </AppendedData>\n</VTKFile>\n".getBytes(StandardCharsets.US_ASCII));
        });
    }

    private static final Pattern ATTR = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    /**
     * Reads a {@code .vti} with one Int32 array (cell data over the whole extent) stored as raw
     * appended data, zlib-compressed or not, UInt32 or UInt64 headers: what {@link #write} writes.
     * Anything else is an IOException saying what was found.
     */
    static LabelVolume read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("no such file: " + file);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = readUntilUnderscore(in, file);
            String xml = new String(head, StandardCharsets.US_ASCII);
            var vtk = attrs(xml, "VTKFile", file);
            if (!"ImageData".equals(vtk.get("type"))) throw new IOException(file + ": not VTK image data (type=" + vtk.get("type") + ")");
            if (!"LittleEndian".equals(vtk.get("byte_order"))) throw new IOException(file + ": byte_order " + vtk.get("byte_order") + " not supported");
            boolean long64 = "UInt64".equals(vtk.get("header_type"));
            String compressor = vtk.get("compressor");
            if (compressor != null && !compressor.equals("vtkZLibDataCompressor"))
                throw new IOException(file + ": compressor " + compressor + " not supported");
            int[] ext = ints(attrs(xml, "ImageData", file).get("WholeExtent"), file);
            int w = ext[1] - ext[0], h = ext[3] - ext[2], n = ext[5] - ext[4];
            if (w <= 0 || h <= 0 || n <= 0) throw new IOException(file + ": WholeExtent " + java.util.Arrays.toString(ext) + " has no cells");
            var array = attrs(xml, "DataArray", file);
            if (!"Int32".equals(array.get("type")) || !"appended".equals(array.get("format")) || !"0".equals(array.get("offset")))
                throw new IOException(file + ": expected one appended Int32 DataArray at offset 0, found " + array);
            if (!xml.contains("<CellData")) throw new IOException(file + ": expected cell data");
            long total = 4L * w * h * n;
            if (total > Integer.MAX_VALUE - 8L) throw new IOException(file + ": volume too large: " + w + "x" + h + "x" + n);
            byte[] raw = compressor == null ? readPlain(in, long64, total, file) : readCompressed(in, long64, total, file);
            int[] labels = new int[w * h * n];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(labels);
            return new LabelVolume(w, h, n, labels);
        }
    }

    private static byte[] readPlain(InputStream in, boolean long64, long total, Path file) throws IOException {
        long size = header(in, long64, 1, file)[0];
        if (size != total) throw new IOException(file + ": data holds " + size + " bytes, the extent needs " + total);
        return readFully(in, (int) size, file);
    }

    private static byte[] readCompressed(InputStream in, boolean long64, long total, Path file) throws IOException {
        long[] first = header(in, long64, 3, file);
        long blocks = first[0], blockSize = first[1], last = first[2];
        if (blocks <= 0 || blocks > total / Math.max(1, blockSize) + 1 || blockSize <= 0)
            throw new IOException(file + ": bad compression header (" + blocks + " blocks of " + blockSize + " bytes)");
        long[] sizes = header(in, long64, (int) blocks, file);
        long expect = (blocks - 1) * blockSize + (last == 0 ? blockSize : last);
        if (expect != total) throw new IOException(file + ": data holds " + expect + " bytes, the extent needs " + total);
        byte[] out = new byte[(int) total];
        int at = 0;
        Inflater inflater = new Inflater();
        try {
            for (int b = 0; b < blocks; b++) {
                byte[] z = readFully(in, Math.toIntExact(sizes[b]), file);
                int want = (int) (b < blocks - 1 || last == 0 ? blockSize : last);
                inflater.reset();
                inflater.setInput(z);
                int got = 0;
                while (got < want && !inflater.finished()) {
                    int k = inflater.inflate(out, at + got, want - got);
                    if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) break;
                    got += k;
                }
                if (got != want) throw new IOException(file + ": block " + b + " inflates to " + got + " bytes, expected " + want);
                at += want;
            }
        } catch (DataFormatException e) {
            throw new IOException(file + ": corrupt compressed data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return out;
    }

    private static long[] header(InputStream in, boolean long64, int count, Path file) throws IOException {
        int size = long64 ? 8 : 4;
        ByteBuffer b = ByteBuffer.wrap(readFully(in, size * count, file)).order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[count];
        for (int i = 0; i < count; i++) out[i] = long64 ? b.getLong() : Integer.toUnsignedLong(b.getInt());
        return out;
    }

    private static byte[] readFully(InputStream in, int n, Path file) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) throw new IOException(file + ": truncated (ends inside the appended data)");
        return b;
    }

    /** The XML up to the '_' that starts raw appended data (at most 64 KiB of it). */
    private static byte[] readUntilUnderscore(InputStream in, Path file) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '_' && head.toString(StandardCharsets.US_ASCII).contains("<AppendedData")) return head.toByteArray();
            head.write(c);
            if (head.size() > 65536) break;
        }
        throw new IOException(file + ": not a VTK XML file with raw appended data (no '<AppendedData encoding=\"raw\">_')");
    }

    private static java.util.Map<String, String> attrs(String xml, String element, Path file) throws IOException {
        int i = xml.indexOf("<" + element + " ");
        if (i < 0) throw new IOException(file + ": no <" + element + "> element");
        int end = xml.indexOf('>', i);
        var out = new java.util.LinkedHashMap<String, String>();
        Matcher m = ATTR.matcher(xml.substring(i, end < 0 ? xml.length() : end));
        while (m.find()) out.put(m.group(1), m.group(2));
        return out;
    }

    private static int[] ints(String s, Path file) throws IOException {
        if (s == null) throw new IOException(file + ": no WholeExtent");
        String[] p = s.trim().split("\\s+");
        if (p.length != 6) throw new IOException(file + ": WholeExtent '" + s + "' is not six integers");
        int[] v = new int[6];
        try {
            for (int i = 0; i < 6; i++) v[i] = Integer.parseInt(p[i]);
        } catch (NumberFormatException e) {
            throw new IOException(file + ": WholeExtent '" + s + "' is not six integers");
        }
        return v;
    }

    private static String num(double x) { return String.format(Locale.ROOT, "%s", x); }
}
