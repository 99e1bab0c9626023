#!/usr/bin/env bash
# One prepared call for a lent GPU: kernels-ref/plans/graph-check.jsonl (short kernels) timed four times on one machine,
# plain `kref run` (events around a batch of back-to-back calls) and `kref run --graph` (the batch as one graph replay),
# each twice, to tell the device's time from the host's dispatch between calls. Out ($OUT): eager1, graph1, eager2,
# graph2 .jsonl, info.json, smi.csv, build.log, stderr.log (eight files: the device tool returns eight at most).
# Usage: bash kernels-ref/graph-check.sh DEVICE_ID   (cuda; CUDA_ARCHS from nvidia-smi, as device-sweep.sh)
set -uo pipefail
cd "$(dirname "$0")/.."
id=${1:?device id: a genz preset id such as h100-sxm}
out=${OUT:-out}
mkdir -p "$out"
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
[ -n "$cap" ] && export CUDA_ARCHS="$cap"
make -C kernels-ref cuda -j 8 > "$out/build.log" 2>&1 || { tail -n 30 "$out/build.log"; exit 1; }
k=kernels-ref/build/cuda/kref
"$k" info | tee "$out/info.json"
q='name,driver_version,clocks.sm,clocks.mem,power.draw,temperature.gpu,pstate'
nvidia-smi --query-gpu=$q --format=csv | sed 's/^/before,/' > "$out/smi.csv"
for pass in eager1 graph1 eager2 graph2; do
  flag=""; [ "${pass#graph}" != "$pass" ] && flag=--graph
  start=$(date +%s)
  timeout 50 "$k" run --device-id "$id" --max-seconds 2 $flag < kernels-ref/plans/graph-check.jsonl > "$out/$pass.jsonl" 2>> "$out/stderr.log"
  echo "$pass: exit $?, $(grep -c '"schema"' "$out/$pass.jsonl") rows, $(grep -c '"error"' "$out/$pass.jsonl") errors, $(( $(date +%s) - start )) s"
done
nvidia-smi --query-gpu=$q --format=csv,noheader | sed 's/^/after,/' >> "$out/smi.csv"
grep -h '"error"' "$out"/eager1.jsonl "$out"/graph1.jsonl | head -n 5 | cut -c 1-300
# The medians side by side (µs), the short GEMMs first.
python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
runs = {p: [json.loads(l) for l in open(f"{d}/{p}.jsonl")] for p in ["eager1", "graph1", "eager2", "graph2"]}
print("kernel dtype variant shape | eager1 eager2 graph1 graph2 (us)")
for i, r in enumerate(runs["eager1"]):
    if "schema" not in r: continue
    t = [(runs[p][i] if i < len(runs[p]) else {}).get("medianS", float("nan")) * 1e6 for p in ["eager1", "eager2", "graph1", "graph2"]]
    if t[0] < 40: print(r["kernel"], r["dtype"], r.get("variant", ""), json.dumps(r["shape"], separators=(",", ":")), "|", " ".join(f"{x:.1f}" for x in t))
PY
