#!/usr/bin/env python3
"""Golden fixture for org.wpunet.train.loss (WeightMapLossGoldenTest): a port of the original
segmentation/weight_map_loss.py WeightMapLoss.forward (torch 1.13, CPU; the original only runs on CUDA
because its _weight_cof is a CUDA tensor, which is the one change here).

    /usr/bin/python3 make_loss_golden.py     # writes loss_golden.safetensors here

Inputs (float32, so float64 runs see the same values exactly): logits [2,2,8,8], a 1-channel prediction
x1 [2,1,8,8] for the MSE methods, the dilated target [2,8,8] (0/1) and weight maps [2,2,8,8]
(channel 0 = W0 background, 1 = W1 boundary). Pixels are drawn from classes that exercise every branch
of method 4: target 0; boundary (W0 = 1, W1 = 30); dilated with W1 > W0; dilated with W1 == W0 exactly
(tie: both weights); dilated with W1 < W0 (trained as background); target-0 pixels with W0 < 1 (the
w < 1 -> 1 rule of method 8). A quarter of the pixels have one logit 60..75 above the other (less the
normal spread), so the other class's softmax is far below 1e-20 (none within a factor 10 of it, checked)
and the 1e-20 clamp decides its cost and its gradient (both for the weighted and the unweighted class).

Outputs per variant v in abw (method 4), wce1, wce2, wce3, wce5, mse7, mse8, cbw:
  v.loss_f64 [1], v.grad_f64 (d loss / d logits, or d loss / d x1 for mse) from float64,
  v.loss_f32, v.grad_f32 from PyTorch's own float32 run.
"""
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[5]


def load_twin():
    import importlib.util
    spec = importlib.util.spec_from_file_location("wpunet_torch", str(ROOT / "benchmarks" / "gpu" / "wpunet_torch.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class WeightMapLoss(nn.Module):
    """The original's loss (weight_map_loss.py, commit ca2052b), _weight_cof on the CPU."""

    def __init__(self, _eps=1e-20, _dilate_cof=1):
        super().__init__()
        self._eps = _eps
        self._weight_cof = torch.Tensor([_dilate_cof, 20])

    def forward(self, input, target, weight_maps, method=0):
        mask = target.float() if target.dtype != torch.float64 else target
        if -1 < method <= 6:
            input = torch.softmax(input, dim=1)
            input = torch.clamp(input, self._eps, 1 - self._eps)
            weight_bck = torch.zeros_like(mask)
            weight_obj = torch.zeros_like(mask)
            if method == 1:
                weight_bck = (1 - mask) * self._weight_cof[0]
                weight_obj = mask * self._weight_cof[1]
            elif method == 2:
                weight_bck = (1 - mask) * weight_maps[:, 0, :, :]
                weight_obj = mask * weight_maps[:, 1, :, :]
            elif method == 3:
                weight_bck = (1 - mask) * self._weight_cof[0]
                weight_obj = mask * weight_maps[:, 1, :, :]
            elif method == 4 or method == 5:
                temp_weight_bck = weight_maps[:, 0, :, :]
                temp_weight_obj = weight_maps[:, 1, :, :]
                weight_obj = torch.where(temp_weight_obj >= temp_weight_bck, temp_weight_obj, torch.zeros_like(temp_weight_obj))
                weight_obj = mask * weight_obj
                if method == 4:
                    weight_bck = torch.where(weight_obj <= temp_weight_bck, temp_weight_bck, torch.zeros_like(temp_weight_bck))
                else:
                    weight_bck = torch.where(weight_obj <= temp_weight_bck, torch.ones_like(temp_weight_bck),
                                             torch.zeros_like(temp_weight_bck))
            weight_bck = weight_bck.to(input.dtype)
            weight_obj = weight_obj.to(input.dtype)
            loss = -weight_bck * torch.log(input[:, 0, :, :]) - weight_obj * torch.log(input[:, 1, :, :])
            return loss.sum() / (weight_bck + weight_obj).sum()
        elif method >= 7:
            if method == 7:
                weight = mask * (self._weight_cof[1] - self._weight_cof[0]) + self._weight_cof[0]
            elif method == 8:
                weight = 30 * mask + (1 - mask) * weight_maps[:, 0, :, :]
            else:
                weight = torch.zeros_like(mask)
            weight = weight.to(input.dtype)
            weight[weight < 1] = 1
            loss = weight * (input - mask) ** 2
            return torch.mean(loss.sum(dim=(1, 2)) / weight.sum(dim=(1, 2)))
        return None


METHODS = {"wce1": 1, "wce2": 2, "wce3": 3, "abw": 4, "wce5": 5, "mse7": 7, "mse8": 8}


def make_inputs(n=2, h=8, w=8):
    rng = np.random.default_rng(2019)
    kind = rng.integers(0, 6, size=(n, h, w))   # 0 bg, 1 boundary, 2 dilated W1>W0, 3 tie, 4 W1<W0, 5 bg W0<1
    target = np.isin(kind, [1, 2, 3, 4]).astype(np.float32)
    w0 = rng.uniform(1, 11, size=(n, h, w)).astype(np.float32)
    w1 = rng.uniform(0.36, 10, size=(n, h, w)).astype(np.float32)
    w0[kind == 1], w1[kind == 1] = 1, 30
    k2 = kind == 2
    w0[k2] = rng.uniform(1, 4, size=k2.sum()).astype(np.float32)
    w1[k2] = rng.uniform(5, 10, size=k2.sum()).astype(np.float32)
    w1[kind == 3] = w0[kind == 3]
    k4 = kind == 4
    w0[k4] = rng.uniform(6, 11, size=k4.sum()).astype(np.float32)
    w1[k4] = rng.uniform(0.36, 5, size=k4.sum()).astype(np.float32)
    w0[kind == 5] = rng.uniform(0.2, 0.9, size=(kind == 5).sum()).astype(np.float32)
    logits = rng.normal(0, 2, size=(n, 2, h, w)).astype(np.float32)
    big = rng.uniform(size=(n, h, w)) < 0.25
    cls = rng.integers(0, 2, size=(n, h, w))
    for b, i, j in zip(*np.nonzero(big)):
        logits[b, cls[b, i, j], i, j] += np.float32(rng.uniform(60, 75))
    x1 = (target[:, None] + rng.normal(0, 0.7, size=(n, 1, h, w))).astype(np.float32)
    weights = np.stack([w0, w1], 1)
    return (torch.from_numpy(logits), torch.from_numpy(x1), torch.from_numpy(target), torch.from_numpy(weights),
            torch.from_numpy(kind))


def run(variant, logits, x1, target, weights, dtype):
    crit = WeightMapLoss(_dilate_cof=5)
    x = (x1 if variant.startswith("mse") else logits).to(dtype).clone().requires_grad_(True)
    if variant == "cbw":
        loss = nn.CrossEntropyLoss(weight=torch.tensor([1.0, 20.0], dtype=dtype))(x, target.long())
    elif variant.startswith("mse"):
        loss = crit(x.squeeze(1), target.to(dtype), weights.to(dtype), METHODS[variant])
    else:
        loss = crit(x, target.to(dtype), weights.to(dtype), METHODS[variant])
    loss.backward()
    return loss.detach().reshape(1), x.grad


def main():
    twin = load_twin()
    logits, x1, target, weights, kind = make_inputs()
    p = torch.softmax(logits.double(), 1)
    clamped = (p < 1e-20).sum().item()
    weighted_clamped = ((p[:, 1] < 1e-20) & (target > 0)).sum().item() + ((p[:, 0] < 1e-20) & (target == 0)).sum().item()
    near = ((p > 1e-21) & (p < 1e-19)).sum().item()
    assert clamped >= 20 and weighted_clamped >= 5 and near == 0, (clamped, weighted_clamped, near)
    print("pixel classes", np.bincount(kind.numpy().ravel(), minlength=6), "clamped", clamped, "weighted clamped", weighted_clamped)
    fx = {"logits": logits, "x1": x1, "target": target, "weights": weights}
    for v in ["abw", "wce1", "wce2", "wce3", "wce5", "mse7", "mse8", "cbw"]:
        l64, g64 = run(v, logits, x1, target, weights, torch.float64)
        l32, g32 = run(v, logits, x1, target, weights, torch.float32)
        fx[v + ".loss_f64"], fx[v + ".grad_f64"] = l64, g64
        fx[v + ".loss_f32"], fx[v + ".grad_f32"] = l32, g32
        print(f"{v}: loss {l64.item():.12g} (float32 {l32.item():.9g}), |grad| max {g64.abs().max().item():.3g}, "
              f"float32 grad rel err {((g32.double() - g64).abs().max() / g64.abs().max()).item():.2e}")
    twin.write_safetensors(HERE / "loss_golden.safetensors", fx, {"torch": torch.__version__})
    print("wrote", HERE / "loss_golden.safetensors", (HERE / "loss_golden.safetensors").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
