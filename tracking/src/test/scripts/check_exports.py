"""Checks the files of VolumeExports with other people's readers (run by hand, not by the build):
label.h5 with h5py, labels.tif with tifffile and Pillow, labels.vti with VTK's own XML reader.

usage: python3 check_exports.py OUT_DIR      (OUT_DIR written by VolumeExports.writeAll)
"""
import sys
import numpy as np
import h5py

out = sys.argv[1]
with h5py.File(f"{out}/label.h5", "r") as f:
    ref = f["label"][()]                       # (H, W, N) int32
    print("h5py:", ref.shape, ref.dtype, "element_size_um", list(f["label"].attrs["element_size_um"]))
h, w, n = ref.shape

import tifffile
with tifffile.TiffFile(f"{out}/labels.tif") as tf:
    t = tf.asarray()
    print("tifffile: imagej", tf.is_imagej, tf.imagej_metadata, "pages", len(tf.pages), t.dtype)
    xres = tf.pages[0].tags["XResolution"].value
    print("  pixel size from XResolution:", xres[1] / xres[0], "um")
assert t.shape == (n, h, w) and (t == ref.transpose(2, 0, 1)).all()

from PIL import Image
im = Image.open(f"{out}/labels.tif")
assert im.n_frames == n
im.seek(n - 1)
assert (np.array(im) == ref[:, :, n - 1]).all()
print("Pillow: mode", im.mode, "frames", im.n_frames)

import vtk
from vtk.util.numpy_support import vtk_to_numpy
r = vtk.vtkXMLImageDataReader()
r.SetFileName(f"{out}/labels.vti")
r.Update()
img = r.GetOutput()
arr = img.GetCellData().GetArray("label")
v = vtk_to_numpy(arr).reshape(n, h, w)          # x fastest, then y, then z
print("VTK", vtk.vtkVersion.GetVTKVersion(), ": dims", img.GetDimensions(), "spacing", img.GetSpacing(),
      "cells", img.GetNumberOfCells(), arr.GetDataTypeAsString())
assert (v == ref.transpose(2, 0, 1)).all()
print("all readers agree with label.h5")
