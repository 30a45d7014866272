package org.wpunet.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reads golden/image_golden.txt (written by golden/make_image_golden.py): name, shape, values. */
public final class Golden {
    public record Array(int[] shape, double[] values) {
        public int[] ints() {
            int[] out = new int[values.length];
            for (int i = 0; i < out.length; i++) out[i] = (int) values[i];
            return out;
        }

        public byte[] bytes() {
            byte[] out = new byte[values.length];
            for (int i = 0; i < out.length; i++) out[i] = (byte) (int) values[i];
            return out;
        }

        /** Last axis (x). */
        public int width() { return shape[shape.length - 1]; }

        /** Second to last axis (y). */
        public int height() { return shape[shape.length - 2]; }
    }

    private static Map<String, Array> all;

    private Golden() {}

    public static synchronized Array get(String name) {
        if (all == null) all = load();
        Array a = all.get(name);
        if (a == null) throw new IllegalArgumentException("no golden array " + name);
        return a;
    }

    private static Map<String, Array> load() {
        var in = Golden.class.getResourceAsStream("/golden/image_golden.txt");
        if (in == null) throw new IllegalStateException("golden/image_golden.txt missing from test resources");
        Map<String, Array> map = new HashMap<>();
        try (var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] parts = line.split("\t", -1);
                String[] dims = parts[1].isEmpty() ? new String[0] : parts[1].split(",");
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) shape[i] = Integer.parseInt(dims[i]);
                String[] vs = parts[2].split(" ");
                double[] v = new double[vs.length];
                for (int i = 0; i < vs.length; i++) v[i] = Double.parseDouble(vs[i]);
                map.put(parts[0], new Array(shape, v));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
