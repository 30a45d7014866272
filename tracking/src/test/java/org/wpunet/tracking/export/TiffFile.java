package org.wpunet.tracking.export;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal reader of classic TIFF structure for tests: walks the IFD chain from the header and
 * decodes each entry's values as the TIFF 6.0 specification lays them out (types BYTE, ASCII, SHORT,
 * LONG, RATIONAL), so tests check what is in the file rather than what a library makes of it.
 */
final class TiffFile {
    /** One IFD: tag -> values (ASCII as one String; RATIONAL as numerator/denominator pairs of longs). */
    record Ifd(Map<Integer, Object> tags) {
        long[] longs(int tag) { return (long[]) tags.get(tag); }
        long one(int tag) { return longs(tag)[0]; }
        String ascii(int tag) { return (String) tags.get(tag); }
    }

    final ByteBuffer bytes;
    final List<Ifd> ifds = new ArrayList<>();

    TiffFile(Path file) throws IOException {
        bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        byte a = bytes.get(0), b = bytes.get(1);
        if (a == 'I' && b == 'I') bytes.order(ByteOrder.LITTLE_ENDIAN);
        else if (a == 'M' && b == 'M') bytes.order(ByteOrder.BIG_ENDIAN);
        else throw new IOException("not a TIFF: " + file);
        if (bytes.getShort(2) != 42) throw new IOException("not a classic TIFF: " + file);
        long at = Integer.toUnsignedLong(bytes.getInt(4));
        while (at != 0) {
            if (ifds.size() > 100_000) throw new IOException("IFD loop");
            int count = Short.toUnsignedInt(bytes.getShort((int) at));
            Map<Integer, Object> tags = new LinkedHashMap<>();
            int prev = -1;
            for (int e = 0; e < count; e++) {
                int p = (int) at + 2 + 12 * e;
                int tag = Short.toUnsignedInt(bytes.getShort(p)), type = Short.toUnsignedInt(bytes.getShort(p + 2));
                if (tag <= prev) throw new IOException("IFD entries not in ascending tag order at tag " + tag);
                prev = tag;
                int n = bytes.getInt(p + 4);
                int size = switch (type) { case 1, 2 -> 1; case 3 -> 2; case 4 -> 4; case 5 -> 8; default -> throw new IOException("type " + type); };
                int valueAt = (long) size * n <= 4 ? p + 8 : bytes.getInt(p + 8);
                if (valueAt % 2 != 0) throw new IOException("odd offset " + valueAt + " for tag " + tag);
                if (type == 2) {
                    byte[] s = new byte[n];
                    bytes.get(valueAt, s);
                    tags.put(tag, new String(s, StandardCharsets.US_ASCII));
                } else {
                    long[] v = new long[type == 5 ? 2 * n : n];
                    for (int i = 0; i < v.length; i++)
                        v[i] = switch (type) {
                            case 1 -> Byte.toUnsignedLong(bytes.get(valueAt + i));
                            case 3 -> Short.toUnsignedLong(bytes.getShort(valueAt + 2 * i));
                            default -> Integer.toUnsignedLong(bytes.getInt(valueAt + 4 * i));
                        };
                    tags.put(tag, v);
                }
            }
            ifds.add(new Ifd(tags));
            at = Integer.toUnsignedLong(bytes.getInt((int) at + 2 + 12 * count));
        }
    }
}
