package org.wpunet.nn.io;

import org.wpunet.core.Backends;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Layout;
import org.wpunet.core.Tensor;
import org.wpunet.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes
 * of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then
 * the tensors' little-endian bytes, offsets relative to the end of the header, covering the data
 * exactly. Supported dtypes: F32, F64, F16, BF16, I64, I32, U8. I64 is held as I32 in memory (values
 * outside the int range are an error); writing can store chosen I32 tensors as I64 (PyTorch's long
 * buffers, e.g. num_batches_tracked).
 */
public final class Safetensors {
    private Safetensors() {}

    /** Largest header we accept (the reference implementation's limit is 100 MB). */
    static final long MAX_HEADER = 100_000_000L;

    /** Tensors in file order (CPU tensors the caller owns), the metadata and each tensor's stored dtype. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata, Map<String, String> storedDTypes)
            implements AutoCloseable {
        @Override
        public void close() { for (Tensor t : tensors.values()) t.close(); }
    }

    private record Header(String name, String dtype, int[] shape, long begin, long end) {}

    // ------------------------------------------------------------------ reading
    public static Map<String, Tensor> read(Path file) throws IOException { return readContents(file).tensors(); }

    public static Contents readContents(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 8) throw corrupt(file, "truncated: " + size + " bytes, fewer than the 8-byte header length");
        if (size > Integer.MAX_VALUE) throw corrupt(file, "files over 2 GiB are not supported (" + size + " bytes)");
        ByteBuffer buf;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) if (ch.read(buf) < 0) break;
            if (buf.hasRemaining()) throw corrupt(file, "could not read the whole file");
        }
        buf.flip().order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        if (n < 2 || n > MAX_HEADER || n > size - 8) {
            throw corrupt(file, "header length " + n + " does not fit a file of " + size + " bytes (truncated or not a safetensors file)");
        }
        String json = StandardCharsets.UTF_8.newDecoder().decode(buf.slice(8, (int) n)).toString();
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw corrupt(file, "header is not valid JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> root)) throw corrupt(file, "header is not a JSON object");
        long dataStart = 8 + n, dataLen = size - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Header> headers = new ArrayList<>();
        for (Map.Entry<?, ?> e : root.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> meta)) throw corrupt(file, "__metadata__ is not an object");
                for (Map.Entry<?, ?> m : meta.entrySet()) {
                    if (!(m.getValue() instanceof String v)) throw corrupt(file, "__metadata__ value of '" + m.getKey() + "' is not a string");
                    metadata.put((String) m.getKey(), v);
                }
                continue;
            }
            headers.add(header(file, name, e.getValue(), dataLen));
        }
        checkCoverage(file, headers, dataLen);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> stored = new LinkedHashMap<>();
        try {
            for (Header h : headers) {
                ByteBuffer slice = buf.slice((int) (dataStart + h.begin), (int) (h.end - h.begin)).order(ByteOrder.LITTLE_ENDIAN);
                tensors.put(h.name, decode(file, h, slice));
                stored.put(h.name, h.dtype);
            }
        } catch (RuntimeException | IOException ex) {
            for (Tensor t : tensors.values()) t.close();
            throw ex;
        }
        return new Contents(tensors, metadata, stored);
    }

    private static Header header(Path file, String name, Object v, long dataLen) throws IOException {
        if (!(v instanceof Map<?, ?> m)) throw corrupt(file, "entry '" + name + "' is not an object");
        if (!(m.get("dtype") instanceof String dtype)) throw corrupt(file, "entry '" + name + "' has no dtype string");
        if (!(m.get("shape") instanceof List<?> shapeList)) throw corrupt(file, "entry '" + name + "' has no shape array");
        if (!(m.get("data_offsets") instanceof List<?> offs) || offs.size() != 2
                || !(offs.get(0) instanceof Long b) || !(offs.get(1) instanceof Long e)) {
            throw corrupt(file, "entry '" + name + "' needs data_offsets [begin, end] of integers");
        }
        int[] shape = new int[shapeList.size()];
        long numel = 1;
        for (int k = 0; k < shape.length; k++) {
            if (!(shapeList.get(k) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw corrupt(file, "entry '" + name + "' has a bad shape " + shapeList);
            }
            shape[k] = (int) (long) d;
            numel *= d;
        }
        int width = width(file, name, dtype);
        if (b < 0 || e < b || e > dataLen) {
            throw corrupt(file, "entry '" + name + "' data_offsets [" + b + ", " + e + "] lie outside the " + dataLen
                    + "-byte data section (truncated file?)");
        }
        if (e - b != numel * width) {
            throw corrupt(file, "entry '" + name + "' " + dtype + " " + Arrays.toString(shape) + " needs " + numel * width
                    + " bytes but data_offsets span " + (e - b));
        }
        if (numel > Integer.MAX_VALUE) throw corrupt(file, "entry '" + name + "' has too many elements");
        return new Header(name, dtype, shape, b, e);
    }

    /** The data section must be covered exactly: no gaps, no overlaps, nothing left over. */
    private static void checkCoverage(Path file, List<Header> headers, long dataLen) throws IOException {
        List<Header> sorted = new ArrayList<>(headers);
        sorted.sort(Comparator.comparingLong(Header::begin).thenComparingLong(Header::end));
        long at = 0;
        for (Header h : sorted) {
            if (h.begin != at) {
                throw corrupt(file, "entry '" + h.name + "' starts at byte " + h.begin + " but the previous data ends at " + at
                        + " (overlapping or missing data)");
            }
            at = h.end;
        }
        if (at != dataLen) {
            throw corrupt(file, "tensors cover " + at + " bytes of a " + dataLen + "-byte data section (truncated or trailing garbage)");
        }
    }

    private static int width(Path file, String name, String dtype) throws IOException {
        return switch (dtype) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            case "U8" -> 1;
            default -> throw corrupt(file, "entry '" + name + "' has unsupported dtype " + dtype
                    + " (supported: F32, F64, F16, BF16, I64, I32, U8)");
        };
    }

    private static Tensor decode(Path file, Header h, ByteBuffer b) throws IOException {
        int n = (int) ((h.end - h.begin) / Math.max(1, width(file, h.name, h.dtype)));
        Object host;
        DType dt;
        switch (h.dtype) {
            case "F32" -> { float[] a = new float[n]; b.asFloatBuffer().get(a); host = a; dt = DType.F32; }
            case "F64" -> { double[] a = new double[n]; b.asDoubleBuffer().get(a); host = a; dt = DType.F64; }
            case "I32" -> { int[] a = new int[n]; b.asIntBuffer().get(a); host = a; dt = DType.I32; }
            case "I64" -> {
                int[] a = new int[n];
                for (int k = 0; k < n; k++) {
                    long v = b.getLong(8 * k);
                    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                        throw corrupt(file, "entry '" + h.name + "' (I64) holds " + v + ", outside the int32 range we store I64 in");
                    }
                    a[k] = (int) v;
                }
                host = a;
                dt = DType.I32;
            }
            case "F16", "BF16" -> { short[] a = new short[n]; b.asShortBuffer().get(a); host = a; dt = h.dtype.equals("F16") ? DType.F16 : DType.BF16; }
            case "U8" -> { byte[] a = new byte[n]; b.get(a); host = a; dt = DType.U8; }
            default -> throw corrupt(file, "entry '" + h.name + "' has unsupported dtype " + h.dtype);
        }
        return Tensor.wrap(Backends.get(Device.CPU).fromHost(host, dt), Layout.contiguous(h.shape));
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException("safetensors file " + file + ": " + what);
    }

    // ------------------------------------------------------------------ writing
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of(), Set.of());
    }

    /**
     * Writes atomically (a temp file in the same folder, fsync, rename). Tensors listed in int64Keys
     * must be I32 and are stored as I64. Entries keep the map's order.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Set<String> int64Keys)
            throws IOException {
        StringBuilder h = new StringBuilder("{");
        boolean first = true;
        if (!metadata.isEmpty()) {
            h.append(Json.quote("__metadata__")).append(":{");
            boolean f2 = true;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                h.append(f2 ? "" : ",").append(Json.quote(m.getKey())).append(':').append(Json.quote(m.getValue()));
                f2 = false;
            }
            h.append('}');
            first = false;
        }
        long offset = 0;
        List<String> names = new ArrayList<>(tensors.keySet());
        String[] types = new String[names.size()];
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            if (name.equals("__metadata__")) throw new IllegalArgumentException("'__metadata__' cannot be a tensor name");
            Tensor t = tensors.get(name).check();
            types[k] = storedType(name, t, int64Keys.contains(name));
            long bytes = (long) t.numel() * (types[k].equals("I64") ? 8 : t.dtype().byteSize());
            h.append(first ? "" : ",").append(Json.quote(name)).append(":{\"dtype\":").append(Json.quote(types[k]))
                    .append(",\"shape\":").append(Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            first = false;
            offset += bytes;
        }
        h.append('}');
        // pad the header with spaces to a multiple of 8 bytes (as the reference writer), aligning the data
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (hb.length + 7) / 8 * 8;
        byte[] header = Arrays.copyOf(hb, padded);
        Arrays.fill(header, hb.length, padded, (byte) ' ');

        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, true, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (int k = 0; k < names.size(); k++) writeFully(ch, encode(tensors.get(names.get(k)), types[k]));
            }
        });
    }

    private static String storedType(String name, Tensor t, boolean asI64) {
        if (asI64) {
            if (t.dtype() != DType.I32) throw new IllegalArgumentException("tensor '" + name + "' is " + t.dtype() + ", only I32 can be stored as I64");
            return "I64";
        }
        return switch (t.dtype()) {
            case F32 -> "F32";
            case F64 -> "F64";
            case I32 -> "I32";
            case U8 -> "U8";
            case F16 -> "F16";
            case BF16 -> "BF16";
        };
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    private static ByteBuffer encode(Tensor t, String type) {
        int n = t.numel();
        ByteBuffer b;
        switch (type) {
            case "F32" -> { b = alloc(n * 4L); b.asFloatBuffer().put(t.toFloatArray()); }
            case "F64" -> { b = alloc(n * 8L); b.asDoubleBuffer().put(t.toDoubleArray()); }
            case "I32" -> { b = alloc(n * 4L); b.asIntBuffer().put(t.toIntArray()); }
            case "I64" -> {
                b = alloc(n * 8L);
                int[] a = t.toIntArray();
                for (int k = 0; k < n; k++) b.putLong(8 * k, a[k]);
            }
            case "U8" -> { b = alloc(n); b.put(0, t.toByteArray()); }
            case "F16", "BF16" -> {
                b = alloc(n * 2L);
                try (Tensor c = t.contiguous(); Tensor cpu = c.to(Device.CPU)) {
                    b.asShortBuffer().put((short[]) Backends.get(Device.CPU).toHost(cpu.storage(), cpu.layout()));
                }
            }
            default -> throw new IllegalStateException("unexpected stored type " + type);
        }
        return b.position(0).limit((int) (n * (long) width(type)));
    }

    private static int width(String type) {
        return switch (type) {
            case "F64", "I64" -> 8;
            case "F32", "I32" -> 4;
            case "F16", "BF16" -> 2;
            default -> 1;
        };
    }

    private static ByteBuffer alloc(long bytes) {
        if (bytes > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor of " + bytes + " bytes is too large for one buffer");
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

}
