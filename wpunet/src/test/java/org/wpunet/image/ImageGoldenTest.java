package org.wpunet.image;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** Agreement with scikit-image / scipy on fixtures from golden/make_image_golden.py. */
class ImageGoldenTest {
    @Test
    void labelling2DMatchesSkimage() {
        var in = Golden.get("label2d.input");
        int w = in.width(), h = in.height();
        assertArrayEquals(Golden.get("label2d.c4").ints(), ConnectedComponents.label(in.ints(), w, h, 4, 0).labels());
        assertArrayEquals(Golden.get("label2d.c8").ints(), ConnectedComponents.label(in.ints(), w, h, 8, 0).labels());
        assertArrayEquals(Golden.get("label2d.c8.bg2").ints(), ConnectedComponents.label(in.ints(), w, h, 8, 2).labels());
    }

    @Test
    void labelling3DMatchesSkimage() {
        var in = Golden.get("label3d.input");
        int d = in.shape()[0], h = in.shape()[1], w = in.shape()[2];
        assertArrayEquals(Golden.get("label3d.c6").ints(), ConnectedComponents.label3D(in.ints(), w, h, d, 6, 0));
        assertArrayEquals(Golden.get("label3d.c26").ints(), ConnectedComponents.label3D(in.ints(), w, h, d, 26, 0));
    }

    @Test
    void edtMatchesScipy() {
        var in = Golden.get("edt2d.input");
        double[] got = DistanceTransform.edt(in.bytes(), in.width(), in.height());
        double[] want = Golden.get("edt2d.out").values();
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-12, "pixel " + i);
        var in3 = Golden.get("edt3d.input");
        int d = in3.shape()[0], h = in3.shape()[1], w = in3.shape()[2];
        double[] got3 = DistanceTransform.edt3D(in3.bytes(), w, h, d, new double[]{1.0, 1.0, 1.8});
        double[] want3 = Golden.get("edt3d.out").values();
        for (int i = 0; i < want3.length; i++) assertEquals(want3[i], got3[i], 1e-12, "voxel " + i);
    }

    @Test
    void skeletonMatchesSkimage() {
        var in = Golden.get("skeleton.input");
        byte[] got = Skeleton.skeletonize(in.bytes(), in.width(), in.height());
        int[] want = Golden.get("skeleton.out").ints();
        for (int i = 0; i < want.length; i++) assertEquals(want[i] != 0, got[i] != 0, "pixel " + i);
    }

    @Test
    void morphologyMatchesSkimage() {
        var in = Golden.get("morph.input");
        int w = in.width(), h = in.height();
        byte[] m = in.bytes();
        String[] names = {"square3", "disk2", "cross1"};
        StructuringElement[] ses = {StructuringElement.square(3), StructuringElement.disk(2), StructuringElement.cross(1)};
        for (int k = 0; k < names.length; k++) {
            check("morph." + names[k] + ".dilate", Morphology.dilate(m, w, h, ses[k]));
            check("morph." + names[k] + ".erode", Morphology.erode(m, w, h, ses[k]));
            check("morph." + names[k] + ".open", Morphology.open(m, w, h, ses[k]));
            check("morph." + names[k] + ".close", Morphology.close(m, w, h, ses[k]));
        }
    }

    private static void check(String name, byte[] got) {
        int[] want = Golden.get(name).ints();
        for (int i = 0; i < want.length; i++) assertEquals(want[i] != 0, got[i] != 0, name + " pixel " + i);
    }
}
