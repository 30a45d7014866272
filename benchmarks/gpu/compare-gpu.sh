#!/usr/bin/env bash
# WPU-Net on the GPU, ours vs PyTorch eager, in one call on the GPU machine (run from the project
# root inside a bundle made by ../shared/device/bundle.sh; see docs/cuda.md):
#   bash benchmarks/gpu/compare-gpu.sh [--modes fp32,tf32,bf16] [--steps 20] [--warmup 5] ...
# Options go to both sides. Set PROFILE=1 to add a short fp32 run of ours with per-op CUDA event
# timing (-Dwpunet.cuda.profile=true) that prints the ops taking the most GPU time.
# Results (JSON and logs) land in $OUT (the device tool brings them back) or /tmp/wpunet-gpu-bench.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/wpunet-gpu-bench}
mkdir -p "$OUT"
export DEVICE_JAVA_OPTS="-Xmx16g ${DEVICE_JAVA_OPTS:-}"
bash .device/run.sh java org.wpunet.benchmarks.wpunet.WpuNetTiming --device cuda:0 --json "$OUT/ours.json" "$@" 2>&1 \
  | grep -v "WARNING: Using incubator" | tee "$OUT/ours.log"
python3 benchmarks/gpu/wpunet_torch_bench.py --device cuda --json "$OUT/torch.json" "$@" 2>&1 | tee "$OUT/torch.log"
python3 benchmarks/gpu/compare.py "$OUT/ours.json" "$OUT/torch.json" | tee "$OUT/compare.txt"
if [ "${PROFILE:-0}" = 1 ]; then
  DEVICE_JAVA_OPTS="$DEVICE_JAVA_OPTS -Dwpunet.cuda.profile=true" bash .device/run.sh java \
    org.wpunet.benchmarks.wpunet.WpuNetTiming --device cuda:0 --modes fp32 --steps 3 --warmup 2 2>&1 \
    | grep -v "WARNING: Using incubator" | tee "$OUT/profile.txt"
fi
