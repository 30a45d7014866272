#!/usr/bin/env python3
"""Golden fixtures for the nn module, from PyTorch (Debian python3-torch 1.13, CPU).

    /usr/bin/python3 make_nn_golden.py              # writes nn_golden.safetensors and python_types.safetensors here
    /usr/bin/python3 make_nn_golden.py --check F    # reads a safetensors file written by Java (the state dict of
                                                    # the golden net after one RMSprop step) into the torch net with
                                                    # strict load_state_dict and compares it with PyTorch's step

torch 1.13 has no safetensors package, so the format is written and read by hand here:
8-byte little-endian header length, JSON header, raw little-endian data.
"""
import json
import struct
import sys
from pathlib import Path

import torch
import torch.nn as nn

HERE = Path(__file__).resolve().parent
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}
BACK = {v: k for k, v in DTYPES.items()}
WIDTH = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1}


def raw_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        b = raw_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    covered = 0
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        dt = e["dtype"]
        count = 1
        for d in e["shape"]:
            count *= d
        assert end - b == count * WIDTH[dt], name
        covered += end - b
        chunk = bytearray(body[b:end])
        if dt == "BF16":
            t = torch.frombuffer(chunk, dtype=torch.int16).view(torch.bfloat16) if count else torch.empty(0, dtype=torch.bfloat16)
        else:
            t = torch.frombuffer(chunk, dtype=BACK[dt]) if count else torch.empty(0, dtype=BACK[dt])
        out[name] = t.reshape(e["shape"]).clone()
    assert covered == len(body), "data section not covered exactly"
    return out


def make_net():
    torch.manual_seed(1234)
    return nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1, bias=False),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.ConvTranspose2d(4, 3, 2, stride=2),
    )


RMSPROP = dict(lr=1e-3, alpha=0.99, eps=1e-8, weight_decay=1e-4, momentum=0.9)
ADAM = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4)


def forward_backward(net, x, target, weight):
    net.train()
    out = net(x)
    loss = nn.functional.cross_entropy(out, target, weight=weight, ignore_index=-100)
    net.zero_grad()
    loss.backward()
    return out, loss


def main():
    net = make_net()
    torch.manual_seed(99)
    x = torch.randn(2, 2, 8, 8)
    target = torch.randint(0, 3, (2, 8, 8))
    target[0, 0, 0] = -100
    target[1, 3, 5] = -100
    weight = torch.tensor([0.3, 1.0, 2.0])
    init = {k: v.clone() for k, v in net.state_dict().items()}

    out, loss = forward_backward(net, x, target, weight)
    fx = {"x": x, "target": target, "class_weight": weight, "out": out.detach(), "loss": loss.detach().reshape(1)}
    for k, v in init.items():
        fx["init." + k] = v
    for k, v in net.state_dict().items():
        fx["after_forward." + k] = v.clone()
    for k, p in net.named_parameters():
        fx["grad." + k] = p.grad.clone()

    opt = torch.optim.RMSprop(net.parameters(), **RMSPROP)
    opt.step()
    for k, p in net.named_parameters():
        fx["rmsprop." + k] = p.detach().clone()

    net.load_state_dict(init)
    forward_backward(net, x, target, weight)
    opt = torch.optim.Adam(net.parameters(), **ADAM)
    opt.step()
    for k, p in net.named_parameters():
        fx["adam." + k] = p.detach().clone()
    write_safetensors(HERE / "nn_golden.safetensors", fx, {"torch": torch.__version__})

    types = {
        "f32": torch.tensor([[1.5, -2.25], [3.0, 1e-3]], dtype=torch.float32),
        "f64": torch.tensor([1.0 / 3, -2.5e300], dtype=torch.float64),
        "f16": torch.tensor([0.5, -1.25, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([1.0, -3.5, 1e30], dtype=torch.bfloat16),
        "i64": torch.tensor([[-7, 2147483647]], dtype=torch.int64),
        "i32": torch.tensor([-2147483648, 5], dtype=torch.int32),
        "u8": torch.tensor([0, 7, 255], dtype=torch.uint8),
        "scalar": torch.tensor(2.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    write_safetensors(HERE / "python_types.safetensors", types, {"writer": "make_nn_golden.py"})
    print("wrote", HERE / "nn_golden.safetensors", "and", HERE / "python_types.safetensors")


def check(path):
    """Loads a Java-written state dict into the torch net and compares with PyTorch's RMSprop step."""
    fx = read_safetensors(HERE / "nn_golden.safetensors")
    sd = read_safetensors(path)
    net = make_net()
    net.load_state_dict(sd, strict=True)
    worst = 0.0
    for k, p in net.named_parameters():
        ref = fx["rmsprop." + k]
        err = ((p.detach() - ref).abs().max() / ref.abs().max()).item()
        worst = max(worst, err)
        print(f"{k:24s} {tuple(p.shape)} max rel err {err:.2e}")
    nbt = net.state_dict()["1.num_batches_tracked"]
    print("num_batches_tracked", nbt.item(), nbt.dtype)
    assert nbt.dtype == torch.int64 and nbt.item() == 1
    assert worst < 1e-4, worst
    print("OK: PyTorch read the Java file with strict=True; worst relative error", worst)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        main()
