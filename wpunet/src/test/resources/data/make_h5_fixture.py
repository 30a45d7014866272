#!/usr/bin/python3
"""Writes the tiny h5py fixtures read by Hdf5StackTest (run with Debian's python3-h5py):
  pure_iron_layout.h5  the real dataset's layout: image uint8, label int64, boundary uint8 (0/255),
                       each of shape (H, W, N) = (6, 5, 3); label gzip-compressed in chunks.
  truncated.h5         the first 700 bytes of it (a damaged download).
Pixel (y, x) of slice k: image = 10*y + x + 100*k, label = 1 + (x >= 2) + 2*(y >= 3) + 4*k,
boundary = 255 where the right or lower neighbour has another label."""
import h5py
import numpy as np

H, W, N = 6, 5, 3
y, x, k = np.meshgrid(np.arange(H), np.arange(W), np.arange(N), indexing="ij")
image = (10 * y + x + 100 * k).astype(np.uint8)
label = (1 + (x >= 2) + 2 * (y >= 3) + 4 * k).astype(np.int64)
boundary = np.zeros((H, W, N), np.uint8)
boundary[:, :-1, :] |= (label[:, :-1, :] != label[:, 1:, :])
boundary[:-1, :, :] |= (label[:-1, :, :] != label[1:, :, :])
boundary *= 255
with h5py.File("pure_iron_layout.h5", "w") as f:
    f.create_dataset("image", data=image)
    f.create_dataset("label", data=label, chunks=(3, 5, 3), compression="gzip")
    f.create_dataset("boundary", data=boundary)
with open("pure_iron_layout.h5", "rb") as f:
    head = f.read(700)
with open("truncated.h5", "wb") as f:
    f.write(head)
