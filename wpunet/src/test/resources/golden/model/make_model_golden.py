#!/usr/bin/env python3
"""Golden fixture for org.wpunet.model (WpuNetGoldenTest), from the PyTorch twin
benchmarks/gpu/wpunet_torch.py (Debian python3-torch 1.13, CPU).

    /usr/bin/python3 make_model_golden.py            # writes model_golden.safetensors and wpunet_keys.txt here
    /usr/bin/python3 make_model_golden.py --check F  # F: the state dict the Java test writes to
                                                     # wpunet/target/model-golden/java_wpunet.safetensors
                                                     # (after one training-mode forward); loads it into the
                                                     # twin with strict=True and compares the running stats

The net: WPU-Net with small widths (4, 6, 8, 12, 16), multi-level fusion on, Xavier-uniform conv init
(the original recipe) and random batch-norm affine parameters, seed 2019. Input 2x2x32x32 (image,
previous mask encoded -6 boundary / 1 elsewhere), abw-style weighted cross-entropy
sum(w * -log p_target) / sum(w) with a per-pixel weight map (as Losses.weightedMapCrossEntropy, MEAN).

The reference is computed in float64 from the float32 weights (so it carries no float32 rounding of
its own) and stored as float32 (logits, loss, gradients, running stats after the forward), plus the
logits and loss in float64 for a float64 run of the Java net. Also: the eval-mode logits with the
updated running stats, and the training-mode logits of the same net with fusion off (its level 2-4
first conv weights are the fusion weights without the mask input channel).

wpunet_keys.txt lists "key<TAB>[shape]" of the full-width twins (WpuNet fusion on, off; UNet).
"""
import copy
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[5]          # golden/model -> golden -> resources -> test -> src -> wpunet -> repo


def load_twin():
    import importlib.util
    spec = importlib.util.spec_from_file_location("wpunet_torch", str(ROOT / "benchmarks" / "gpu" / "wpunet_torch.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


twin = load_twin()
WIDTHS = (4, 6, 8, 12, 16)
FUSED_INPUTS = ("down2.conv1.0.weight", "down3.conv1.0.weight", "down4.conv1.0.weight")


def make_net():
    torch.manual_seed(2019)
    net = twin.xavier_init_(twin.WpuNet(in_channels=2, classes=2, widths=WIDTHS, multi_level_fusion=True))
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
    return net


def make_batch(n=2, h=32, w=32):
    """Image ~ N(0,1) with darker boundaries; boundaries on a few random rows/columns (2 px wide);
    the previous mask is the same pattern shifted by one pixel."""
    g = torch.Generator().manual_seed(7)
    boundary = torch.zeros(n, h, w, dtype=torch.int64)
    for i in range(n):
        for r in torch.randint(2, h - 3, (3,), generator=g).tolist():
            boundary[i, r:r + 2, :] = 1
        for c in torch.randint(2, w - 3, (3,), generator=g).tolist():
            boundary[i, :, c:c + 2] = 1
    image = torch.randn(n, h, w, generator=g) * 0.5 - 1.5 * boundary
    prev = torch.roll(boundary, shifts=(1, 1), dims=(1, 2))
    mask = torch.where(prev == 1, torch.tensor(-6.0), torch.tensor(1.0))
    x = torch.stack([image, mask], 1).float()
    # abw-like magnitudes: boundary pixels 30..40, interior 1..11
    u = torch.rand(n, h, w, generator=g)
    weight = torch.where(boundary == 1, 30 + 10 * u, 1 + 10 * u).float()
    return x, boundary, weight


def rel_err(a, b):
    return ((a.double() - b.double()).abs().max() / b.double().abs().max()).item()


def main():
    net = make_net()
    init = {k: v.clone() for k, v in net.state_dict().items()}
    x, target, weight = make_batch()

    net64 = copy.deepcopy(net).double().train()
    x64 = x.double()
    logits = net64(x64)
    loss = twin.weighted_map_cross_entropy(logits, target, weight.double())
    loss.backward()

    fx = {"x": x, "target": target, "weight_map": weight,
          "logits": logits.detach().float(), "loss": loss.detach().float().reshape(1),
          "logits_f64": logits.detach(), "loss_f64": loss.detach().reshape(1)}
    for k, v in init.items():
        fx["init." + k] = v
    for k, p in net64.named_parameters():
        fx["grad." + k] = p.grad.float()
    for k, v in net64.named_buffers():
        fx["after_forward." + k] = v.float() if v.is_floating_point() else v.clone()
    with torch.no_grad():
        fx["eval_logits"] = net64.eval()(x64).float()
        nofusion = twin.WpuNet(widths=WIDTHS, multi_level_fusion=False)
        sd = {k: (v[:, :-1] if k in FUSED_INPUTS else v) for k, v in init.items()}
        nofusion.load_state_dict(sd, strict=True)
        fx["nofusion_logits"] = nofusion.double().train()(x64).float()

    # how far PyTorch's own float32 run is from the float64 reference (the scale of float32 noise)
    net32 = copy.deepcopy(net).train()
    out32 = net32(x)
    loss32 = twin.weighted_map_cross_entropy(out32, target, weight)
    loss32.backward()
    # conv biases feeding a training-mode batch norm have gradient 0 in exact arithmetic (the norm
    # subtracts the channel mean): only their absolute size is meaningful
    cancelled = [k for k in fx if k.startswith("grad.") and k.endswith(".0.bias") and not k.startswith("grad.final")]
    worst = max(rel_err(p.grad, fx["grad." + k]) for k, p in net32.named_parameters() if "grad." + k not in cancelled)
    zero = max(p.grad.abs().max().item() for k, p in net32.named_parameters() if "grad." + k in cancelled)
    ref_zero = max(fx[k].abs().max().item() for k in cancelled)
    print(f"torch float32 vs float64: logits {rel_err(out32.detach(), logits.detach()):.2e}, "
          f"loss {rel_err(loss32.detach(), loss.detach()):.2e}, worst gradient {worst:.2e}; "
          f"BN-cancelled bias gradients: float32 {zero:.1e}, float64 {ref_zero:.1e}")

    twin.write_safetensors(HERE / "model_golden.safetensors", fx, {"torch": torch.__version__, "widths": str(WIDTHS)})
    lines = []
    for title, model in (("WpuNet fusion on", twin.WpuNet()), ("WpuNet fusion off", twin.WpuNet(multi_level_fusion=False)),
                         ("UNet", twin.UNet())):
        count = sum(p.numel() for p in model.parameters())
        lines.append(f"# {title}: {count} parameters")
        lines += [f"{k}\t{list(v.shape)}" for k, v in model.state_dict().items()]
    (HERE / "wpunet_keys.txt").write_text("\n".join(lines) + "\n")
    print("wrote", HERE / "model_golden.safetensors", (HERE / "model_golden.safetensors").stat().st_size, "bytes, and wpunet_keys.txt")


def check(path):
    """Loads the Java-written state dict (after one training forward) into the twin, strict."""
    fx = twin.read_safetensors(HERE / "model_golden.safetensors")
    sd = twin.read_safetensors(path)
    net = twin.WpuNet(widths=WIDTHS)
    net.load_state_dict(sd, strict=True)
    worst = 0.0
    for k, v in net.state_dict().items():
        ref = fx["after_forward." + k] if ("running" in k or "num_batches" in k) else fx["init." + k]
        if v.is_floating_point():
            worst = max(worst, rel_err(v, ref))
        else:
            assert v.dtype == torch.int64 and torch.equal(v, ref), k
    print("OK: PyTorch read the Java file with strict=True; worst relative error", worst)
    assert worst < 1e-4, worst


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
