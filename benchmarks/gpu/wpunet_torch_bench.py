"""PyTorch eager side of the WPU-Net timing comparison: the same network (wpunet_torch.WpuNet), the
same training step and inference as org.wpunet.benchmarks.wpunet.WpuNetTiming, printed the same way
and written as JSON for compare.py.

  train step: zero_grad, forward, abw-style weighted cross-entropy sum(w l)/sum(w), backward,
              clip_grad_norm_(5), RMSprop(lr 1e-4, alpha 0.9, eps 1e-5)   batch 24 of 256x256
  inference:  eval mode, no_grad, one 1024x1024 slice
  modes:      fp32 (TF32 off for cuDNN and cuBLAS), tf32 (TF32 on), bf16 (autocast bfloat16, TF32 off)

cudnn.benchmark is on (the Java side searches algorithms with cudnnFind* once per shape too). Each
timed run ends with torch.cuda.synchronize(); the median is reported.

  python3 benchmarks/gpu/wpunet_torch_bench.py [--device cuda] [--modes fp32,tf32,bf16] [--batch 24]
          [--size 256] [--infer-size 1024] [--steps 20] [--warmup 5] [--json FILE]
"""
import argparse
import contextlib
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
from wpunet_torch import WpuNet, weighted_map_cross_entropy, xavier_init_  # noqa: E402


def batch(n, size, device, seed):
    g = torch.Generator().manual_seed(seed)
    img = torch.rand(n, 1, size, size, generator=g) * 2 - 1
    mask = torch.where(torch.rand(n, 1, size, size, generator=g) < 0.2, -6.0, 1.0)
    target = (torch.rand(n, size, size, generator=g) < 0.2).long()
    u = torch.rand(n, size, size, generator=g)
    weight = torch.where(target == 1, 30 + 10 * u, 1 + 10 * u)
    return torch.cat([img, mask], 1).to(device), target.to(device), weight.to(device)


def timed(warmup, runs, body, sync):
    for _ in range(warmup):
        body()
        sync()
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        body()
        sync()
        ms.append((time.perf_counter() - t0) * 1e3)
    return ms


def _status_kib(field):
    """A field of /proc/self/status in KiB (VmRSS, VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux: 5 > /proc/self/clear_refs); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def profile(label, steps, body, sync):
    """torch.profiler's per-op table (self CPU time, totals over `steps` runs) of `steps` more runs."""
    from torch.profiler import ProfilerActivity, profile as prof
    with prof(activities=[ProfilerActivity.CPU]) as p:
        for _ in range(steps):
            body()
            sync()
    print(f"torch profile, {label} ({steps} steps; times are totals over them)")
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=30))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--modes", default="fp32,tf32,bf16")
    ap.add_argument("--batch", type=int, default=24)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--infer-size", type=int, default=1024)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--widths", default="64,128,256,512,1024")
    ap.add_argument("--json")
    ap.add_argument("--profile", action="store_true",
                    help="also print torch.profiler's per-op table (self CPU time) of a few more steps")
    a = ap.parse_args()
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(1)
    model = xavier_init_(WpuNet(widths=tuple(int(w) for w in a.widths.split(",")))).to(dev)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-4, alpha=0.9, eps=1e-5)
    x, t, w = batch(a.batch, a.size, dev, 3)
    xi, _, _ = batch(1, a.infer_size, dev, 99)
    name = torch.cuda.get_device_name(dev) if cuda else "cpu"
    print(f"PyTorch {torch.__version__} WPU-Net {sum(p.numel() for p in model.parameters()):,} parameters on {name}")
    res = {"impl": "pytorch-eager " + torch.__version__, "device": name, "batch": a.batch, "size": a.size,
           "infer_size": a.infer_size, "train_ms": {}, "infer_ms": {}}
    for mode in a.modes.split(","):
        tf32 = mode == "tf32"
        if cuda:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
        cast = (lambda: torch.autocast(device_type=dev.type, dtype=torch.bfloat16)) if mode == "bf16" else contextlib.nullcontext

        def train_step():
            opt.zero_grad(set_to_none=True)
            with cast():
                logits = model(x)
            loss = weighted_map_cross_entropy(logits.float(), t, w)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()

        def infer_step():
            with torch.no_grad(), cast():
                model(xi)

        model.train()
        timed(a.warmup, 0, train_step, sync)  # warm-up first: optimiser state and gradients then exist
        if cuda:
            torch.cuda.reset_peak_memory_stats(dev)
            base = torch.cuda.memory_allocated(dev)
        else:
            # CPU: growth of the resident set over the steps (run with MALLOC_MMAP_THRESHOLD_ set low
            # so that freed tensors go back to the system and the high-water mark means something)
            base = _status_kib("VmRSS") if _reset_peak_rss() else None
        ms = timed(0, a.steps, train_step, sync)
        if cuda:
            res.setdefault("train_peak_mib", {})[mode] = (torch.cuda.max_memory_allocated(dev) - base) / 2**20
        elif base is not None:
            res.setdefault("train_peak_mib", {})[mode] = (_status_kib("VmHWM") - base) / 1024
        res["train_ms"][mode] = statistics.median(ms)
        print(f"train {mode:<4} batch {a.batch} x {a.size}^2: median {statistics.median(ms):8.2f} ms  "
              f"(min {min(ms):.2f}, mean {statistics.mean(ms):.2f}, {len(ms)} steps)")
        if a.profile:
            profile(f"train {mode}", a.steps, train_step, sync)
        model.eval()
        ms = timed(max(1, a.warmup // 2), max(3, a.steps // 2), infer_step, sync)
        res["infer_ms"][mode] = statistics.median(ms)
        print(f"infer {mode:<4} 1 x {a.infer_size}^2:        median {statistics.median(ms):8.2f} ms  "
              f"(min {min(ms):.2f}, mean {statistics.mean(ms):.2f}, {len(ms)} runs)")
        if a.profile:
            profile(f"inference {mode}", max(3, a.steps // 2), infer_step, sync)
    if cuda:
        print(f"memory on {name}: peak {torch.cuda.max_memory_allocated(dev) / 2**20:.1f} MiB")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
