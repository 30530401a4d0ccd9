#!/usr/bin/env bash
# The check for a GPU node, under 8 minutes on a GPU: which WebGPU adapter the engine selects on its own (and
# its limits), both conformance sets on webgpu, and bench:sd (SD 1.5 UNet step, VAE decode at 512x512, a tiny
# generation). Exit 1 if any part fails or webgpu is not what the engine selects.
#   bash scripts/gpu-check.sh [--allow-software] [-- <bench:sd flags>]
# --allow-software runs on a software adapter too (Mesa's lavapipe, no GPU); pass bench:sd smaller sizes then,
# e.g. `bash scripts/gpu-check.sh --allow-software -- --quick --latent-size 16`.
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET_SECONDS=480
SHARED="${SHARED_DIR:-../shared}"
adapter_flags=()
bench_flags=()
while [ $# -gt 0 ]; do
  case "$1" in
    --allow-software) adapter_flags+=(--allow-software); shift ;;
    --) shift; bench_flags=("$@"); break ;;
    *) echo "usage: bash scripts/gpu-check.sh [--allow-software] [-- <bench:sd flags>]" >&2; exit 2 ;;
  esac
done

started=$SECONDS
step() {
  local name=$1
  shift
  echo "== $name"
  local t0=$SECONDS
  "$@"
  echo "== $name: $((SECONDS - t0)) s"
}

step "adapter" npm run --silent gpu:adapter -- "${adapter_flags[@]}"
for set in sd-tiny sd-tiny-ext; do
  step "conformance $set on webgpu" npm run --silent conformance -- "$SHARED/fixtures/$set" --backend webgpu
done
step "bench:sd on webgpu" npm run --silent bench:sd -- --backend webgpu "${bench_flags[@]}"

total=$((SECONDS - started))
echo "gpu-check: passed in $total s"
# The budget is a GPU's: a software adapter is a CPU rasteriser, minutes per SD 1.5 step.
if [ "$total" -gt "$BUDGET_SECONDS" ] && [ ${#adapter_flags[@]} -eq 0 ]; then
  echo "gpu-check: over its $BUDGET_SECONDS s budget" >&2
  exit 1
fi
