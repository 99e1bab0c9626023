#!/usr/bin/env bash
# One prepared call for a lent GPU (the device tool: no Node there, nothing to fetch): build kernels-ref, record the
# device (nvidia-smi: name, driver, clocks, power cap, date), run the default sweep under a time budget and leave
# everything in $OUT. Fit on a machine with Node afterwards:
#   npm run genz -- calibrate fit kernels-ref-h100-sxm.jsonl --hardware h100-sxm --out profile.json
#   npm run genz -- calibrate report profile.json
# Usage: bash kernels-ref/device-sweep.sh BACKEND DEVICE_ID [BUDGET_S] [--quick]
#   BACKEND cuda | hip | cpu (cpu: to try the script without a GPU); DEVICE_ID a genz preset id (h100-sxm, h200);
#   BUDGET_S the sweep's wall-clock budget (default 360): an unfinished sweep keeps every finished row, and
#   `genz calibrate run --backend BACKEND --device-id DEVICE_ID --plan $OUT/plan.jsonl --out FILE` resumes it.
set -uo pipefail
cd "$(dirname "$0")/.."
backend=${1:?backend: cuda, hip or cpu}
id=${2:?device id: a genz preset id such as h100-sxm}
budget=${3:-360}
quick=${4:-}
out=${OUT:-out}
mkdir -p "$out"
kref="kernels-ref/build/$backend/kref"
log="$out/device-sweep.log"
: > "$log"
say() { echo "$*" | tee -a "$log"; }

say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,clocks.max.mem,clocks.sm,clocks.mem,power.limit,temperature.gpu \
    --format=csv | tee "$out/nvidia-smi.csv" >> "$log"
fi
start=$(date +%s)
make -C kernels-ref "$backend" -j 8 >> "$log" 2>&1 || { say "build failed (see $log)"; exit 1; }
[ -x "$kref" ] || { say "no $kref: the $backend compiler is missing (see $log)"; exit 1; }
say "build: $(( $(date +%s) - start )) s"
"$kref" info | tee "$out/kref-info.json" >> "$log"
"$kref" plan $quick > "$out/plan.jsonl"
say "plan: $(grep -c . "$out/plan.jsonl") lines; budget ${budget} s"
rows="$out/kernels-ref-$id.jsonl"
start=$(date +%s)
timeout "$budget" "$kref" run --device-id "$id" $quick < "$out/plan.jsonl" > "$rows" 2>> "$log"
status=$?
measured=$(grep -c '"schema"' "$rows" || true)
errors=$(grep -c '"error"' "$rows" || true)
say "sweep: ${measured} measured, ${errors} errors, $(( $(date +%s) - start )) s, exit ${status} (124: budget reached)"
grep '"error"' "$rows" | head -20 >> "$log"
[ "$measured" -gt 0 ]
