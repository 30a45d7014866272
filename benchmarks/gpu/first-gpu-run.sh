#!/usr/bin/env bash
# The one GPU-machine script of issue #15: every gpu-tagged test with -Dwpunet.requireGpu=true (a failed
# CUDA probe fails the run instead of skipping it), the count of GPU tests checked, the bindings checked
# against the machine's real cuBLAS/cuDNN headers, then the WPU-Net comparison with PyTorch eager with
# per-op GPU profiling. Bundle first, here: ../shared/device/bundle.sh (see docs/cuda.md); then, in one
# device call from the project root:
#   bash benchmarks/gpu/first-gpu-run.sh                  # everything
#   SKIP_BENCH=1 bash benchmarks/gpu/first-gpu-run.sh     # tests only (a quick rerun after a fix)
#   BENCH_ARGS="--modes fp32 --steps 5" bash benchmarks/gpu/first-gpu-run.sh
# Logs land in $OUT (brought back by the device tool) or /tmp/wpunet-first-gpu-run. Exit status: 0 only
# when GPU tests ran (at least MIN_GPU_TESTS), none failed, none was skipped or aborted.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/wpunet-first-gpu-run}
mkdir -p "$OUT"
MIN_GPU_TESTS=${MIN_GPU_TESTS:-111}  # gpu-tagged tests on CI (all reported skipped there): cuda 99, nn 5, wpunet 1, benchmarks 6
status=0
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$OUT/gpu.txt"
ls /usr/local/cuda/include/cublas_api.h /usr/include/cudnn*.h /usr/include/x86_64-linux-gnu/cudnn*.h 2>/dev/null \
  | tee "$OUT/headers.txt"

# 1. every gpu-tagged test; CUDA unavailable is a failure here
DEVICE_JAVA_OPTS="-Xmx16g -Dwpunet.requireGpu=true ${DEVICE_JAVA_OPTS:-}" timeout "${TEST_TIMEOUT:-420}" \
  bash .device/run.sh test 2>&1 | grep -v "WARNING: Using incubator" > "$OUT/gpu-tests.log"
echo "gpu tests: exit ${PIPESTATUS[0]} (log: gpu-tests.log; 124 = TEST_TIMEOUT)"
count() { grep -E "^\[ *[0-9]+ $1" "$OUT/gpu-tests.log" | head -1 | tr -dc '0-9'; }
found=$(count "tests found"); ok=$(count "tests successful"); failed=$(count "tests failed")
skipped=$(count "tests skipped"); aborted=$(count "tests aborted")
echo "gpu tests: found ${found:-?}, successful ${ok:-?}, failed ${failed:-?}, skipped ${skipped:-?}, aborted ${aborted:-?}" \
  | tee "$OUT/gpu-tests-summary.txt"
if [ -z "$found" ] || [ "$found" -lt "$MIN_GPU_TESTS" ] || [ "${ok:-0}" != "$found" ]; then
  echo "gpu tests: NOT all passed (at least $MIN_GPU_TESTS expected, all successful)" | tee -a "$OUT/gpu-tests-summary.txt"
  grep -E "✘|MethodSource|=> |Caused by" "$OUT/gpu-tests.log" | head -80 > "$OUT/gpu-test-failures.txt"
  status=1
fi

# 2. the FFM bindings against the installed headers (skipped per header where absent)
bash .device/run.sh test --select-class org.wpunet.cuda.RealHeadersTest 2>&1 | grep -v "WARNING: Using incubator" \
  > "$OUT/real-headers.log" || status=1
grep -E "tests (successful|failed|skipped)" "$OUT/real-headers.log" | sed 's/^/real headers: /'

# 3. WPU-Net training step and 1024^2 inference against PyTorch eager, with the top ops by GPU time
if [ "${SKIP_BENCH:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  OUT="$OUT/bench" PROFILE=1 timeout "${BENCH_TIMEOUT:-420}" bash benchmarks/gpu/compare-gpu.sh ${BENCH_ARGS:-} \
    > "$OUT/bench.log" 2>&1 || echo "benchmark: exit $? (see bench.log)"
  tail -40 "$OUT/bench.log"
fi
exit $status
