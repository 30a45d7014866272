package org.wpunet.tracking.export;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.wpunet.core.cpu.Parallel;
import org.wpunet.core.io.AtomicFiles;
import org.wpunet.data.DirectoryStack;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.VoxelSize;

/**
 * The 3D label volume in the forms people open it with, all written into one output directory:
 * <ul>
 *   <li>{@value #HDF5}: dataset {@code label}, int32, H x W x N like the dataset files (h5py, Python);</li>
 *   <li>{@value #TIFF}: a 32-bit stack that ImageJ/Fiji opens calibrated (pixel size, section spacing);</li>
 *   <li>{@value #VTI}: VTK image data for ParaView (one Int32 cell value per voxel, spacing = voxel size);</li>
 *   <li>{@value #SLICES}{@code /NNN.png}: each slice coloured by grain, boundaries dark (numbered from 1);</li>
 *   <li>{@value #ORTHOGONAL}: XY, XZ and YZ cuts through the middle, true to scale, in the same colours.</li>
 * </ul>
 * Every file is written atomically (a temporary sibling renamed into place) and the slice folder is
 * swapped in as a whole. These names are replaced if they exist (the caller decides whether the
 * directory may be written, as the commands do with {@code --force}); nothing else in the directory is
 * touched, and an existing {@value #SLICES} folder is replaced only when it holds nothing but numbered
 * PNGs (as written here), otherwise the write fails before anything is changed.
 */
public final class VolumeExports {
    private VolumeExports() {}

    public static final String HDF5 = "label.h5", TIFF = "labels.tif", VTI = "labels.vti", SLICES = "slices",
            ORTHOGONAL = "orthogonal.png";
    /** Every name {@link #writeAll} writes in its output directory. */
    public static final List<String> OUTPUT_NAMES = List.of(HDF5, TIFF, VTI, SLICES, ORTHOGONAL);
    private static final Pattern NUMBERED_PNG = Pattern.compile("\\d+\\.png");

    /**
     * Writes all five outputs into {@code outDir} (created if missing) and returns their paths in the
     * order of {@link #OUTPUT_NAMES} (the slice folder's PNGs are not listed one by one).
     */
    public static List<Path> writeAll(LabelVolume volume, Path outDir, VoxelSize voxel) throws IOException {
        return writeAll(volume, outDir, voxel, Progress.NONE);
    }

    /** Reports each output as it is finished: its path, how many are done, of how many. */
    @FunctionalInterface
    public interface Progress {
        void written(Path output, int done, int total);
        Progress NONE = (p, d, t) -> {};
    }

    /** {@link #writeAll(LabelVolume, Path, VoxelSize)} telling {@code progress} after each output. */
    public static List<Path> writeAll(LabelVolume volume, Path outDir, VoxelSize voxel, Progress progress) throws IOException {
        check(volume, voxel);
        Objects.requireNonNull(progress, "progress");
        Objects.requireNonNull(outDir, "outDir");
        if (Files.exists(outDir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(outDir))
            throw new IOException("cannot write " + outDir + ": exists and is not a directory");
        checkSlicesReplaceable(outDir.resolve(SLICES));  // before anything is written
        List<Path> written = new ArrayList<>();
        int total = OUTPUT_NAMES.size();
        written.add(writeHdf5(volume, outDir.resolve(HDF5), voxel));
        progress.written(written.getLast(), written.size(), total);
        written.add(writeTiff(volume, outDir.resolve(TIFF), voxel));
        progress.written(written.getLast(), written.size(), total);
        written.add(writeVti(volume, outDir.resolve(VTI), voxel));
        progress.written(written.getLast(), written.size(), total);
        written.add(writeSlicePngs(volume, outDir.resolve(SLICES)));
        progress.written(written.getLast(), written.size(), total);
        written.add(writeOrthogonalViews(volume, outDir.resolve(ORTHOGONAL), voxel));
        progress.written(written.getLast(), written.size(), total);
        return List.copyOf(written);
    }

    /** {@value #HDF5}: dataset {@code label}, int32, shape (H, W, N), attribute {@code element_size_um}. */
    public static Path writeHdf5(LabelVolume volume, Path file, VoxelSize voxel) throws IOException {
        check(volume, voxel);
        Hdf5Labels.write(volume, file, voxel);
        return file;
    }

    /** Reads the {@code label} dataset of an HDF5 file (shape (H, W, N), any integer type) as a volume. */
    public static LabelVolume readHdf5(Path file) throws IOException {
        return Hdf5Labels.read(file);
    }

    /** {@value #TIFF}: one int32 page per slice, ImageJ description and resolution set ({@link ImageJTiff}). */
    public static Path writeTiff(LabelVolume volume, Path file, VoxelSize voxel) throws IOException {
        check(volume, voxel);
        ImageJTiff.write(volume, file, voxel);
        return file;
    }

    /** {@value #VTI}: VTK XML image data with one Int32 cell array {@code label} ({@link VtkImageData}). */
    public static Path writeVti(LabelVolume volume, Path file, VoxelSize voxel) throws IOException {
        check(volume, voxel);
        VtkImageData.write(volume, file, voxel);
        return file;
    }

    /** Reads a {@code .vti} as written by {@link #writeVti} (raw appended Int32 cell data, zlib or plain). */
    public static LabelVolume readVti(Path file) throws IOException {
        return VtkImageData.read(file);
    }

    /**
     * One PNG per slice in folder {@code dir} (001.png, 002.png, ...: numbered from 1 like the stack
     * folders), each grain in its colour, boundaries dark; slices narrower than 256 pixels are
     * enlarged by a whole factor. The folder is built aside and swapped in whole.
     */
    public static Path writeSlicePngs(LabelVolume volume, Path dir) throws IOException {
        Objects.requireNonNull(volume, "volume");
        checkSlicesReplaceable(dir);
        int w = volume.width(), h = volume.height(), n = volume.depth();
        int s = (int) Math.max(1, OrthogonalViews.displayScale(Math.max(w, h)));
        AtomicFiles.createParentDirectories(dir);
        Path staged = AtomicFiles.stagingDirectory(dir);
        try {
            // slices are independent: render and encode them on the shared CPU pool
            Parallel.forRange(n, 1, (from, to) -> {
                for (int z = from; z < to; z++) {
                    final int k = z;
                    BufferedImage img = LabelPlanes.render((x, y) -> volume.get(x, y, k), w, h, w * s, h * s);
                    Path png = staged.resolve(DirectoryStack.fileName(z, n));
                    try {
                        if (!ImageIO.write(img, "png", png.toFile())) throw new IOException("no PNG writer");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            AtomicFiles.publish(List.of(new AtomicFiles.Move(staged, dir)), true);
        } catch (UncheckedIOException e) {
            throw new IOException("cannot write " + dir + ": " + AtomicFiles.reason(e.getCause(), dir, staged), e.getCause());
        } finally {
            AtomicFiles.discard(staged);   // gone already when published
        }
        return dir;
    }

    /** {@value #ORTHOGONAL}: XY, YZ and XZ cuts through the middle ({@link OrthogonalViews}). */
    public static Path writeOrthogonalViews(LabelVolume volume, Path file, VoxelSize voxel) throws IOException {
        check(volume, voxel);
        BufferedImage img = OrthogonalViews.render(volume, voxel);
        AtomicFiles.createParentDirectories(file);
        AtomicFiles.writeFile(file, true, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) throw new IOException("no PNG writer");
        });
        return file;
    }

    private static void check(LabelVolume volume, VoxelSize voxel) {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(voxel, "voxel");
    }

    /** An existing slice folder may be replaced only if it holds numbered PNGs and nothing else. */
    private static void checkSlicesReplaceable(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
            throw new IOException("cannot write " + dir + ": exists and is not a directory");
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || !NUMBERED_PNG.matcher(p.getFileName().toString()).matches())
                    throw new IOException("will not replace " + dir + ": it holds " + p.getFileName()
                            + ", which is not a slice picture written here (move it away or choose another output directory)");
            }
        }
    }
}
