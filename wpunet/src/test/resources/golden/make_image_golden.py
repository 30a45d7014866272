#!/usr/bin/python3
"""Golden fixtures for org.wpunet.image / org.wpunet.metrics, from Debian's python3-skimage and
python3-scipy (run once by hand: /usr/bin/python3 make_image_golden.py; tests never need Python).

Writes image_golden.txt beside this script. Format, one array per line, tab-separated:
    name <TAB> shape (comma-separated, numpy order: (h, w) or (d, h, w); empty for a scalar) <TAB> values
Values are row-major (C order) in numpy's order, i.e. x fastest, like the Java arrays.
What is checked (see ImageGoldenTest / MetricsGoldenTest):
  * skimage.measure.label, 2D connectivity 1/2 (= 4/8), 3D connectivity 1/3 (= 6/26), background 0 and 2
  * scipy.ndimage.distance_transform_edt, 2D, and 3D with sampling (1.8, 1, 1)
  * skimage.morphology.skeletonize (2D)
  * skimage.morphology.binary_dilation/erosion/opening/closing with square(3), disk(2), diamond(1)
  * metrics of boundary-map pairs, 128x128, crop 10: VI through
    skimage.metrics.variation_of_information with label-0 pixels removed; RI/ARI from pair counts;
    Pratt's F through scipy's EDT; mAP as in the Kaggle DSB 2018 kernel; and 3D VI/RI/ARI.
"""
import os
import numpy as np
import scipy
import skimage
from scipy import ndimage as ndi
from skimage import measure, morphology
from skimage.metrics import variation_of_information

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)
lines = []


def put(name, arr):
    a = np.asarray(arr)
    shape = ",".join(str(s) for s in a.shape)
    if a.dtype == bool:
        a = a.astype(np.uint8)
    flat = a.ravel()
    if np.issubdtype(a.dtype, np.floating):
        vals = " ".join(repr(float(v)) for v in flat)
    else:
        vals = " ".join(str(int(v)) for v in flat)
    lines.append(f"{name}\t{shape}\t{vals}")


def blocky(shape, levels, block):
    small = rng.integers(0, levels, size=tuple(-(-s // block) for s in shape))
    big = small
    for ax, s in enumerate(shape):
        big = np.repeat(big, block, axis=ax)
    big = big[tuple(slice(0, s) for s in shape)]
    noise = rng.random(shape) < 0.08
    big = np.where(noise, rng.integers(0, levels, size=shape), big)
    return big.astype(np.int32)


# ---- labelling
img = blocky((40, 48), 4, 4)
put("label2d.input", img)
put("label2d.c4", measure.label(img, background=0, connectivity=1))
put("label2d.c8", measure.label(img, background=0, connectivity=2))
put("label2d.c8.bg2", measure.label(img, background=2, connectivity=2))
vol = blocky((10, 12, 14), 3, 3)
put("label3d.input", vol)
put("label3d.c6", measure.label(vol, background=0, connectivity=1))
put("label3d.c26", measure.label(vol, background=0, connectivity=3))

# ---- EDT
m2 = (ndi.gaussian_filter(rng.random((56, 64)), 3) > 0.49).astype(np.uint8)
put("edt2d.input", m2)
put("edt2d.out", ndi.distance_transform_edt(m2))
m3 = (ndi.gaussian_filter(rng.random((12, 14, 16)), 2) > 0.48).astype(np.uint8)
put("edt3d.input", m3)
put("edt3d.out", ndi.distance_transform_edt(m3, sampling=(1.8, 1.0, 1.0)))

# ---- skeleton: smooth blobs, a ring, a rectangle, thick lines
sk = ndi.gaussian_filter(rng.random((96, 96)), 4) > 0.5
yy, xx = np.mgrid[0:96, 0:96]
sk |= ((yy - 70) ** 2 + (xx - 25) ** 2 < 15 ** 2) & ((yy - 70) ** 2 + (xx - 25) ** 2 > 6 ** 2)
sk[5:20, 60:90] = True
sk[40:44, :] = True
put("skeleton.input", sk)
put("skeleton.out", morphology.skeletonize(sk))

# ---- morphology
mm = ndi.gaussian_filter(rng.random((48, 64)), 2) > 0.5
mm[0:6, 10:20] = True  # touches the border
put("morph.input", mm)
for nm, fp in (("square3", morphology.square(3)), ("disk2", morphology.disk(2)), ("cross1", morphology.diamond(1))):
    put(f"morph.{nm}.dilate", morphology.binary_dilation(mm, fp))
    put(f"morph.{nm}.erode", morphology.binary_erosion(mm, fp))
    put(f"morph.{nm}.open", morphology.binary_opening(mm, fp))
    put(f"morph.{nm}.close", morphology.binary_closing(mm, fp))


# ---- metrics
def voronoi(h, w, seeds):
    yy, xx = np.mgrid[0:h, 0:w]
    d = (yy[..., None] - seeds[:, 0]) ** 2 + (xx[..., None] - seeds[:, 1]) ** 2
    return np.argmin(d, axis=-1) + 1


def right_lower_boundary(lab):
    b = np.zeros(lab.shape, bool)
    b[:, :-1] |= lab[:, :-1] != lab[:, 1:]
    b[:-1, :] |= lab[:-1, :] != lab[1:, :]
    return b


def grains(bmap):
    return measure.label(~bmap, background=0, connectivity=1)


def rand_scores(gt, seg):
    # contingency over all pixels (label 0 included)
    n = gt.size
    _, gi = np.unique(gt, return_inverse=True)
    _, si = np.unique(seg, return_inverse=True)
    table = np.zeros((gi.max() + 1, si.max() + 1), np.float64)
    np.add.at(table, (gi.ravel(), si.ravel()), 1)
    s1 = (table ** 2).sum(); s2 = (table.sum(1) ** 2).sum(); s3 = (table.sum(0) ** 2).sum()
    a = (s1 - n) / 2; b = (s2 - s1) / 2; c = (s3 - s1) / 2; d = (s1 + n * n - s2 - s3) / 2
    m = a + b + c + d
    ri = (a + d) / m
    e = (a + b) * (a + c) + (c + d) * (b + d)
    ari = (m * (a + d) - e) / (m * m - e)
    # independent check against the textbook pair-count ARI (Hubert & Arabie)
    comb = lambda x: x * (x - 1) / 2
    sij = comb(table).sum(); sa = comb(table.sum(1)).sum(); sb = comb(table.sum(0)).sum()
    exp = sa * sb / comb(n)
    ari2 = (sij - exp) / (0.5 * (sa + sb) - exp)
    assert abs(ari - ari2) < 1e-9, (ari, ari2)
    return ri, ari


def vi_split(gt, seg):
    keep = (gt != 0) & (seg != 0)
    split, merge = variation_of_information(gt[keep], seg[keep])  # [H(seg|gt), H(gt|seg)]
    return merge, split


def pratt(pred_b, gt_b):
    npred, ngt = pred_b.sum(), gt_b.sum()
    d = ndi.distance_transform_edt(~gt_b)
    return (1.0 / (1.0 + 0.1 * d[pred_b] ** 2)).sum() / max(npred, ngt)


def dsb_map(pred_b, gt_b):
    pb = pred_b.copy(); gb = gt_b.copy()
    for b in (pb, gb):
        b[0, :] = b[-1, :] = b[:, 0] = b[:, -1] = True
    lt = grains(gb); lp = grains(pb)
    nt, np_ = lt.max(), lp.max()
    inter = np.histogram2d(lt.ravel(), lp.ravel(), bins=(nt + 1, np_ + 1),
                           range=((-0.5, nt + 0.5), (-0.5, np_ + 0.5)))[0]
    at = np.histogram(lt, bins=nt + 1, range=(-0.5, nt + 0.5))[0][:, None]
    ap = np.histogram(lp, bins=np_ + 1, range=(-0.5, np_ + 0.5))[0][None, :]
    iou = (inter / (at + ap - inter))[1:, 1:]
    prec = []
    for t in np.arange(0.5, 1.0, 0.05):
        matches = iou > t
        tp = np.sum(matches.sum(axis=1) == 1)
        fp = np.sum(matches.sum(axis=0) == 0)
        fn = np.sum(matches.sum(axis=1) == 0)
        prec.append(tp / (tp + fp + fn))
    return float(np.mean(prec))


H = W = 128
CROP = 10
for case in range(3):
    seeds = rng.uniform(0, [H, W], size=(14 + 4 * case, 2))
    gt_b = right_lower_boundary(voronoi(H, W, seeds))
    ps = seeds + rng.normal(0, 1.5 + case, seeds.shape)
    ps = ps[1:]                                            # one grain merged away
    ps = np.vstack([ps, rng.uniform(0, [H, W], size=(1 + case, 2))])  # extra splits
    pred_b = right_lower_boundary(voronoi(H, W, ps))
    for _ in range(3):                                     # gaps in the predicted boundaries
        y, x = rng.integers(10, H - 14, size=2)
        pred_b[y:y + 4, x:x + 4] = False
    spots = rng.random((H, W)) < 0.002                     # noise spots
    pred_b |= spots
    put(f"metrics{case}.gt", gt_b.astype(np.uint8) * 255)
    put(f"metrics{case}.pred", pred_b.astype(np.uint8) * 255)
    g = gt_b[CROP:-CROP, CROP:-CROP]; p = pred_b[CROP:-CROP, CROP:-CROP]
    lg, lp = grains(g), grains(p)
    merge, split = vi_split(lg, lp)
    ri, ari = rand_scores(lg, lp)
    put(f"metrics{case}.scores", [ri, ari, merge + split, merge, split, pratt(p, g), dsb_map(p, g)])

# 3D VI/RI/ARI on label volumes with some 0 voxels
gt3 = blocky((6, 20, 24), 5, 5)
seg3 = gt3.copy()
seg3[:, :, 12:] = np.where(seg3[:, :, 12:] == 3, 7, seg3[:, :, 12:])      # a split
seg3 = np.where(seg3 == 2, 1, seg3)                                      # a merge
seg3[rng.random(seg3.shape) < 0.05] = 0
put("vol.gt", gt3)
put("vol.seg", seg3)
merge, split = vi_split(gt3, seg3)
ri, ari = rand_scores(gt3, seg3)
put("vol.scores", [ri, ari, merge + split, merge, split])

with open(os.path.join(HERE, "image_golden.txt"), "w") as f:
    f.write(f"# generated by make_image_golden.py with scikit-image {skimage.__version__}, scipy {scipy.__version__}\n")
    f.write("\n".join(lines) + "\n")
print("wrote", len(lines), "arrays")
