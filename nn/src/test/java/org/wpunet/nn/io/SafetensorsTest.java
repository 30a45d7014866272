package org.wpunet.nn.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wpunet.core.DType;
import org.wpunet.core.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryDtypeWrittenByPython() throws Exception {
        Path f = Path.of(getClass().getResource("/golden/python_types.safetensors").toURI());
        try (Safetensors.Contents c = Safetensors.readContents(f)) {
            Map<String, Tensor> t = c.tensors();
            assertEquals("make_nn_golden.py", c.metadata().get("writer"));
            assertArrayEquals(new float[]{1.5f, -2.25f, 3.0f, 1e-3f}, t.get("f32").toFloatArray());
            assertArrayEquals(new int[]{2, 2}, t.get("f32").shape());
            assertArrayEquals(new double[]{1.0 / 3, -2.5e300}, t.get("f64").toDoubleArray());
            assertEquals(DType.F16, t.get("f16").dtype());
            assertArrayEquals(new float[]{0.5f, -1.25f, 65504f}, t.get("f16").toFloatArray());
            assertEquals(DType.BF16, t.get("bf16").dtype());
            assertArrayEquals(new float[]{1f, -3.5f, DType.bf16ToFloat(DType.floatToBf16(1e30f))}, t.get("bf16").toFloatArray());
            assertEquals("I64", c.storedDTypes().get("i64"));
            assertArrayEquals(new int[]{-7, Integer.MAX_VALUE}, t.get("i64").toIntArray());
            assertArrayEquals(new int[]{1, 2}, t.get("i64").shape());
            assertArrayEquals(new int[]{Integer.MIN_VALUE, 5}, t.get("i32").toIntArray());
            assertArrayEquals(new byte[]{0, 7, (byte) 255}, t.get("u8").toByteArray());
            assertEquals(0, t.get("scalar").rank());
            assertEquals(2.5, t.get("scalar").item());
            assertArrayEquals(new int[]{0, 3}, t.get("empty").shape());
        }
    }

    @Test
    void roundTripsAllDtypesAndWritesAtomically() throws Exception {
        Map<String, Tensor> m = new LinkedHashMap<>();
        try (Tensor f32 = Tensor.of(new float[]{1, -2, 3.5f}, 3); Tensor f64 = Tensor.of(new double[]{Math.PI, -1}, 2, 1);
             Tensor i32 = Tensor.of(new int[]{7, -9}, 2); Tensor u8 = Tensor.ofBytes(new byte[]{1, (byte) 200}, 2);
             Tensor bf = f32.to(DType.BF16); Tensor h = f32.to(DType.F16); Tensor count = Tensor.of(new int[]{42}, new int[0]);
             Tensor strided = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1)) {
            m.put("a.f32", f32); m.put("b.f64", f64); m.put("c.i32", i32); m.put("d.u8", u8); m.put("e.bf16", bf);
            m.put("f.f16", h); m.put("g.count", count); m.put("h.strided", strided);
            Path f = dir.resolve("x.safetensors");
            Safetensors.write(f, m, Map.of("k", "v \"quoted\""), Set.of("g.count"));
            try (Stream s = new Stream(dir)) { assertEquals(1, s.count); }
            long headerLen = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLen % 8);
            try (Safetensors.Contents c = Safetensors.readContents(f)) {
                assertEquals(m.keySet(), c.tensors().keySet());
                for (String k : m.keySet()) {
                    assertArrayEquals(m.get(k).shape(), c.tensors().get(k).shape(), k);
                    assertArrayEquals(m.get(k).toDoubleArray(), c.tensors().get(k).toDoubleArray(), 0, k);
                }
                assertEquals("I64", c.storedDTypes().get("g.count"));
                assertEquals("BF16", c.storedDTypes().get("e.bf16"));
                assertEquals("v \"quoted\"", c.metadata().get("k"));
            }
        }
    }

    private static final class Stream implements AutoCloseable {
        final long count;

        Stream(Path dir) throws IOException {
            try (var s = Files.list(dir)) { count = s.count(); }
        }

        @Override
        public void close() {}
    }

    private Path file(byte[] bytes) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, bytes);
        return f;
    }

    private static byte[] build(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private void rejects(byte[] bytes, String... fragments) throws IOException {
        Path f = file(bytes);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        for (String frag : fragments) assertTrue(e.getMessage().contains(frag), "'" + frag + "' not in: " + e.getMessage());
    }

    @Test
    void corruptAndTruncatedFilesGiveClearErrors() throws Exception {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        try (var t = Safetensors.readContents(file(build(ok, 8)))) { assertEquals(1, t.tensors().size()); }
        rejects(new byte[]{1, 2, 3}, "truncated");
        rejects(build(ok, 4), "outside");                     // data cut short
        byte[] full = build(ok, 8);
        rejects(Arrays.copyOf(full, 20), "header length");     // header cut short
        rejects(build(ok, 12), "cover 8 bytes of a 12-byte");  // trailing garbage
        rejects(build("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");
        rejects(build("{\"w\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "unsupported dtype Q7");
        rejects(build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}", 8), "not valid JSON");
        rejects(build("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"w\":{}}", 8), "duplicate key");
        rejects(build("[1,2]", 0), "not a JSON object");
        rejects(build("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3), "overlapping");
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
        rejects(huge.array(), "header length");
        rejects(build("{\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 0), "outside");
    }

    @Test
    void i64OutsideIntRangeIsAnError() throws Exception {
        byte[] b = build("{\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(b.length - 8, 1L << 40);
        rejects(b, "'i'", "1099511627776");
    }

    @Test
    void writesOrdinaryPermissionsAndLeavesNoTemporary() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1, 2, 3}, 3));
        Safetensors.write(f, m);
        Safetensors.write(f, m); // replacing works too
        try (Safetensors.Contents c = Safetensors.readContents(f)) {
            assertArrayEquals(new int[] {3}, c.tensors().get("w").shape());
        }
        if (Files.getFileAttributeView(f, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            Path ordinary = Files.createFile(dir.resolve("ordinary"));
            assertEquals(Files.getPosixFilePermissions(ordinary), Files.getPosixFilePermissions(f), "not 0600");
            Files.delete(ordinary);
        }
        try (var s = Files.list(dir)) {
            assertEquals(java.util.List.of("m.safetensors"), s.map(p -> p.getFileName().toString()).toList());
        }
        for (Tensor t : m.values()) t.close();
    }

    @Test
    void writeErrorsNameTheTargetAndReason() throws IOException {
        Path d = Files.createDirectories(dir.resolve("m.safetensors"));
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(new float[] {1}, 1));
        var e = assertThrows(IOException.class, () -> Safetensors.write(d, m));
        assertEquals("cannot write " + d + ": is a directory", e.getMessage());
        for (Tensor t : m.values()) t.close();
    }
}
