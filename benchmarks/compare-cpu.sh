#!/usr/bin/env bash
# Side-by-side CPU comparison: our JMH kernel benchmarks (and EJML for SGEMM) against the same
# ops in PyTorch CPU with the same number of threads, measured in one run on one machine.
# Prints: op, ours, EJML, PyTorch (GFLOP/s for compute-bound ops, GB/s of nominal traffic for
# memory-bound ones) and the ratio ours/PyTorch.
#
# Usage: benchmarks/compare-cpu.sh [threads]      (default 2)
# Env:   JAVA_HOME (JDK 25+; found under /usr/lib/jvm otherwise), PYTHON (default /usr/bin/python3),
#        JMH_ARGS (default "-f 1 -wi 2 -i 3 -w 2s -r 2s"), SKIP_BUILD=1 to reuse benchmarks/target/benchmarks.jar,
#        TORCH_ENV (extra environment for PyTorch, e.g. OMP_WAIT_POLICY=PASSIVE on a busy machine:
#        see docs/performance-cpu.md), JMH_FILTER (a JMH regex; e.g. 'thin|batchNormRelu' for the kernels of issue 14 only,
#        'ConvBenchmark.wino' for Winograd off / forced on: rows without a JMH figure print "-").
set -euo pipefail

THREADS="${1:-2}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
JMH_ARGS="${JMH_ARGS:--f 1 -wi 2 -i 3 -w 2s -r 2s}"

. "$ROOT/.mvn/find-jdk.sh"   # exports JAVA_HOME of a JDK >= 25, as ./mvnw and bin/wpunet do
JAVA="$JAVA_HOME/bin/java"
"$JAVA" -version 2>&1 | head -n1 >&2

JAR="$HERE/target/jmh/benchmarks.jar"
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  echo "building benchmarks.jar ..." >&2
  (cd "$ROOT" && ./mvnw -q -B -pl benchmarks -am package -DskipTests)
fi

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "PyTorch not importable by $PYTHON (Debian: apt-get install -y python3-torch)" >&2
  exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "running JMH ($JMH_ARGS, $THREADS threads) ..." >&2
# shellcheck disable=SC2086
# (-jvmArgsAppend on the command line replaces the @Fork annotation's, so repeat the vector module)
"$JAVA" -jar "$JAR" $JMH_ARGS -jvmArgsAppend "--add-modules jdk.incubator.vector -Xmx4g -Dwpunet.threads=$THREADS" \
  -rf json -rff "$WORK/jmh.json" "${JMH_FILTER:-org.wpunet.benchmarks.(GemmBenchmark|ConvBenchmark|NormPoolBenchmark)}" >&2

echo "running PyTorch ($THREADS threads) ..." >&2
env ${TORCH_ENV:-} "$PYTHON" "$HERE/torch_cpu_ops.py" "$THREADS" > "$WORK/torch.json"

"$PYTHON" - "$WORK/jmh.json" "$WORK/torch.json" "$THREADS" <<'PY'
import json, sys

# key: method name, plus ":<shape>" for the parameterised ConvBenchmark.shape* methods
def key(r):
    p = r.get("params", {})
    tail = ":" + p["shape"] if "shape" in p else ":" + p["thin"] if "thin" in p else ""
    if "wino" in p:
        tail = ":" + p["wino"] + ":" + p["winograd"]
    return r["benchmark"].rsplit(".", 1)[1] + tail

jmh = {key(r): r["primaryMetric"]["score"] for r in json.load(open(sys.argv[1]))}
torch_ms = json.load(open(sys.argv[2]))
threads = sys.argv[3]

conv = 2.0 * 64 * 64 * 9 * 256 * 256           # 3x3 conv 64->64 on 1x64x256x256
act = 2 * 64 * 256 * 256                       # BN / pool activation elements
# (label, our JMH method, EJML method or None, torch key, work per call, unit)
rows = [
    ("SGEMM 1024^3", "sgemm1024Ours", "sgemm1024Ejml", "sgemm1024", 2.0 * 1024 ** 3, "GFLOP/s"),
    ("SGEMM 1024^3 (EJML MT)", None, "sgemm1024EjmlMt", "sgemm1024", 2.0 * 1024 ** 3, "GFLOP/s"),
    ("conv3x3 64->64 256^2 fwd", "conv3x3Forward", None, "conv3x3Forward", conv, "GFLOP/s"),
    ("conv3x3 64->64 256^2 dX", "conv3x3InputGrad", None, "conv3x3InputGrad", conv, "GFLOP/s"),
    ("conv3x3 64->64 256^2 dW", "conv3x3WeightGrad", None, "conv3x3WeightGrad", conv, "GFLOP/s"),
] + [
    # WPU-Net's other 3x3 layers, batch 2 (ConvBenchmark.shape*; torch keys "op:c-oc-size")
    (f"conv3x3 {c}->{oc} {sz}^2 b2 {tag}", f"{op}:{c}-{oc}-{sz}", None, f"{op}:{c}-{oc}-{sz}",
     2.0 * 2 * c * oc * 9 * sz * sz, "GFLOP/s")
    for c, oc, sz in [(2, 64, 256), (128, 128, 128), (256, 256, 64), (512, 512, 32), (1024, 1024, 16)]
    for op, tag in [("shapeForward", "fwd"), ("shapeInputGrad", "dX"), ("shapeWeightGrad", "dW")]
] + [
    # the small network's thin layers at batch 8 (ConvBenchmark.thin*: direct 3x3 kernel)
    (f"conv3x3 {c}->{oc} {sz}^2 b8 {tag}", f"{op}:{c}-{oc}-{sz}", None, f"{op}:{c}-{oc}-{sz}",
     2.0 * 8 * c * oc * 9 * sz * sz, "GFLOP/s")
    for c, oc, sz in [(16, 16, 256), (32, 16, 256), (64, 32, 128)]
    for op, tag in [("thinForward", "fwd"), ("thinInputGrad", "dX"), ("thinConvBnReluInference", "fwd+BN+ReLU eval")]
] + [
    # 3x3 layers of both networks with the Winograd kernel off / forced on (ConvBenchmark.wino*);
    # n = 1 is inference, 2 and 8 the training batches
    (f"conv3x3 {c}->{oc} {sz}^2 b{n} {tag} {mode.lower()}", f"{op}:{n}-{c}-{oc}-{sz}:{mode}", None,
     f"{op}:{n}-{c}-{oc}-{sz}", 2.0 * n * c * oc * 9 * sz * sz, "GFLOP/s")
    for n, c, oc, sz in [(1, 64, 64, 256), (1, 128, 128, 128), (1, 256, 256, 64), (1, 512, 512, 32),
                         (1, 1024, 512, 32), (1, 1024, 1024, 16), (2, 1024, 1024, 16), (1, 64, 64, 64),
                         (1, 128, 128, 32), (1, 256, 128, 32), (1, 256, 256, 16), (8, 64, 64, 64),
                         (8, 128, 128, 32), (8, 256, 256, 16)]
    for op, tag in [("winoForward", "fwd"), ("winoInputGrad", "dX")]
    for mode in ["OFF", "ALWAYS"]
] + [
    ("convT2x2s2 128->64 128^2", "convTranspose2x2Forward", None, "convTranspose2x2Forward",
     2.0 * 128 * 64 * 4 * 128 * 128, "GFLOP/s"),
    # nominal traffic: fwd reads x, writes y; bwd reads x, dy, writes dx (5 passes of 4 bytes)
    ("BN train fwd+bwd 2x64x256^2", "batchNormTrainForwardBackward", None, "batchNormTrainForwardBackward",
     5 * 4.0 * act, "GB/s"),
    # same nominal traffic as plain BN (x, y, dy read, dx written; the ReLU mask rides along)
    ("BN+ReLU train fwd+bwd 2x64x256^2", "batchNormReluTrainForwardBackward", None, "batchNormReluTrainForwardBackward",
     5 * 4.0 * act, "GB/s"),
    # nominal traffic: read x, write y (4 bytes each element of y)
    ("maxpool 2x2 fwd 2x64x256^2", "maxPool2x2Forward", None, "maxPool2x2Forward", 4.0 * act + 4.0 * act / 4, "GB/s"),
    # inference: values only (PyTorch's max_pool2d without return_indices)
    ("maxpool 2x2 values 2x64x256^2", "maxPool2x2Values", None, "maxPool2x2Values", 4.0 * act + 4.0 * act / 4, "GB/s"),
]

def rate(work, ms):
    return work / (ms * 1e-3) / 1e9

print(f"\nCPU kernels, {threads} threads, JMH vs PyTorch in the same run (rates; higher is better)")
hdr = f"{'op':34s} {'unit':8s} {'ours':>8s} {'EJML':>8s} {'PyTorch':>8s} {'ours/PT':>8s}"
print(hdr)
print("-" * len(hdr))
for label, ours, ejml, tkey, work, unit in rows:
    o = rate(work, jmh[ours]) if ours and ours in jmh else None
    e = rate(work, jmh[ejml]) if ejml and ejml in jmh else None
    t = rate(work, torch_ms[tkey]) if tkey in torch_ms else None
    f = lambda v: f"{v:8.1f}" if v is not None else f"{'-':>8s}"
    ratio = f"{o / t:8.2f}" if o is not None and t else f"{'-':>8s}"
    print(f"{label:34s} {unit:8s} {f(o)} {f(e)} {f(t)} {ratio}")
PY
