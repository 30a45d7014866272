"""PyTorch CPU timings of the ops in the JMH benchmarks (same shapes), for compare-cpu.sh.

Prints one JSON object {op: milliseconds per call}. Each op: warm-up, then the median of several
timed repetitions, with 2 intra-op threads (the JVM side uses both cores too).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)
aten = torch.ops.aten


def bench(fn, reps=5, warm=2, min_time=0.3):
    for _ in range(warm):
        fn()
    times = []
    for _ in range(reps):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            if time.perf_counter() - t0 >= min_time:
                break
        times.append((time.perf_counter() - t0) / n * 1e3)
    return statistics.median(times)


res = {}
with torch.no_grad():
    a, b = torch.rand(1024, 1024) - 0.5, torch.rand(1024, 1024) - 0.5
    out = torch.empty(1024, 1024)
    res["sgemm1024"] = bench(lambda: torch.mm(a, b, out=out))

    x = torch.rand(1, 64, 256, 256) - 0.5
    w = torch.rand(64, 64, 3, 3) - 0.5
    bias = torch.rand(64) - 0.5
    dy = torch.rand(1, 64, 256, 256) - 0.5
    res["conv3x3Forward"] = bench(lambda: F.conv2d(x, w, bias, 1, 1))
    res["conv3x3InputGrad"] = bench(lambda: aten.convolution_backward(
        dy, x, w, [64], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False]))
    res["conv3x3WeightGrad"] = bench(lambda: aten.convolution_backward(
        dy, x, w, [64], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [False, True, True]))

    # WPU-Net's other 3x3 layers at batch 2 (ConvBenchmark.shape*), keyed "op:c-oc-size"
    for c, oc, sz in [(2, 64, 256), (128, 128, 128), (256, 256, 64), (512, 512, 32), (1024, 1024, 16)]:
        sx = torch.rand(2, c, sz, sz) - 0.5
        sw = torch.rand(oc, c, 3, 3) - 0.5
        sb = torch.rand(oc) - 0.5
        sdy = torch.rand(2, oc, sz, sz) - 0.5
        key = f"{c}-{oc}-{sz}"
        res["shapeForward:" + key] = bench(lambda: F.conv2d(sx, sw, sb, 1, 1))
        res["shapeInputGrad:" + key] = bench(lambda: aten.convolution_backward(
            sdy, sx, sw, [oc], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False]))
        res["shapeWeightGrad:" + key] = bench(lambda: aten.convolution_backward(
            sdy, sx, sw, [oc], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [False, True, True]))

    # the small network's thin layers at batch 8 (ConvBenchmark.thin*), keyed "op:c-oc-size"
    for c, oc, sz in [(16, 16, 256), (32, 16, 256), (64, 32, 128)]:
        tx = torch.rand(8, c, sz, sz) - 0.5
        tw = torch.rand(oc, c, 3, 3) - 0.5
        tb = torch.rand(oc) - 0.5
        tdy = torch.rand(8, oc, sz, sz) - 0.5
        key = f"{c}-{oc}-{sz}"
        res["thinForward:" + key] = bench(lambda: F.conv2d(tx, tw, tb, 1, 1))
        res["thinInputGrad:" + key] = bench(lambda: aten.convolution_backward(
            tdy, tx, tw, [oc], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False]))
        # eval-mode conv + batch norm (running statistics) + ReLU, as DoubleConv at inference
        tg, tbe, tm = torch.rand(oc) - 0.5, torch.rand(oc) - 0.5, torch.rand(oc) - 0.5
        tv = (torch.rand(oc) - 0.5).abs() + 0.5
        res["thinConvBnReluInference:" + key] = bench(lambda: torch.relu_(
            F.batch_norm(F.conv2d(tx, tw, tb, 1, 1), tm, tv, tg, tbe, False, 0.1, 1e-5)))

    # 3x3 layers at inference and training batches (ConvBenchmark.wino*), keyed "op:n-c-oc-size"
    for n, c, oc, sz in [(1, 64, 64, 256), (1, 128, 128, 128), (1, 256, 256, 64), (1, 512, 512, 32),
                         (1, 1024, 512, 32), (1, 1024, 1024, 16), (2, 1024, 1024, 16), (1, 64, 64, 64),
                         (1, 128, 128, 32), (1, 256, 128, 32), (1, 256, 256, 16), (8, 64, 64, 64),
                         (8, 128, 128, 32), (8, 256, 256, 16)]:
        wx = torch.rand(n, c, sz, sz) - 0.5
        ww = torch.rand(oc, c, 3, 3) - 0.5
        wb = torch.rand(oc) - 0.5
        wdy = torch.rand(n, oc, sz, sz) - 0.5
        key = f"{n}-{c}-{oc}-{sz}"
        res["winoForward:" + key] = bench(lambda: F.conv2d(wx, ww, wb, 1, 1))
        res["winoInputGrad:" + key] = bench(lambda: aten.convolution_backward(
            wdy, wx, ww, [oc], [1, 1], [1, 1], [1, 1], False, [0, 0], 1, [True, False, False]))

    ux = torch.rand(1, 128, 128, 128) - 0.5
    uw = torch.rand(128, 64, 2, 2) - 0.5
    ub = torch.rand(64) - 0.5
    res["convTranspose2x2Forward"] = bench(lambda: F.conv_transpose2d(ux, uw, ub, stride=2))

    bx = torch.rand(2, 64, 256, 256) - 0.5
    bdy = torch.rand(2, 64, 256, 256) - 0.5
    g, bt = torch.rand(64) - 0.5, torch.rand(64) - 0.5
    rm, rv = torch.zeros(64), torch.ones(64)

    def bn():
        y, sm, sis = aten.native_batch_norm(bx, g, bt, rm, rv, True, 0.1, 1e-5)[:3]
        return aten.native_batch_norm_backward(bdy, bx, g, rm, rv, sm, sis, True, 1e-5, [True, True, True])

    res["batchNormTrainForwardBackward"] = bench(bn)

    def bn_relu():  # what eager PyTorch runs for BatchNorm2d then ReLU, forward and backward
        y, sm, sis = aten.native_batch_norm(bx, g, bt, rm, rv, True, 0.1, 1e-5)[:3]
        r = torch.relu(y)
        gy = aten.threshold_backward(bdy, r, 0)
        return aten.native_batch_norm_backward(gy, bx, g, rm, rv, sm, sis, True, 1e-5, [True, True, True])

    res["batchNormReluTrainForwardBackward"] = bench(bn_relu)
    res["maxPool2x2Forward"] = bench(lambda: F.max_pool2d(bx, 2, 2, return_indices=True))
    res["maxPool2x2Values"] = bench(lambda: F.max_pool2d(bx, 2, 2))

print(json.dumps(res))
