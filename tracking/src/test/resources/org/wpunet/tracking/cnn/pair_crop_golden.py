"""Golden fixture for PairCrop: the original's crop_two_slice_data + PIL NEAREST resize, in numpy/scipy.

crop_two_slice_data (grain_track at 5f6df94): HxWx2 uint8, ch0 = 255 on the last grain, ch1 = 255 on
this grain; label(full connectivity); bbox of regionprops[0] (the component of the first non-zero voxel
in C order) over rows, cols, channels; crop; skipped when h < 2, w < 2 or depth < 2. Resize NEAREST:
src = floor((dst + 0.5) * in / out). Run: python3 pair_crop_golden.py > pair_crop_golden.json
"""
import json
import numpy as np
from scipy import ndimage

H, W, SIZE = 20, 24, 9
rng = np.random.default_rng(7)


def voronoi(seeds, modulo):
    yy, xx = np.mgrid[0:H, 0:W]
    d = (yy[..., None] - seeds[:, 0]) ** 2 + (xx[..., None] - seeds[:, 1]) ** 2
    # label modulo a small number: some labels own several disjoint cells (disconnected grains)
    return (np.argmin(d, axis=2) % modulo + 1).astype(np.int64)


seeds = rng.uniform([0, 0], [H, W], size=(9, 2))
prev = voronoi(seeds, 6)
cur = voronoi(seeds + rng.normal(0, 2.5, size=seeds.shape), 7)


def crop(p, c):
    a = np.zeros((H, W, 2), np.uint8)
    a[prev == p, 0] = 255
    a[cur == c, 1] = 255
    lab, n = ndimage.label(a, structure=np.ones((3, 3, 3)))
    first = np.flatnonzero(a)[0]
    k = lab.flat[first]
    assert k == 1  # the first component in C order is skimage's regionprops[0]
    r, q, d = np.nonzero(lab == k)
    r0, r1, c0, c1, d0, d1 = r.min(), r.max() + 1, q.min(), q.max() + 1, d.min(), d.max() + 1
    if r1 - r0 < 2 or c1 - c0 < 2 or d1 - d0 < 2:
        return None
    box = a[r0:r1, c0:c1, d0:d1]
    h, w = box.shape[:2]
    sr = np.minimum(np.floor((np.arange(SIZE) + 0.5) * h / SIZE).astype(int), h - 1)
    sc = np.minimum(np.floor((np.arange(SIZE) + 0.5) * w / SIZE).astype(int), w - 1)
    out = box[sr][:, sc]  # SIZE x SIZE x 2
    return [int(r0), int(r1), int(c0), int(c1)], "".join("1" if v else "0" for v in (out.transpose(2, 0, 1) > 0).ravel())


pairs = []
for c in np.unique(cur):
    for p in np.unique(prev[cur == c]):
        res = crop(p, c)
        pairs.append({"current": int(c), "previous": int(p), "box": None if res is None else res[0],
                      "crop": None if res is None else res[1]})
print(json.dumps({"height": H, "width": W, "size": SIZE, "previous": prev.ravel().tolist(),
                  "current": cur.ravel().tolist(), "pairs": pairs}))
