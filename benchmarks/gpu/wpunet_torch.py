"""WPU-Net and U-Net in PyTorch, the twin of org.wpunet.model.WpuNet / UNet (Java).

The module tree, and so every ``state_dict()`` key and shape, is the same on both sides and the
same as in the original research code (clovermini/WPU-Net, ``segmentation/model.py``: classes
``WPU_Net`` and ``UNet``), so weights move between PyTorch, the original checkpoints and the Java
library through safetensors without renaming.

Keys (``<block>`` = ``conv1`` | ``conv2``, each ``Sequential(Conv2d 3x3, BatchNorm2d, ReLU)``):

    WPU-Net  down1..down4.<block>.{0.weight,0.bias,1.weight,1.bias,1.running_mean,1.running_var,
             1.num_batches_tracked}
             bottom.1.<block>.*          (bottom = Sequential(MaxPool2d, DoubleConv))
             up1..up4.deconv.{weight,bias}  upconv1..upconv4.<block>.*  final.0.{weight,bias}
    U-Net    down1.0.<block>.*  down2..down4.1.<block>.*  (down_k = Sequential(MaxPool2d, DoubleConv))
             and the same bottom / up / upconv / final keys.

Runs on PyTorch 1.13 and newer; importable (``from wpunet_torch import WpuNet``) or by path with
``load_twin()`` below. Input of WpuNet: [N, C, H, W], channel C-1 is the previous slice's boundary
mask (boundary -6, elsewhere 1), H and W divisible by 16; output: logits [N, classes, H, W].
"""
import torch
import torch.nn as nn

DEFAULT_WIDTHS = (64, 128, 256, 512, 1024)


class DoubleConv(nn.Module):
    """Two (3x3 conv, padding 1, with bias) -> BatchNorm2d -> ReLU; the original's ``Conv3x3``."""

    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(in_ch, out_ch, 3, stride=1, padding=1), nn.BatchNorm2d(out_ch), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(out_ch, out_ch, 3, stride=1, padding=1), nn.BatchNorm2d(out_ch), nn.ReLU())

    def forward(self, x):
        return self.conv2(self.conv1(x))


class UpConcat(nn.Module):
    """2x2 stride-2 transposed conv, then concatenation [skip, upsampled] along channels."""

    def __init__(self, in_ch, out_ch):
        super().__init__()
        self.deconv = nn.ConvTranspose2d(in_ch, out_ch, kernel_size=2, stride=2)

    def forward(self, x, skip):
        return torch.cat([skip, self.deconv(x)], 1)


def _check_input(name, x, channels):
    if x.dim() != 4 or x.shape[1] != channels or x.shape[2] % 16 or x.shape[3] % 16:
        raise ValueError(f"{name} expects [N,{channels},H,W] with H and W divisible by 16, got {list(x.shape)}")


class _Decoder(nn.Module):
    """The shared expanding path: bottom, up1..up4, upconv1..upconv4, final (registered by subclasses)."""

    def _build_decoder(self, widths, classes):
        w = widths
        self.bottom = nn.Sequential(nn.MaxPool2d(2), DoubleConv(w[3], w[4]))
        # the concatenation [skip, upsampled] has 2 w[k] channels (= w[k+1] for doubling widths, as
        # in the original, which wrote DoubleConv(w[k+1], w[k]))
        self.up1, self.upconv1 = UpConcat(w[4], w[3]), DoubleConv(2 * w[3], w[3])
        self.up2, self.upconv2 = UpConcat(w[3], w[2]), DoubleConv(2 * w[2], w[2])
        self.up3, self.upconv3 = UpConcat(w[2], w[1]), DoubleConv(2 * w[1], w[1])
        self.up4, self.upconv4 = UpConcat(w[1], w[0]), DoubleConv(2 * w[0], w[0])
        self.final = nn.Sequential(nn.Conv2d(w[0], classes, kernel_size=1))

    def _decode(self, d1, d2, d3, d4):
        y = self.bottom(d4)
        y = self.upconv1(self.up1(y, d4))
        y = self.upconv2(self.up2(y, d3))
        y = self.upconv3(self.up3(y, d2))
        y = self.upconv4(self.up4(y, d1))
        return self.final(y)


class WpuNet(_Decoder):
    """WPU-Net: U-Net whose input carries the previous slice's boundary mask as its last channel.

    With multi-level fusion the mask is max-pooled 2x2 (repeatedly) and concatenated after the
    pooled features before encoder levels 2, 3 and 4 (input widths w0+1, w1+1, w2+1).
    """

    def __init__(self, in_channels=2, classes=2, widths=DEFAULT_WIDTHS, multi_level_fusion=True):
        super().__init__()
        if len(widths) != 5:
            raise ValueError(f"widths must have 5 entries, got {widths}")
        if multi_level_fusion and in_channels < 2:
            raise ValueError("multi-level fusion needs a mask channel: in_channels >= 2")
        self.in_channels, self.multi_level_fusion = in_channels, multi_level_fusion
        w, extra = widths, 1 if multi_level_fusion else 0
        self.down1 = DoubleConv(in_channels, w[0])
        self.down2 = DoubleConv(w[0] + extra, w[1])
        self.down3 = DoubleConv(w[1] + extra, w[2])
        self.down4 = DoubleConv(w[2] + extra, w[3])
        self._build_decoder(w, classes)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x, last=None):
        """x: [N,C,H,W] with the mask as channel C-1; or (image, last) as the original took them."""
        if last is not None:
            x = torch.cat([x, last], 1)
        _check_input("WpuNet", x, self.in_channels)
        d1 = self.down1(x)
        if self.multi_level_fusion:
            m2 = self.pool(x[:, -1:])
            d2 = self.down2(torch.cat([self.pool(d1), m2], 1))
            m3 = self.pool(m2)
            d3 = self.down3(torch.cat([self.pool(d2), m3], 1))
            m4 = self.pool(m3)
            d4 = self.down4(torch.cat([self.pool(d3), m4], 1))
        else:
            d2 = self.down2(self.pool(d1))
            d3 = self.down3(self.pool(d2))
            d4 = self.down4(self.pool(d3))
        return self._decode(d1, d2, d3, d4)


class UNet(_Decoder):
    """Plain U-Net (one image channel by default), with the original code's key layout."""

    def __init__(self, in_channels=1, classes=2, widths=DEFAULT_WIDTHS):
        super().__init__()
        if len(widths) != 5:
            raise ValueError(f"widths must have 5 entries, got {widths}")
        self.in_channels = in_channels
        w = widths
        self.down1 = nn.Sequential(DoubleConv(in_channels, w[0]))
        self.down2 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(w[0], w[1]))
        self.down3 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(w[1], w[2]))
        self.down4 = nn.Sequential(nn.MaxPool2d(2), DoubleConv(w[2], w[3]))
        self._build_decoder(w, classes)

    def forward(self, x):
        _check_input("UNet", x, self.in_channels)
        d1 = self.down1(x)
        d2 = self.down2(d1)
        d3 = self.down3(d2)
        d4 = self.down4(d3)
        return self._decode(d1, d2, d3, d4)


def xavier_init_(model):
    """The original training recipe: Xavier-uniform on every nn.Conv2d weight (the 1x1 head
    included; the original's ``classname.find('Conv2d')`` does not match ConvTranspose2d), biases
    keep PyTorch's default init."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)
    return model


def weighted_map_cross_entropy(logits, target, weight_map):
    """abw-style loss as org.wpunet.nn.loss.Losses.weightedMapCrossEntropy(MEAN):
    sum(w * -log_softmax(logits)[target]) / sum(w), weight map [N,H,W] per pixel."""
    logp = torch.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    return -(weight_map * logp).sum() / weight_map.sum()


# ---------------------------------------------------------------- safetensors without the package
# (PyTorch 1.13 on Debian has no safetensors module): 8-byte little-endian header length, JSON
# header {name: {dtype, shape, data_offsets}}, then the raw little-endian data.
_DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
           torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}
_BACK = {v: k for k, v in _DTYPES.items()}


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: tensor} (CPU copies are taken) in the safetensors format."""
    import json
    import struct
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        b = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()  # x86/ARM: little-endian
        header[name] = {"dtype": _DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
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
    """Reads a safetensors file into {name: CPU tensor}."""
    import json
    import struct
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body, out = data[8 + n:], {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        start, end = e["data_offsets"]
        dt = _BACK[e["dtype"]]
        raw = bytearray(body[start:end])
        if end == start:
            t = torch.empty(0, dtype=dt)
        elif dt == torch.bfloat16:
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(raw, dtype=dt)
        out[name] = t.reshape(e["shape"]).clone()
    return out


def save_weights(model, path):
    """The model's state_dict as safetensors (loads into org.wpunet.model.WpuNet/UNet with
    StateDicts.load(model, path, true))."""
    write_safetensors(path, model.state_dict(), {"writer": "wpunet_torch.py", "torch": torch.__version__})


def load_weights(model, path, strict=True):
    """Loads a safetensors state dict (e.g. written by the Java StateDicts.save) into the model."""
    return model.load_state_dict(read_safetensors(path), strict=strict)


def load_twin(path):
    """Imports this file from a path (for scripts that do not have benchmarks/gpu on sys.path)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("wpunet_torch", str(path))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


if __name__ == "__main__":
    net = WpuNet()
    print("WPU-Net parameters:", sum(p.numel() for p in net.parameters()))
    print("U-Net parameters:", sum(p.numel() for p in UNet().parameters()))
    with torch.no_grad():
        print("logits", tuple(net.eval()(torch.zeros(1, 2, 64, 64)).shape))
