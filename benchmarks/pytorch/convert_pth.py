#!/usr/bin/env python3
"""Convert an original WPU-Net / U-Net PyTorch checkpoint (.pth) to safetensors for the Java library.

    python3 benchmarks/pytorch/convert_pth.py best_model_state.pth wpunet.safetensors [--force]

The input may be what the original code saved (github.com/clovermini/WPU-Net):
  - a pickled state_dict (trainer.py: torch.save(model.state_dict(), ...)),
  - the same saved from an nn.DataParallel wrapper (train.ipynb): every key starts with "module.",
  - a dict holding the state dict under 'state_dict' (or 'model_state_dict', 'model', 'net'),
  - a whole pickled model (torch.save(model, ...)); unpickling it needs the original class
    definitions importable (run from the original repository's segmentation/ folder, or put it on
    PYTHONPATH).
The output has the same keys as the original modules with "module." removed, the same shapes and
dtypes (float tensors as stored, num_batches_tracked as I64), and the metadata
{"format": "pt", "wpunet.source": "<input file name>"}. It is written with the `safetensors`
package when that is importable, otherwise by the small writer below (the format: 8-byte
little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, raw little-endian
data). An existing output is kept unless --force. Needs torch (1.13 or newer), nothing else.
Load the result in Java with org.wpunet.model.ModelFiles.load(path, device): it infers the
architecture from the keys and shapes.
"""
import argparse
import json
import os
import struct
import sys
import tempfile
from collections import OrderedDict

import torch

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}
NESTED = ("state_dict", "model_state_dict", "model", "net")


def load_state_dict(path):
    """The state dict inside whatever torch.save wrote at path, keys with 'module.' stripped."""
    try:
        obj = torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:                      # torch < 1.13 has no weights_only
        obj = torch.load(path, map_location="cpu")
    if isinstance(obj, torch.nn.Module):
        obj = obj.state_dict()
    if isinstance(obj, dict) and not any(torch.is_tensor(v) for v in obj.values()):
        for key in NESTED:
            inner = obj.get(key)
            if isinstance(inner, torch.nn.Module):
                inner = inner.state_dict()
            if isinstance(inner, dict):
                obj = inner
                break
    if not isinstance(obj, dict) or not obj:
        raise SystemExit(f"error: {path}: expected a state dict, a dict with 'state_dict' or a pickled model, "
                         f"got {type(obj).__name__}")
    out = OrderedDict()
    for k, v in obj.items():
        if not torch.is_tensor(v):
            raise SystemExit(f"error: {path}: entry {k!r} is a {type(v).__name__}, not a tensor")
        name = k[len("module."):] if k.startswith("module.") else k
        if name in out:
            raise SystemExit(f"error: {path}: key {name!r} appears with and without the 'module.' prefix")
        if v.dtype not in DTYPES:
            raise SystemExit(f"error: {path}: entry {k!r} has dtype {v.dtype}, not one of {sorted(DTYPES.values())}")
        out[name] = v.detach().cpu().contiguous().clone()   # clone: safetensors refuses shared storage
    return out


def write_safetensors(path, tensors, metadata):
    """The safetensors format, written by hand; entries in the dict's order, header padded to 8 bytes."""
    header, blobs, offset = OrderedDict(), [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        data = t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes() if t.dtype != torch.bfloat16 \
            else t.view(torch.int16).numpy().astype("<i2").tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def save(path, tensors, metadata):
    try:
        from safetensors.torch import save_file
    except ImportError:
        write_safetensors(path, tensors, metadata)
        return "own writer"
    save_file(dict(tensors), path, metadata=metadata)
    return "safetensors " + __import__("safetensors").__version__


def describe(sd):
    if "down1.conv1.0.weight" in sd:
        w = sd["down1.conv1.0.weight"]
        fused = sd["down2.conv1.0.weight"].shape[1] == w.shape[0] + 1 if "down2.conv1.0.weight" in sd else None
        return f"WPU-Net (fusion {'on' if fused else 'off'}), {w.shape[1]} input channels, w0 = {w.shape[0]}"
    if "down1.0.conv1.0.weight" in sd:
        w = sd["down1.0.conv1.0.weight"]
        return f"U-Net, {w.shape[1]} input channel(s), w0 = {w.shape[0]}"
    return "not a WPU-Net or U-Net state dict (first key " + next(iter(sd)) + "); written anyway"


def main(argv=None):
    ap = argparse.ArgumentParser(description="Convert a PyTorch .pth checkpoint of the original WPU-Net/U-Net to safetensors.")
    ap.add_argument("input", help="the .pth file")
    ap.add_argument("output", help="the .safetensors file to write")
    ap.add_argument("--force", action="store_true", help="replace an existing output")
    a = ap.parse_args(argv)
    if os.path.exists(a.output) and not a.force:
        raise SystemExit(f"error: {a.output} exists (use --force to overwrite)")
    sd = load_state_dict(a.input)
    out_dir = os.path.dirname(os.path.abspath(a.output))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(a.output) + ".", suffix=".tmp", dir=out_dir)
    os.close(fd)
    try:
        how = save(tmp, sd, {"format": "pt", "wpunet.source": os.path.basename(a.input)})
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)          # mkstemp makes it 0600
        os.replace(tmp, a.output)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    params = sum(v.numel() for k, v in sd.items() if v.is_floating_point() and "running_" not in k)
    print(f"{a.output}: {len(sd)} tensors, {params:,} parameters; {describe(sd)} ({how})")


if __name__ == "__main__":
    sys.exit(main())
