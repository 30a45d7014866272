package org.wpunet.core.conformance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.wpunet.core.DType;
import org.wpunet.core.Device;
import org.wpunet.core.Tensor;

/**
 * Reads golden/ops.txt, written by golden/make_op_golden.py with PyTorch (CPU, float64): per case,
 * named arrays with a shape, integer ("i64") or float ("f64") values.
 */
final class GoldenOps {
    private GoldenOps() {}

    /** One array of a case. */
    record Array(String name, boolean integer, int[] shape, double[] values) {
        /** As a tensor of {@code dt} on {@code d} (integer arrays become I32 whatever dt is). */
        Tensor on(Device d, DType dt) {
            if (integer) {
                int[] v = new int[values.length];
                for (int i = 0; i < v.length; i++) v[i] = (int) values[i];
                try (Tensor t = Tensor.of(v, shape)) {
                    return t.to(d);
                }
            }
            try (Tensor t = Tensor.of(values.clone(), shape)) {
                return t.to(d, dt);
            }
        }

        double scalar() { return values[0]; }
    }

    private static Map<String, Map<String, Array>> cases;

    /** Every case by name (read once). */
    static synchronized Map<String, Map<String, Array>> cases() {
        if (cases == null) cases = parse(read());
        return cases;
    }

    /** The arrays of one case. */
    static Map<String, Array> get(String name) {
        Map<String, Array> c = cases().get(name);
        if (c == null) throw new IllegalArgumentException("golden/ops.txt has no case " + name);
        return c;
    }

    private static String read() {
        try (InputStream in = GoldenOps.class.getResourceAsStream("golden/ops.txt")) {
            if (in == null) throw new IllegalStateException("resource org/wpunet/core/conformance/golden/ops.txt is missing");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Map<String, Array>> parse(String text) {
        Map<String, Map<String, Array>> out = new LinkedHashMap<>();
        Map<String, Array> current = null;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (line.startsWith("case ")) {
                current = new LinkedHashMap<>();
                out.put(line.substring(5).trim(), current);
            } else if (line.equals("end")) {
                current = null;
            } else {
                String[] f = line.trim().split(" ");
                int[] shape = f[2].equals("-") ? new int[0] : java.util.Arrays.stream(f[2].split(",")).mapToInt(Integer::parseInt).toArray();
                double[] v = new double[f.length - 3];
                for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(f[i + 3]);
                current.put(f[0], new Array(f[0], f[1].equals("i64"), shape, v));
            }
        }
        return out;
    }
}
