package org.wpunet.tracking;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.wpunet.data.LabelVolume;

/** Reads the text fixtures of golden/make_golden.py: "W H D", then values x fastest, then y, then z. */
final class Golden {
    private Golden() {}

    static LabelVolume read(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("golden/" + name)) {
            if (in == null) throw new IllegalStateException("missing fixture " + name);
            String[] tok = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            int w = Integer.parseInt(tok[0]), h = Integer.parseInt(tok[1]), d = Integer.parseInt(tok[2]);
            int[] v = new int[w * h * d];
            for (int i = 0; i < v.length; i++) v[i] = Integer.parseInt(tok[3 + i]);
            if (tok.length != 3 + v.length) throw new IllegalStateException(name + ": " + (tok.length - 3) + " values for " + w + "x" + h + "x" + d);
            return new LabelVolume(w, h, d, v);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static byte[] bytes(int[] v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    /** Ids renumbered 1.. in order of first occurrence, so two labellings of one partition compare equal. */
    static int[] canonical(int[] v) {
        java.util.HashMap<Integer, Integer> m = new java.util.HashMap<>();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = m.computeIfAbsent(v[i], k -> m.size() + 1);
        return out;
    }
}
