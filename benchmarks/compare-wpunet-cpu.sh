#!/usr/bin/env bash
# WPU-Net on the CPU, ours vs PyTorch eager, both sides in one run on one machine, fp32, the same
# thread count: a training step (forward, weighted-map cross-entropy, backward, clip 5, RMSprop; the
# original recipe) and the inference of one slice, at the full widths 64..1024 (batch 2 of 256^2) and
# the small widths 16..256 of the demo and the bundled model (batch 8 of 256^2). Prints the table of
# docs/performance-cpu.md: ms per step, ratio ours / PyTorch (below 1 = we are faster), and the peak
# memory of a training step on each side.
#
# Usage: benchmarks/compare-wpunet-cpu.sh [threads]          (default 2)
# Env:   PYTHON (default /usr/bin/python3, needs torch: Debian python3-torch), STEPS (timed train steps,
#        default 6; inference runs 2x as many), PRESETS ("full small", or one of them),
#        SKIP_BUILD=1 to reuse benchmarks/target/jmh/benchmarks.jar, KEEP=DIR to keep the JSON and logs,
#        TORCH_ENV extra environment for the PyTorch runs, e.g. "OMP_WAIT_POLICY=PASSIVE": on a machine
#        busy with other work, OpenMP's spinning barriers make PyTorch several times slower than on
#        an idle one (we measured 21.8 s per small step by default, 7.0 s passive, at load 13 on 2
#        cores), so compare there with passive waiting or not at all.
#
# Memory (MEMORY=0 skips PyTorch's extra run): ours is the peak of the bytes held by tensors during the timed steps above what was held
# before them (kernel scratch not counted); PyTorch's is the growth of the process's resident set over
# the same steps (VmHWM reset after warm-up, glibc told to return freed blocks of >= 128 KiB at once)
# in a separate one-step run.
set -euo pipefail

THREADS="${1:-2}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
STEPS="${STEPS:-6}"
PRESETS="${PRESETS:-full small}"
TORCH_ENV="${TORCH_ENV:-}"

. "$ROOT/.mvn/find-jdk.sh"   # exports JAVA_HOME of a JDK >= 25, as ./mvnw and bin/wpunet do
JAVA="$JAVA_HOME/bin/java"

JAR="$HERE/target/jmh/benchmarks.jar"
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  echo "building benchmarks.jar ..." >&2
  (cd "$ROOT" && ./mvnw -q -B -o -pl benchmarks -am package -DskipTests)
fi
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "PyTorch not importable by $PYTHON (Debian: apt-get install -y python3-torch)" >&2
  exit 1
fi

WORK="${KEEP:-$(mktemp -d)}"
mkdir -p "$WORK"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$WORK"' EXIT

preset_args() {
  case "$1" in
    full) echo "--widths 64,128,256,512,1024 --batch 2 --size 256 --infer-size 256" ;;
    small) echo "--widths 16,32,64,128,256 --batch 8 --size 256 --infer-size 256" ;;
    *) echo "unknown preset '$1' (full, small)" >&2; exit 2 ;;
  esac
}

echo "machine: $(uptime)${TORCH_ENV:+; PyTorch with $TORCH_ENV}" >&2
for p in $PRESETS; do
  # shellcheck disable=SC2046
  set -- $(preset_args "$p") --modes fp32 --steps "$STEPS" --warmup 2
  echo "== $p: ours ($THREADS threads) ..." >&2
  "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -Dwpunet.threads="$THREADS" -cp "$JAR" \
    org.wpunet.benchmarks.wpunet.WpuNetTiming --device cpu --json "$WORK/ours-$p.json" "$@" 2>&1 \
    | grep -v "WARNING: Using incubator" | tee "$WORK/ours-$p.log" >&2
  echo "== $p: PyTorch ($THREADS threads) ..." >&2
  env OMP_NUM_THREADS="$THREADS" $TORCH_ENV \
    "$PYTHON" "$HERE/gpu/wpunet_torch_bench.py" --device cpu --json "$WORK/torch-$p.json" "$@" 2>&1 \
    | tee "$WORK/torch-$p.log" >&2
  if [[ "${MEMORY:-1}" == 1 ]]; then
    # a separate short run for PyTorch's memory: with a fixed low mmap threshold glibc gives freed
    # tensors back at once, so the resident high-water mark is the peak of live tensors; it would slow
    # the timed run (every allocation faults its pages in afresh), hence not there
    echo "== $p: PyTorch memory ..." >&2
    set -- $(preset_args "$p") --modes fp32 --steps 1 --warmup 1
    env OMP_NUM_THREADS="$THREADS" MALLOC_MMAP_THRESHOLD_=131072 $TORCH_ENV \
      "$PYTHON" "$HERE/gpu/wpunet_torch_bench.py" --device cpu --json "$WORK/torch-mem-$p.json" "$@" >/dev/null 2>&1
  fi
done

"$PYTHON" - "$WORK" "$THREADS" $PRESETS <<'PY'
import json, os, sys

work, threads, presets = sys.argv[1], sys.argv[2], sys.argv[3:]
names = {"full": "full widths 64..1024", "small": "small widths 16..256"}
print(f"\nWPU-Net on the CPU, fp32, {threads} threads, ours vs PyTorch in the same run (ms, median)")
print(f"| work | ours | PyTorch | ratio |")
print(f"|---|---|---|---|")
mem = []
for p in presets:
    o = json.load(open(os.path.join(work, f"ours-{p}.json")))
    t = json.load(open(os.path.join(work, f"torch-{p}.json")))
    rows = [(f"{names[p]}, train step, batch {o['batch']} of {o['size']}^2", "train_ms"),
            (f"{names[p]}, inference of one {o['infer_size']}^2 slice", "infer_ms")]
    for label, key in rows:
        a, b = o[key]["fp32"], t[key]["fp32"]
        print(f"| {label} | {a:.0f} ms | {b:.0f} ms | {a / b:.2f} |")
    mem_path = os.path.join(work, f"torch-mem-{p}.json")
    if "train_peak_mib" in o and os.path.exists(mem_path):
        mem.append((p, o["train_peak_mib"]["fp32"], json.load(open(mem_path))["train_peak_mib"]["fp32"]))
if mem:
    print("\npeak memory of a training step (above model, optimiser state and batch)")
    print("| preset | ours | PyTorch | ratio |")
    print("|---|---|---|---|")
    for p, a, b in mem:
        print(f"| {names[p]} | {a:.0f} MiB | {b:.0f} MiB | {a / b:.2f} |")
PY
