#!/usr/bin/env python3
"""Fixtures for ModelFilesTest: original-style PyTorch checkpoints converted by
benchmarks/pytorch/convert_pth.py (Debian python3-torch 1.13, CPU; the test suite needs no Python).

    /usr/bin/python3 make_convert_golden.py           # writes the files below, next to this script
    /usr/bin/python3 make_convert_golden.py --check F # loads F (e.g. a file written by `wpunet export`)
                                                      # into the module definitions below with strict=True

The module definitions are those of the original research code (clovermini/WPU-Net,
segmentation/model.py: Conv3x3, UpConcat, UNet, WPU_Net; names, structure, registration order and
forward as there), restated here with one change: num_feat is a parameter (the original hard-codes
[64, 128, 256, 512, 1024]). Like the original, upconv_k takes num_feat[k+1] input channels, which is
right only for doubling widths, so the widths here double.

  wpunet_dp.safetensors  WPU_Net(2, 2, multi_layer=True), num_feat 2,4,8,16,32, saved as
                         torch.save(nn.DataParallel(net).state_dict()) ("module." keys), converted
  unet.safetensors       UNet(1, 2), num_feat 1,2,4,8,16, saved bare (trainer.py style), converted
  io.safetensors         fixed inputs and the eval-mode logits of both, computed in float64 from
                         the float32 weights: wpunet.x [1,2,32,32] (image, mask -6/1), wpunet.logits,
                         unet.x [1,1,32,32], unet.logits
Batch-norm affine parameters are random and the running statistics those of a few training-mode
forwards of random inputs, so eval mode is exercised; the script checks that the logits vary.
"""
import copy
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[5]          # golden/convert -> golden -> resources -> test -> src -> wpunet -> repo
CONVERTER = ROOT / "benchmarks" / "pytorch" / "convert_pth.py"
WPU_FEAT = [2, 4, 8, 16, 32]
UNET_FEAT = [1, 2, 4, 8, 16]


# ---------------------------------------------------------------- the original module definitions
class Conv3x3(nn.Module):
    def __init__(self, in_feat, out_feat):
        super(Conv3x3, self).__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(in_feat, out_feat, kernel_size=3, stride=1, padding=1),
                                   nn.BatchNorm2d(out_feat), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(out_feat, out_feat, kernel_size=3, stride=1, padding=1),
                                   nn.BatchNorm2d(out_feat), nn.ReLU())

    def forward(self, inputs):
        return self.conv2(self.conv1(inputs))


class UpConcat(nn.Module):
    def __init__(self, in_feat, out_feat):
        super(UpConcat, self).__init__()
        self.deconv = nn.ConvTranspose2d(in_feat, out_feat, kernel_size=2, stride=2)

    def forward(self, inputs, down_outputs):
        return torch.cat([down_outputs, self.deconv(inputs)], 1)


class UNet(nn.Module):
    def __init__(self, num_channels=1, num_classes=2, num_feat=(64, 128, 256, 512, 1024)):
        super(UNet, self).__init__()
        f = list(num_feat)
        self.down1 = nn.Sequential(Conv3x3(num_channels, f[0]))
        self.down2 = nn.Sequential(nn.MaxPool2d(kernel_size=2), Conv3x3(f[0], f[1]))
        self.down3 = nn.Sequential(nn.MaxPool2d(kernel_size=2), Conv3x3(f[1], f[2]))
        self.down4 = nn.Sequential(nn.MaxPool2d(kernel_size=2), Conv3x3(f[2], f[3]))
        self.bottom = nn.Sequential(nn.MaxPool2d(kernel_size=2), Conv3x3(f[3], f[4]))
        self.up1 = UpConcat(f[4], f[3])
        self.upconv1 = Conv3x3(f[4], f[3])
        self.up2 = UpConcat(f[3], f[2])
        self.upconv2 = Conv3x3(f[3], f[2])
        self.up3 = UpConcat(f[2], f[1])
        self.upconv3 = Conv3x3(f[2], f[1])
        self.up4 = UpConcat(f[1], f[0])
        self.upconv4 = Conv3x3(f[1], f[0])
        self.final = nn.Sequential(nn.Conv2d(f[0], num_classes, kernel_size=1))

    def forward(self, inputs):
        d1 = self.down1(inputs)
        d2 = self.down2(d1)
        d3 = self.down3(d2)
        d4 = self.down4(d3)
        b = self.bottom(d4)
        u = self.upconv1(self.up1(b, d4))
        u = self.upconv2(self.up2(u, d3))
        u = self.upconv3(self.up3(u, d2))
        u = self.upconv4(self.up4(u, d1))
        return self.final(u)


class WPU_Net(nn.Module):
    def __init__(self, num_channels=2, num_classes=2, multi_layer=True, num_feat=(64, 128, 256, 512, 1024)):
        super(WPU_Net, self).__init__()
        f = list(num_feat)
        self.multi_layer = multi_layer
        self.down1 = Conv3x3(num_channels, f[0])
        addition = 1 if self.multi_layer else 0
        self.down2 = Conv3x3(f[0] + addition, f[1])
        self.down3 = Conv3x3(f[1] + addition, f[2])
        self.down4 = Conv3x3(f[2] + addition, f[3])
        self.bottom = nn.Sequential(nn.MaxPool2d(kernel_size=2), Conv3x3(f[3], f[4]))
        self.up1 = UpConcat(f[4], f[3])
        self.upconv1 = Conv3x3(f[4], f[3])
        self.up2 = UpConcat(f[3], f[2])
        self.upconv2 = Conv3x3(f[3], f[2])
        self.up3 = UpConcat(f[2], f[1])
        self.upconv3 = Conv3x3(f[2], f[1])
        self.up4 = UpConcat(f[1], f[0])
        self.upconv4 = Conv3x3(f[1], f[0])
        self.final = nn.Sequential(nn.Conv2d(f[0], num_classes, kernel_size=1))
        self.pool = nn.Sequential(nn.MaxPool2d(kernel_size=2))

    def forward(self, inputs, last):
        inputs = torch.cat([inputs, last], 1)
        d1 = self.down1(inputs)
        if self.multi_layer:
            m2 = self.pool(last)
            d2 = self.down2(torch.cat([self.pool(d1), m2], 1))
            m3 = self.pool(m2)
            d3 = self.down3(torch.cat([self.pool(d2), m3], 1))
            m4 = self.pool(m3)
            d4 = self.down4(torch.cat([self.pool(d3), m4], 1))
        else:
            d2 = self.down2(self.pool(d1))
            d3 = self.down3(self.pool(d2))
            d4 = self.down4(self.pool(d3))
        b = self.bottom(d4)
        u = self.upconv1(self.up1(b, d4))
        u = self.upconv2(self.up2(u, d3))
        u = self.upconv3(self.up3(u, d2))
        u = self.upconv4(self.up4(u, d1))
        return self.final(u)


# ---------------------------------------------------------------- fixtures
def randomise_bn_(net, g, channels):
    """Random affine parameters, and running statistics as training leaves them: the average batch
    statistics of a few training-mode forwards of random inputs (so that eval-mode activations stay
    alive rather than all ReLUs going dead)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(0.5 + torch.rand(n, generator=g))
                m.bias.copy_(0.3 * torch.rand(n, generator=g) - 0.1)
                m.reset_running_stats()
                m.momentum = None                  # cumulative average over the forwards below
        net.train()
        for _ in range(8):
            x = make_input(channels, g)
            net(x[:, :1], x[:, 1:]) if channels == 2 else net(x)
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = 0.1
                m.num_batches_tracked.fill_(1234)
    return net.eval()


def make_input(channels, g):
    image = torch.randn(1, 1, 32, 32, generator=g)
    if channels == 1:
        return image
    boundary = torch.zeros(1, 1, 32, 32)
    boundary[..., 11, :] = 1
    boundary[..., :, 20] = 1
    mask = torch.where(boundary == 1, torch.tensor(-6.0), torch.tensor(1.0))
    return torch.cat([image, mask], 1)


def convert(pth, out):
    subprocess.run([sys.executable, str(CONVERTER), str(pth), str(out), "--force"], check=True)


def main():
    torch.manual_seed(2019)
    g = torch.Generator().manual_seed(2019)
    wpu = randomise_bn_(WPU_Net(2, 2, multi_layer=True, num_feat=WPU_FEAT), g, 2)
    unet = randomise_bn_(UNet(1, 2, num_feat=UNET_FEAT), g, 1)
    fx = {}
    with torch.no_grad():
        x = make_input(2, g)
        fx["wpunet.x"] = x
        fx["wpunet.logits"] = copy.deepcopy(wpu).double()(x[:, :1].double(), x[:, 1:].double()).float()
        x = make_input(1, g)
        fx["unet.x"] = x
        fx["unet.logits"] = copy.deepcopy(unet).double()(x.double()).float()
    for k in ("wpunet.logits", "unet.logits"):
        v = fx[k]
        distinct = v.flatten().unique().numel()
        print(f"{k}: range {v.min().item():.4f}..{v.max().item():.4f}, std {v.std().item():.4f}, {distinct} distinct values")
        assert distinct > v.numel() // 4, "degenerate reference: the logits barely depend on the input"
    with tempfile.TemporaryDirectory() as tmp:
        pth = Path(tmp) / "best_model_state.pth"
        sd = nn.DataParallel(wpu).state_dict()
        assert all(k.startswith("module.") for k in sd), "DataParallel keys carry module."
        torch.save(sd, pth)
        convert(pth, HERE / "wpunet_dp.safetensors")
        torch.save(unet.state_dict(), pth)
        convert(pth, HERE / "unet.safetensors")
    sys.path.insert(0, str(CONVERTER.parent))
    import convert_pth
    convert_pth.write_safetensors(HERE / "io.safetensors", fx, {"torch": torch.__version__})
    for f in ("wpunet_dp.safetensors", "unet.safetensors", "io.safetensors"):
        print(f, (HERE / f).stat().st_size, "bytes")


def read_safetensors(path):
    import json
    import struct
    import numpy as np
    raw = Path(path).read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    types = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        b, e = v["data_offsets"]
        a = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=types[v["dtype"]]).reshape(v["shape"])
        out[k] = torch.from_numpy(a.copy())
    return out, header.get("__metadata__", {})


def check(path):
    """Loads an exported file into the original definitions, strict, and runs the fixture input."""
    sd, meta = read_safetensors(path)
    if "down1.conv1.0.weight" in sd:
        w = sd["down1.conv1.0.weight"]
        fused = sd["down2.conv1.0.weight"].shape[1] == w.shape[0] + 1
        feat = [sd[f"down{k}.conv1.0.weight"].shape[0] for k in range(1, 5)] + [sd["bottom.1.conv1.0.weight"].shape[0]]
        net = WPU_Net(w.shape[1], sd["final.0.weight"].shape[0], multi_layer=fused, num_feat=feat)
    else:
        feat = [sd["down1.0.conv1.0.weight"].shape[0]] + [sd[f"down{k}.1.conv1.0.weight"].shape[0] for k in range(2, 5)] \
            + [sd["bottom.1.conv1.0.weight"].shape[0]]
        net = UNet(sd["down1.0.conv1.0.weight"].shape[1], sd["final.0.weight"].shape[0], num_feat=feat)
    net.load_state_dict(sd, strict=True)
    assert sd["down1.conv1.0.weight" if "down1.conv1.0.weight" in sd else "down1.0.conv1.0.weight"].dtype == torch.float32
    io, _ = read_safetensors(HERE / "io.safetensors")
    prefix = "wpunet" if isinstance(net, WPU_Net) else "unet"
    if feat == (WPU_FEAT if prefix == "wpunet" else UNET_FEAT) and io[prefix + ".x"].shape[1] == sum(
            sd[k].shape[1] for k in ("down1.conv1.0.weight", "down1.0.conv1.0.weight") if k in sd):
        with torch.no_grad():
            x = io[prefix + ".x"]
            y = net.eval()(x[:, :1], x[:, 1:]) if prefix == "wpunet" else net.eval()(x)
        err = ((y - io[prefix + ".logits"]).abs().max() / io[prefix + ".logits"].abs().max()).item()
        print(f"fixture widths: eval logits vs the stored reference {err:.2e}")
        assert err < 1e-4, err
    print(f"OK: {path} loads into {type(net).__name__}(num_feat={feat}) with strict=True; metadata keys {sorted(meta)}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
