package org.wpunet.io;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.wpunet.core.Tensor;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.SerialStack;
import org.wpunet.image.LabelImage;
import org.wpunet.nn.io.Json;
import org.wpunet.nn.io.Safetensors;
import org.wpunet.train.TrainConfig;

/**
 * Issue 16, bad input systematically: every file reader, fed truncated, bit-flipped or random
 * bytes, ends in a result or one clear exception (IOException or IllegalArgumentException with a
 * message), never another exception, an OutOfMemoryError or a hang. Seeded and bounded, so CI runs
 * the same few hundred cases in a few seconds.
 */
class DamagedFilesPropertiesTest {
    /** The readers under test, each with a valid file to damage. */
    enum Format {
        PNG, TIFF, HDF5, SAFETENSORS, JSON_CONFIG;

        private byte[] valid;

        synchronized byte[] valid() throws IOException {
            if (valid == null) {
                Path dir = Files.createTempDirectory("damaged-files");
                Path f = dir.resolve("valid");
                switch (this) {
                    case PNG -> PngIO.writeGray8(f, pattern(12 * 10), 12, 10);
                    case TIFF -> TiffIO.writeStack(f, List.of(labels(), labels()), TiffIO.Depth.BITS_16);
                    case HDF5 -> {
                        byte[][] im = {pattern(64), pattern(64)}, bd = {new byte[64], new byte[64]};
                        int[][] lb = {new int[64], new int[64]};
                        Hdf5Stack.write(new SerialStack(8, 8, im, lb, bd), f, true);
                    }
                    case SAFETENSORS -> {
                        Map<String, Tensor> m = new LinkedHashMap<>();
                        m.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
                        Safetensors.write(f, m);
                        m.get("w").close();
                    }
                    case JSON_CONFIG -> Files.writeString(f, TrainConfig.toJson(TrainConfig.defaults("/data/stack.h5").toMap()));
                }
                valid = Files.readAllBytes(f);
                Files.delete(f);
                Files.delete(dir);
            }
            return valid;
        }

        /** Reads {@code bytes} as this format. */
        void read(byte[] bytes) throws IOException {
            if (this == JSON_CONFIG) {
                if (!(Json.parse(new String(bytes, java.nio.charset.StandardCharsets.UTF_8)) instanceof Map<?, ?> m))
                    throw new IllegalArgumentException("not a JSON object");
                TrainConfig.fromMap(m);
                return;
            }
            Path f = Files.createTempFile("damaged", switch (this) {
                case PNG -> ".png";
                case TIFF -> ".tiff";
                case HDF5 -> ".h5";
                default -> ".safetensors";
            });
            try {
                Files.write(f, bytes);
                switch (this) {
                    case PNG -> PngIO.readGray8(f);
                    case TIFF -> TiffIO.readStack(f);
                    case HDF5 -> Hdf5Stack.read(f);
                    case SAFETENSORS -> Safetensors.read(f).values().forEach(Tensor::close);
                    default -> throw new AssertionError();
                }
            } finally {
                Files.deleteIfExists(f);
            }
        }
    }

    private static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (i * 37);
        return b;
    }

    private static LabelImage labels() {
        int[] v = new int[6 * 5];
        for (int i = 0; i < v.length; i++) v[i] = i * 1000;
        return new LabelImage(6, 5, v);
    }

    /** The one accepted way to fail; anything else fails the property with the input's description. */
    private static void readCleanly(Format f, byte[] bytes, String what) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                f.read(bytes);
            } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) fail(f + " " + what + ": an exception without a message: " + e);
            } catch (Throwable t) {
                throw new AssertionError(f + " " + what + ": " + t, t);
            }
        }, f + " " + what + ": hangs");
    }

    @Property(tries = 60, seed = "16")
    void truncatedFiles(@ForAll Format f, @ForAll @IntRange(min = 0, max = 100_000) int cutPerMille) throws IOException {
        byte[] v = f.valid();
        int keep = (int) ((long) v.length * cutPerMille / 100_000);
        readCleanly(f, java.util.Arrays.copyOf(v, keep), "cut to " + keep + " of " + v.length + " bytes");
    }

    @Property(tries = 120, seed = "16")
    void bitFlippedFiles(@ForAll Format f, @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> flips)
            throws IOException {
        byte[] v = f.valid().clone();
        StringBuilder what = new StringBuilder("bits flipped at");
        for (int r : flips) {
            int bit = r % (v.length * 8);
            v[bit / 8] ^= (byte) (1 << (bit % 8));
            what.append(' ').append(bit);
        }
        readCleanly(f, v, what.toString());
    }

    @Provide
    Arbitrary<byte[]> junk() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
    }

    @Property(tries = 60, seed = "16")
    void randomBytes(@ForAll Format f, @ForAll("junk") byte[] bytes) {
        readCleanly(f, bytes, bytes.length + " random bytes");
    }
}
