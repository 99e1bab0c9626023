#!/usr/bin/env bash
# One prepared call for a lent GPU (the device tool: no Node there, nothing to fetch): build kernels-ref for the
# card's own arch, record the device (nvidia-smi: name, driver, clocks, power cap, date, before and after), run the
# default sweep plus an extra plan under a wall-clock budget, and leave everything in $OUT. Fit on a machine with
# Node afterwards:
#   npm run genz -- calibrate fit kernels-ref-h100-sxm.jsonl --hardware h100-sxm --out profile.json
#   npm run genz -- calibrate report profile.json
# Usage: bash kernels-ref/device-sweep.sh BACKEND DEVICE_ID [BUDGET_S] [--quick]
#   BACKEND cuda | hip | cpu (cpu: to try the script without a GPU); DEVICE_ID a genz preset id (h100-sxm, h200);
#   BUDGET_S the sweep's wall-clock budget (default 360): an unfinished sweep keeps every finished row.
#   EXTRA_PLAN=FILE adds plan lines (e.g. kernels-ref/plans/gpu-calibration.jsonl) to kref's default sweep;
#   PLAN_ONLY=1 runs the extra plan alone (a second call on a card already swept: kernels-ref/plans/gpu-gemm-dense.jsonl).
#   MAX_SECONDS (default 3) caps the timed repeats of one plan line (no fewer than 3 repeats).
#   KREF_RUN_ARGS adds options to every `kref run` (e.g. --graph: graph-replay timings, rows marked "timing":"graph-replay").
# The run order puts the vendor BLAS and the model-shaped kernels first and kernels-ref's teaching GEMMs (naive and
# shared-memory tiles, smallest first) last, so a budget cut loses the least useful rows. A plan line that crashes
# kref or makes no progress for STALL_S seconds (default 90) is recorded as an error and the sweep goes on after it.
# Out: kernels-ref-DEVICE_ID.jsonl (measurements only), errors.jsonl (plan line + error), plan.jsonl (run order),
# kref-info.json, nvidia-smi.csv and .txt (before and after), device-sweep.log: seven files (the device tool
# returns eight at most).
set -uo pipefail
cd "$(dirname "$0")/.."
backend=${1:?backend: cuda, hip or cpu}
id=${2:?device id: a genz preset id such as h100-sxm}
budget=${3:-360}
quick=${4:-}
out=${OUT:-out}
stall=${STALL_S:-90}
maxs=${MAX_SECONDS:-3}
mkdir -p "$out"
kref="kernels-ref/build/$backend/kref"
log="$out/device-sweep.log"
: > "$log"
rm -f "$out/nvidia-smi.csv" "$out/nvidia-smi.txt"
say() { echo "$*" | tee -a "$log"; }
smi() {  # $1: before | after
  command -v nvidia-smi >/dev/null || return 0
  nvidia-smi --query-gpu=name,driver_version,compute_cap,clocks.max.sm,clocks.max.mem,clocks.sm,clocks.mem,power.limit,power.draw,temperature.gpu,pstate \
    --format=csv | sed "s/^/$1,/" | tee -a "$out/nvidia-smi.csv" >> "$log"
  { echo "==== $1 the sweep, $(date -u +%Y-%m-%dT%H:%M:%SZ)"; nvidia-smi -q -d CLOCK,POWER,TEMPERATURE,PERFORMANCE; } >> "$out/nvidia-smi.txt" 2>&1
}

# The plan's settings are checked before anything is built: a lent GPU's minutes are few.
plan_only=${PLAN_ONLY:-0}
if [ -n "${EXTRA_PLAN:-}" ] && [ ! -r "$EXTRA_PLAN" ]; then say "EXTRA_PLAN $EXTRA_PLAN cannot be read"; exit 1; fi
if [ "$plan_only" = 1 ] && [ -n "$quick" ]; then say "PLAN_ONLY=1 runs the extra plan alone; --quick leaves it out: use one or the other"; exit 1; fi
if [ "$plan_only" = 1 ] && [ -z "${EXTRA_PLAN:-}" ]; then say "PLAN_ONLY=1 needs EXTRA_PLAN"; exit 1; fi
say "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
smi before
# Build only for the card in hand (a fat binary for sm_80 and sm_90 is what CI compiles).
if [ "$backend" = cuda ] && [ -z "${CUDA_ARCHS:-}" ] && command -v nvidia-smi >/dev/null; then
  cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
  [ -n "$cap" ] && export CUDA_ARCHS="$cap"
fi
# cuBLAS is loaded at run time; where the toolkit has none, use the one PyTorch's wheels bring.
if [ "$backend" = cuda ]; then
  if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so' && ! ls /usr/local/cuda/lib64/libcublas.so* >/dev/null 2>&1; then
    lib=$(find /usr /opt -name 'libcublas.so.1[0-9]*' -not -path '*/proc/*' 2>/dev/null | head -1)
    [ -n "$lib" ] && export LD_LIBRARY_PATH="$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" && say "cuBLAS: $lib"
  fi
fi
start=$(date +%s)
make -C kernels-ref "$backend" -j 8 >> "$log" 2>&1 || { say "build failed (see $log)"; exit 1; }
[ -x "$kref" ] || { say "no $kref: the $backend compiler is missing (see $log)"; exit 1; }
say "build: $(( $(date +%s) - start )) s${CUDA_ARCHS:+ (CUDA_ARCHS=$CUDA_ARCHS)}"
"$kref" info | tee "$out/kref-info.json" >> "$log"
"$kref" list | grep '"gemm-blas"' | grep -q '"supported":true' || say "warning: gemm-blas unsupported here: $("$kref" list | grep '"gemm-blas"')"

# The plan: kref's default sweep, the extra lines (not with --quick), duplicates dropped, in run order (see the top).
[ -n "$quick" ] && [ -n "${EXTRA_PLAN:-}" ] && say "--quick: EXTRA_PLAN left out" && EXTRA_PLAN=""
{ [ "$plan_only" != 1 ] && "$kref" plan $quick; [ -n "${EXTRA_PLAN:-}" ] && grep -v '^\s*\(#\|$\)' "$EXTRA_PLAN"; } \
  | awk '!seen[$0]++ {
      g = 1
      if ($0 ~ /"kernel":"gemm-(naive|smem)"/) { match($0, /"m":[0-9]+/); g = 3; s = substr($0, RSTART + 4, RLENGTH - 4) + 0 }
      else if ($0 ~ /"kernel":"(attention|softmax|rmsnorm|layernorm|add|mul|silu|gelu|selective-scan|conv1d|lut-gemv|memcpy|empty)/) g = 2
      printf "%d\t%012d\t%06d\t%s\n", g, (g == 3 ? s : 0), NR, $0
    }' | sort -t $'\t' -k1,1n -k2,2n -k3,3n | cut -f4- > "$out/plan.jsonl"
total=$(grep -c . "$out/plan.jsonl")
which="default${EXTRA_PLAN:+ + $EXTRA_PLAN}"
[ "$plan_only" = 1 ] && which="only $EXTRA_PLAN"
say "plan: ${total} lines (${which}); budget ${budget} s; stall ${stall} s; max ${maxs} s of repeats per line${KREF_RUN_ARGS:+; kref run $KREF_RUN_ARGS}"

# The sweep, resumed after a crash or a stall; kref flushes one output line per plan line, in order.
raw="$out/raw.jsonl"
: > "$raw"
start=$(date +%s)
deadline=$((start + budget))
finished=0 status=0
while [ "$finished" -lt "$total" ]; do
  tail -n +"$((finished + 1))" "$out/plan.jsonl" > "$out/plan-rest.jsonl"
  before=$(grep -c . "$raw")
  "$kref" run --device-id "$id" --max-seconds "$maxs" $quick ${KREF_RUN_ARGS:-} < "$out/plan-rest.jsonl" >> "$raw" 2>> "$log" &
  pid=$!
  last=$before lastAt=$(date +%s) why=""
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    now=$(date +%s)
    n=$(grep -c . "$raw")
    [ "$n" != "$last" ] && last=$n lastAt=$now
    if [ "$now" -ge "$deadline" ]; then
      why=budget
      kill "$pid" 2>/dev/null
      # A kref stuck in the driver may ignore SIGTERM: give it 5 s, then SIGKILL.
      for _ in 1 2 3 4 5; do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null
      break
    fi
    if [ $((now - lastAt)) -ge "$stall" ]; then why=stall; kill -9 "$pid" 2>/dev/null; break; fi
  done
  wait "$pid"
  rc=$?
  # A kill can cut the last line short: drop an unfinished tail.
  [ -s "$raw" ] && [ "$(tail -c 1 "$raw")" != "" ] && sed -i '$ d' "$raw"
  finished=$(grep -c . "$raw")
  if [ "$why" = budget ]; then status=124; break; fi
  [ "$finished" -ge "$total" ] && break
  [ "$rc" -eq 0 ] && [ -z "$why" ] && break
  # Exit 2 (bad command line) or 3 (no device) is no plan line's fault: every restart would fail the same way.
  if [ -z "$why" ] && { [ "$rc" -eq 2 ] || [ "$rc" -eq 3 ]; }; then
    say "kref run stopped with exit $rc: $(tail -n 1 "$raw")"
    sed -i '$ { /"line":0/ d }' "$raw"
    finished=$(grep -c . "$raw")
    status=$rc
    break
  fi
  # Exit 4: kref wrote the faulting line's error itself and stopped (the device context was lost).
  if [ "$rc" -eq 4 ] && [ -z "$why" ] && [ "$finished" -gt "$before" ]; then
    say "plan line ${finished} left the device unusable; going on in a fresh process"
    continue
  fi
  finished=$((finished + 1))
  reason=${why:+no output for ${stall} s}
  say "plan line ${finished} stopped kref (${reason:-exit $rc}): $(sed -n "${finished}p" "$out/plan.jsonl")"
  echo "{\"error\":\"kref ${reason:-exited with status $rc} on this plan line\",\"line\":${finished}}" >> "$raw"
done
rows="$out/kernels-ref-$id.jsonl"
grep '"schema"' "$raw" > "$rows"
# Errors beside the plan line they belong to (output line i answers plan line i).
awk 'NR == FNR { plan[FNR] = $0; next } /"error"/ { print "{\"plan\":" plan[FNR] ",\"result\":" $0 "}" }' "$out/plan.jsonl" "$raw" > "$out/errors.jsonl"
rm -f "$out/plan-rest.jsonl"
measured=$(grep -c . "$rows")
errors=$(grep -c . "$out/errors.jsonl")
say "sweep: ${measured} measured, ${errors} errors, $(grep -c . "$raw") of ${total} plan lines, $(( $(date +%s) - start )) s, exit ${status} (124: budget reached; 2, 3: kref could not run)"
rm -f "$raw"
head -n 20 "$out/errors.jsonl" | cut -c 1-400 | tee -a "$log"
smi after
# A short table of ceilings for the reply's tail: the best of each kernel and dtype.
printf "%-22s %5s %12s %12s %12s\n" "kernel dtype" rows "best TFLOP/s" "best GB/s" "fastest us" | tee -a "$log"
awk -F'"' '/"schema"/ {
    k = ""; d = ""; t = 0; f = 0; b = 0
    for (i = 1; i < NF; i++) {
      if ($i == "kernel" && k == "") k = $(i + 2)
      else if ($i == "dtype") d = $(i + 2)
      else if ($i == "medianS") { v = $(i + 1); gsub(/[:,]/, "", v); t = v + 0 }
      else if ($i == "achievedFlopsPerS") { v = $(i + 1); gsub(/[:,]/, "", v); f = v + 0 }
      else if ($i == "achievedBytesPerS") { v = $(i + 1); gsub(/[:,]/, "", v); b = v + 0 }
    }
    key = k " " d; n[key]++
    if (f > bf[key]) bf[key] = f
    if (b > bb[key]) bb[key] = b
    if (!(key in bt) || t < bt[key]) bt[key] = t
  }
  END { for (key in n) printf "%-22s %5d %12.1f %12.0f %12.2f\n", key, n[key], bf[key] / 1e12, bb[key] / 1e9, bt[key] * 1e6 }' "$rows" | sort | tee -a "$log"
[ "$measured" -gt 0 ]
