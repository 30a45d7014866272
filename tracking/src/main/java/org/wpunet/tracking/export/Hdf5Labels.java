package org.wpunet.tracking.export;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.Node;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.Hdf5Stack;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

/**
 * A 3D label volume as HDF5 in the layout of the dataset files ({@link Hdf5Stack}): one dataset
 * {@code label}, int32, shape (H, W, N) in C order (the slice index varies fastest), as h5py writes
 * {@code f["label"][y, x, k]}; chunked (64, 64, N) and deflate-compressed. The dataset carries the
 * voxel size as the attribute {@code element_size_um} = (pixel, pixel, spacing), one value per axis
 * in the dataset's axis order (the convention of ilastik and the Fiji HDF5 plugin).
 */
final class Hdf5Labels {
    private Hdf5Labels() {}

    static final String ELEMENT_SIZE = "element_size_um";

    static void write(LabelVolume v, Path file, VoxelSize voxel) throws IOException {
        int w = v.width(), h = v.height(), n = v.depth(), plane = w * h;
        int[] src = v.data();
        int[][][] label = new int[h][w][n];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                int[] col = label[y][x];
                int i = y * w + x;
                for (int k = 0; k < n; k++) col[k] = src[i + k * plane];
            }
        var options = DatasetCreationOptions.builder().chunkDimensions(new int[] {Math.min(h, 64), Math.min(w, 64), n}).deflate(1).build();
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, true, tmp -> {
            try (var out = HdfFile.write(tmp)) {
                var ds = out.putDataset(Hdf5Stack.LABEL, label, options);
                ds.putAttribute(ELEMENT_SIZE, new double[] {voxel.pixelUm(), voxel.pixelUm(), voxel.spacingUm()});
            } catch (RuntimeException e) {
                throw new IOException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
        });
    }

    /** Reads dataset {@code label} (any 8- to 64-bit integer type, shape (H, W, N)) back into a volume. */
    static LabelVolume read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("no such file: " + file);
        HdfFile hdf;
        try {
            hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + " as HDF5 (truncated or not an HDF5 file): " + e.getMessage(), e);
        }
        try (hdf) {
            Node node = hdf.getChildren().get(Hdf5Stack.LABEL);
            if (!(node instanceof Dataset d))
                throw new IOException(file + " has no dataset '" + Hdf5Stack.LABEL + "' (found: " + hdf.getChildren().keySet() + ")");
            int[] dims = d.getDimensions();
            if (dims.length != 3 || dims[0] == 0 || dims[1] == 0 || dims[2] == 0)
                throw new IOException(file + ": dataset 'label' has shape " + Arrays.toString(dims) + ", expected (H, W, N)");
            int h = dims[0], w = dims[1], n = dims[2], plane = w * h;
            if ((long) plane * n > Integer.MAX_VALUE - 8) throw new IOException(file + ": volume too large: " + Arrays.toString(dims));
            Object flat = d.getDataFlat();   // C order: index (y * W + x) * N + k
            if (!(flat.getClass().isArray() && flat.getClass().getComponentType().isPrimitive()
                    && flat.getClass().getComponentType() != float.class && flat.getClass().getComponentType() != double.class))
                throw new IOException(file + ": dataset 'label' holds " + d.getJavaType().getSimpleName() + ", expected integers");
            int[] labels = new int[plane * n];
            for (int i = 0; i < plane; i++)
                for (int k = 0; k < n; k++) {
                    int j = i * n + k;
                    long val = flat instanceof int[] a ? a[j] : ((Number) Array.get(flat, j)).longValue();
                    if (val < 0 || val > Integer.MAX_VALUE) throw new IOException(file + ": label " + val + " out of range 0.." + Integer.MAX_VALUE);
                    labels[i + k * plane] = (int) val;
                }
            return new LabelVolume(w, h, n, labels);
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + file + " (damaged HDF5 file?): " + e, e);
        }
    }
}
