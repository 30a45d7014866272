#!/usr/bin/env python3
"""Golden fixture for one training step of the original recipe (WpuNetStepGoldenTest), torch 1.13, CPU.

    /usr/bin/python3 make_step_golden.py     # writes step_golden.safetensors here

The net is make_model_golden.py's (widths 4,6,8,12,16, multi-level fusion on, Xavier-uniform conv init,
random batch-norm affine parameters, seed 2019). The batch: 2 samples of 32x32, Voronoi grain boundaries
(1 px, 4-connected grains), image = noise darkened on the boundaries, previous mask = the boundary of a
shifted pattern coded -6 / 1. The label is dilated twice with a 3x3 square (5 px boundaries, the
original's dataset), the weight maps come from a numpy/scipy/skimage port of the original
caculate_weight_map on the UNDILATED label. One step of trainer.py: train mode, loss = WeightMapLoss method 4
(abw, the port in ../loss/make_loss_golden.py), backward, clip_grad_norm_(params, 5), RMSprop(lr 1e-4,
alpha 0.9, eps 1e-5). The loss is scaled by LOSS_SCALE = 16 before backward so that the gradient norm
(0.54 unscaled, 8.6 scaled) exceeds 5 and the clip acts; the Java test scales alike.

Computed in float64 from the float32 initial weights. Stored: init.* (float32), x, target, weights,
boundary (uint8 0/255, undilated), loss_f64, grad.* (float32, before clipping), clip_norm_f64 (the
total norm before clipping), after_f64.* (parameters after the step, float64) and after_forward.*
(batch-norm running stats and counters after the forward, float32).
"""
import copy
import importlib.util
from pathlib import Path

import numpy as np
import torch
from scipy import ndimage
from skimage import measure

HERE = Path(__file__).resolve().parent
LOSS_SCALE = 16.0


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, str(path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


model_golden = load("make_model_golden", HERE / "make_model_golden.py")
loss_golden = load("make_loss_golden", HERE.parent / "loss" / "make_loss_golden.py")
twin = model_golden.twin


def caculate_weight_map(maskAddress, saveAddress='', weight_cof=30):
    """The original's segmentation/weight_map_loss.py caculate_weight_map (array input, no file I/O):
    returns [H,W,2] = (bck, obj) as float64."""
    mask = maskAddress
    labeled, label_num = measure.label(mask, background=255, return_num=True, connectivity=1)
    image_dis = ndimage.distance_transform_edt(255 - mask)
    w0 = 10
    weight_bck = np.zeros_like(mask, dtype=np.float32) + 1
    weight_obj = mask.astype(np.float64) / 255 * weight_cof
    for i in range(1, label_num + 1):
        dis = image_dis * (labeled == i)
        max_dis = np.max(dis)
        sigma = max_dis / 2.58 + 1e-20
        w_bck = w0 * np.exp(-((max_dis - dis) ** 2) / (2 * sigma ** 2))
        w_obj = w0 * np.exp(-(dis ** 2) / (2 * sigma ** 2))
        weight_bck = weight_bck + w_bck * (labeled == i)
        weight_obj = weight_obj + w_obj * (labeled == i)
    return np.concatenate((weight_bck[:, :, None], weight_obj[:, :, None]), 2)


def voronoi_boundary(rng, h, w, seeds):
    pts = rng.uniform(0, [h, w], size=(seeds, 2))
    yy, xx = np.mgrid[0:h, 0:w]
    lab = np.argmin((yy[..., None] - pts[:, 0]) ** 2 + (xx[..., None] - pts[:, 1]) ** 2, axis=2)
    b = np.zeros((h, w), bool)
    b[:-1, :] |= lab[:-1, :] != lab[1:, :]
    b[:, :-1] |= lab[:, :-1] != lab[:, 1:]
    return b


def make_batch(n=2, h=32, w=32):
    rng = np.random.default_rng(11)
    boundary, prev = [], []
    for _ in range(n):
        boundary.append(voronoi_boundary(rng, h, w, 9))
        prev.append(voronoi_boundary(rng, h, w, 9) | np.roll(boundary[-1], 1, axis=1))
    boundary, prev = np.stack(boundary), np.stack(prev)
    image = rng.normal(0, 0.5, size=(n, h, w)) - 1.5 * boundary
    mask = np.where(prev, -6.0, 1.0)
    x = torch.from_numpy(np.stack([image, mask], 1).astype(np.float32))
    label = (boundary * 255).astype(np.uint8)
    weights = np.stack([caculate_weight_map(l).transpose(2, 0, 1) for l in label]).astype(np.float32)
    dilated = np.stack([ndimage.binary_dilation(b, structure=np.ones((3, 3)), iterations=2) for b in boundary])
    target = torch.from_numpy(dilated.astype(np.float32))
    return x, target, torch.from_numpy(weights), torch.from_numpy(label)


def main():
    net = model_golden.make_net()
    init = {k: v.clone() for k, v in net.state_dict().items()}
    x, target, weights, label = make_batch()
    crit = loss_golden.WeightMapLoss(_dilate_cof=5)

    net64 = copy.deepcopy(net).double().train()
    params = list(net64.parameters())
    opt = torch.optim.RMSprop(params, lr=1e-4, alpha=0.9, eps=1e-5)
    opt.zero_grad()
    logits = net64(x.double())
    loss = crit(logits, target.double(), weights.double(), 4)
    (loss * LOSS_SCALE).backward()
    grads = {k: p.grad.clone() for k, p in net64.named_parameters()}
    norm = torch.nn.utils.clip_grad_norm_(params, 5)
    assert norm > 5, norm
    opt.step()

    fx = {"x": x, "target": target, "weights": weights, "boundary": label,
          "loss_f64": loss.detach().reshape(1), "clip_norm_f64": norm.detach().reshape(1)}
    for k, v in init.items():
        fx["init." + k] = v
    for k, g in grads.items():
        fx["grad." + k] = g.float()
    for k, p in net64.named_parameters():
        fx["after_f64." + k] = p.detach().clone()
    for k, v in net64.named_buffers():
        fx["after_forward." + k] = v.float() if v.is_floating_point() else v.clone()
    twin.write_safetensors(HERE / "step_golden.safetensors", fx, {"torch": torch.__version__, "loss_scale": LOSS_SCALE})
    t = target.numpy() > 0
    w0, w1 = weights[:, 0].numpy(), weights[:, 1].numpy()
    print(f"loss {loss.item():.10g}, clip norm {norm.item():.6g}, target pixels {t.sum()}, dilated pixels with W1 < W0"
          f" {(t & (w1 < w0)).sum()}, ties {(t & (w1 == w0)).sum()}")
    print("wrote", HERE / "step_golden.safetensors", (HERE / "step_golden.safetensors").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
