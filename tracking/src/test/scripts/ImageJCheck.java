/*
 * Opens OUT_DIR/labels.tif with ImageJ 1.x (as Fiji does) and compares every voxel with OUT_DIR/label.h5.
 * Run by hand, not by the build (the build has no ImageJ), e.g. with Debian's imagej package:
 *   java -Djava.awt.headless=true -cp "$(cat cp.txt):tracking/target/classes:/usr/share/java/ij.jar" \
 *       tracking/src/test/scripts/ImageJCheck.java OUT_DIR
 * where cp.txt is the tracking module's classpath (mvn dependency:build-classpath).
 */
import ij.IJ;
import ij.ImagePlus;
import java.nio.file.Path;
import org.wpunet.data.LabelVolume;
import org.wpunet.tracking.export.VolumeExports;
public class ImageJCheck {
  public static void main(String[] a) throws Exception {
    ImagePlus imp = IJ.openImage(a[0] + "/labels.tif");
    var c = imp.getCalibration();
    System.out.println("ImageJ " + IJ.getVersion() + ": " + imp.getWidth() + "x" + imp.getHeight() + " slices=" + imp.getNSlices()
        + " stack=" + imp.getStackSize() + " bitDepth=" + imp.getBitDepth() + " pixel=" + c.pixelWidth + "x" + c.pixelHeight
        + " depth=" + c.pixelDepth + " unit=" + c.getUnit());
    LabelVolume v = VolumeExports.readHdf5(Path.of(a[0], "label.h5"));
    long bad = 0;
    for (int z = 0; z < v.depth(); z++) {
      var ip = imp.getStack().getProcessor(z + 1);
      for (int y = 0; y < v.height(); y++) for (int x = 0; x < v.width(); x++) if (ip.getPixelValue(x, y) != v.get(x, y, z)) bad++;
    }
    System.out.println("voxels differing from label.h5: " + bad);
  }
}
