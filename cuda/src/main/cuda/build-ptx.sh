#!/usr/bin/env bash
# Compiles every .cu here to PTX under src/main/resources/org/wpunet/cuda/ptx (run from the module
# root; the Maven profile "nvcc" runs it when nvcc is installed). compute_80 PTX is JIT-compiled by
# the driver for Ampere, Hopper and newer. A file is rewritten only when its PTX changed.
set -euo pipefail
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
SRC=src/main/cuda
OUT=src/main/resources/org/wpunet/cuda/ptx
mkdir -p "$OUT"
for cu in "$SRC"/*.cu; do
  name=$(basename "$cu" .cu)
  tmp=$(mktemp)
  "$NVCC" -ptx -arch=compute_80 -std=c++17 -O3 -o "$tmp" "$cu"
  if ! cmp -s "$tmp" "$OUT/$name.ptx"; then mv "$tmp" "$OUT/$name.ptx"; echo "ptx: wrote $OUT/$name.ptx"; else rm -f "$tmp"; fi
done
# a module whose .cu is gone must not linger as PTX (CudaPtxTest checks the set)
for ptx in "$OUT"/*.ptx; do
  [ -f "$SRC/$(basename "$ptx" .ptx).cu" ] || { rm -f "$ptx"; echo "ptx: removed stale $ptx"; }
done
