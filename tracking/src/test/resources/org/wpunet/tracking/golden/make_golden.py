#!/usr/bin/python3
"""Golden fixtures for the tracking tests: a line-by-line numpy/scipy/skimage port of the original
WPU-Net tracking code (grain_track/ at 5f6df94, as ORIGINAL.md section 8 states it) run on small
synthetic slices. Run from this directory with Debian's python3 (skimage 0.19): /usr/bin/python3 make_golden.py

Every array is written as text: a line "W H D", then the values with x fastest, then y, then z.
"""
import numpy as np
from skimage import measure, morphology


# ---------------------------------------------------------------- utility.get_label_from_boundary
def get_label_from_boundary(boundary):
    b = boundary.copy()
    b[0, :] = 255
    b[-1, :] = 255
    b[:, 0] = 255
    b[:, -1] = 255
    lab, number = measure.label(b, connectivity=1, background=255, return_num=True)
    props = sorted(measure.regionprops(lab), key=lambda p: p.area, reverse=True)  # stable
    out = np.zeros_like(lab)
    cross = morphology.disk(1)
    for p in props:
        out[morphology.binary_dilation(lab == p.label, cross)] = p.label
    h, w = out.shape
    while (out == 0).any():
        rows, cols = np.where(out == 0)
        for r, c in zip(rows, cols):
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):   # up, down, left, right
                rr, cc = r + dr, c + dc
                if 0 <= rr < h and 0 <= cc < w and out[rr, cc] != 0:
                    out[r, c] = out[rr, cc]
                    break
    return out, number


# ---------------------------------------------------------------- GrainTrack._track_label, method 1
def track_centroid(last, this, label_num):
    last_ids = np.unique(last)
    last_c = np.array([p.centroid for p in measure.regionprops(last)], dtype=np.float32)
    chosen = {}                                    # last label -> (this label, distance)
    for tp in measure.regionprops(this):
        tc = np.array(tp.centroid, dtype=np.float32)
        d = np.sqrt(((last_c - tc) ** 2).sum(axis=1))
        j = int(np.argmin(d))
        L = last_ids[j]
        inter = np.sum((last == L) & (this == tp.label))
        if inter == 0:
            continue
        union = np.sum((last == L) | (this == tp.label))
        if inter / union > 0.2:
            if L not in chosen or d[j] < chosen[L][1]:
                chosen[L] = (tp.label, d[j])
    return finish(this, {t: L for L, (t, _) in chosen.items()}, label_num)


# ---------------------------------------------------------------- GrainTrack._track_label, method 2
def track_overlap(last, this, label_num):
    used_last, assigned, candidates = set(), {}, {}
    n_assigned = -1
    while len(assigned) != n_assigned:
        n_assigned = len(assigned)
        for t in range(1, this.max() + 1):
            if t in assigned:
                continue
            ids, counts = np.unique(last[this == t], return_counts=True)
            best, bc = None, 0
            for i, c in zip(ids, counts):
                if i in used_last:
                    continue
                if c > bc:
                    best, bc = i, c
            if best is not None:
                candidates.setdefault(best, []).append((t, bc))
        for L, cands in candidates.items():
            t, _ = max(cands, key=lambda x: x[1])
            assigned[t] = L
            used_last.add(L)
    return finish(this, assigned, label_num)


def finish(this, assigned, label_num):
    track = np.zeros_like(this)
    for t in range(1, this.max() + 1):
        if t in assigned:
            track[this == t] = assigned[t]
        else:
            label_num += 1
            track[this == t] = label_num
    return track


# ---------------------------------------------------------------- GrainTrack._justify_last_labeled
def justify(prev, cur, nxt):
    cur = cur.copy()
    for L in np.unique(cur):
        if L in prev or L in nxt:
            continue
        m = cur == L
        ip, cp = np.unique(prev[m], return_counts=True)
        inx, cn = np.unique(nxt[m], return_counts=True)
        new = ip[np.argmax(cp)]
        if cn.max() > cp.max():
            new = inx[np.argmax(cn)]
        cur[m] = new
    return cur


# ---------------------------------------------------------------- GrainTrack.get_tracked_label_stack
def tracked_stack(boundaries, method):
    this, label_num = get_label_from_boundary(boundaries[0])
    stack = np.zeros(boundaries[0].shape + (len(boundaries),), dtype=np.int64)
    stack[:, :, 0] = this
    last = this
    for k in range(1, len(boundaries)):
        this, _ = get_label_from_boundary(boundaries[k])
        track = method(last, this, label_num)
        if k > 1:
            stack[:, :, k - 1] = justify(stack[:, :, k - 2], stack[:, :, k - 1], track)
        stack[:, :, k] = track
        label_num = stack[:, :, :k + 1].max()
        last = track
    return measure.label(stack, connectivity=3, background=0)


# ---------------------------------------------------------------- synthetic slices
def voronoi(h, w, seeds, ids):
    yy, xx = np.mgrid[0:h, 0:w]
    d = (yy[..., None] - seeds[:, 0]) ** 2 + (xx[..., None] - seeds[:, 1]) ** 2
    return ids[np.argmin(d, axis=2)]


def boundary_of(lab, thick):
    b = np.zeros(lab.shape, dtype=np.uint8)
    b[:, :-1][lab[:, 1:] != lab[:, :-1]] = 255
    b[:-1, :][lab[1:, :] != lab[:-1, :]] = 255
    if thick:
        b = np.where(morphology.binary_dilation(b > 0, morphology.disk(1)), 255, 0).astype(np.uint8)
    return b


def save(name, a):
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[:, :, None]
    h, w, d = a.shape
    with open(name, "w") as f:
        f.write(f"{w} {h} {d}\n")
        for z in range(d):
            for y in range(h):
                f.write(" ".join(str(int(v)) for v in a[y, :, z]) + "\n")


def main():
    rng = np.random.default_rng(12)
    # per-slice grains: thin and thick boundaries, speckle (isolated boundary pixels and holes)
    for case, (h, w, n, thick, speckle) in enumerate([(24, 30, 9, False, 0.0), (32, 40, 14, True, 0.0),
                                                     (28, 36, 25, False, 0.08), (20, 20, 6, True, 0.15)]):
        seeds = rng.uniform(0, [h, w], size=(n, 2))
        b = boundary_of(voronoi(h, w, seeds, np.arange(1, n + 1)), thick)
        flip = rng.random(b.shape) < speckle
        b[flip] = 255 - b[flip]
        grains, _ = get_label_from_boundary(b)
        save(f"grains{case}_boundary.txt", b)
        save(f"grains{case}_labels.txt", grains)
    # one linking step: last = previous slice as tracked (sparse ids), this = grains of a moved Voronoi slice
    for case, (h, w, n, move, thick) in enumerate([(30, 40, 12, 2.0, False), (30, 40, 20, 4.0, True),
                                                   (24, 24, 16, 3.0, False), (40, 40, 30, 5.0, False)]):
        seeds = rng.uniform(0, [h, w], size=(n, 2))
        ids = rng.permutation(np.arange(1, 4 * n))[:n] * 3 + 5           # arbitrary, non-consecutive ids
        last = voronoi(h, w, seeds, ids)
        keep = rng.random(n) > 0.15                                       # some grains end
        moved = seeds[keep] + rng.normal(0, move, size=(keep.sum(), 2))
        born = rng.uniform(0, [h, w], size=(3, 2))                        # some grains start
        nxt = np.concatenate([moved, born])
        b = boundary_of(voronoi(h, w, nxt, np.arange(1, len(nxt) + 1)), thick)
        this, _ = get_label_from_boundary(b)
        label_num = int(last.max())
        save(f"link{case}_last.txt", last)
        save(f"link{case}_boundary.txt", b)
        save(f"link{case}_centroid.txt", track_centroid(last, this, label_num))
        save(f"link{case}_overlap.txt", track_overlap(last, this, label_num))
    # whole stacks: a Voronoi volume cut into slices, boundaries per slice
    for case, (h, w, d, n) in enumerate([(28, 32, 8, 18), (24, 24, 10, 30)]):
        seeds = rng.uniform(0, [h, w, d * 1.0], size=(n, 3))
        zz, yy, xx = np.mgrid[0:d, 0:h, 0:w]
        dist = (yy[..., None] - seeds[:, 0]) ** 2 + (xx[..., None] - seeds[:, 1]) ** 2 + ((zz[..., None] - seeds[:, 2]) * 1.5) ** 2
        vol = np.argmin(dist, axis=3) + 1                                 # (d, h, w)
        bs = [boundary_of(vol[z], False) for z in range(d)]
        save(f"stack{case}_boundary.txt", np.stack(bs, axis=2))
        save(f"stack{case}_centroid.txt", tracked_stack(bs, track_centroid))
        save(f"stack{case}_overlap.txt", tracked_stack(bs, track_overlap))


if __name__ == "__main__":
    main()
