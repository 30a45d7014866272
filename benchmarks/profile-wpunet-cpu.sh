#!/usr/bin/env bash
# Where a WPU-Net step's CPU time goes, ours vs PyTorch, in one run: our per-op profile (every CPU
# backend call timed, -Dwpunet.cpu.profile=true, see org.wpunet.core.CpuProfiler) beside
# torch.profiler's table (self CPU time per aten op) for the same training step and inference.
#
# Usage: benchmarks/profile-wpunet-cpu.sh [small|full] [threads]      (default small, 2)
# Env:   PYTHON (default /usr/bin/python3), STEPS (default 4), SKIP_BUILD=1 (reuse benchmarks.jar),
#        TORCH_ENV (extra environment for PyTorch, e.g. OMP_WAIT_POLICY=PASSIVE on a busy machine),
#        PROFILE=shapes (our convolution rows split by input and weight shape)
set -euo pipefail
PRESET="${1:-small}"
THREADS="${2:-2}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
STEPS="${STEPS:-4}"
. "$ROOT/.mvn/find-jdk.sh"
JAR="$HERE/target/jmh/benchmarks.jar"
if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$JAR" ]]; then
  (cd "$ROOT" && ./mvnw -q -B -o -pl benchmarks -am package -DskipTests)
fi
case "$PRESET" in
  full) ARGS="--widths 64,128,256,512,1024 --batch 2" ;;
  small) ARGS="--widths 16,32,64,128,256 --batch 8" ;;
  *) echo "unknown preset '$PRESET' (full, small)" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086
set -- $ARGS --size 256 --infer-size 256 --modes fp32 --steps "$STEPS" --warmup 2
echo "machine: $(uptime)"
echo "== ours ($PRESET, $THREADS threads)"
"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -Dwpunet.threads="$THREADS" -Dwpunet.cpu.profile="${PROFILE:-true}" \
  -cp "$JAR" org.wpunet.benchmarks.wpunet.WpuNetTiming --device cpu "$@" 2>&1 | grep -v "WARNING: Using incubator"
echo "== PyTorch ($PRESET, $THREADS threads)"
env OMP_NUM_THREADS="$THREADS" ${TORCH_ENV:-} "$PYTHON" "$HERE/gpu/wpunet_torch_bench.py" --device cpu --profile "$@"
