"""Writes kernels-ref/plans/gpu-calibration.jsonl, the plan a lent GPU runs beside kref's default sweep, and
gpu-gemm-dense.jsonl and gpu-gemm-dense2.jsonl, more cuBLAS GEMMs for later calls (PLAN_ONLY=1; both ran on an H100 and an
H200 on 2026-11-27), graph-check.jsonl, short kernels to time with and without `kref run --graph`, and
gpu-gemm-align.jsonl, fresh fp16 GEMMs by row alignment (not yet run).

Run from the repository root: python3 kernels-ref/plans/gpu-calibration.py (Python's seeded Mersenne Twister makes the
log-uniform grids the same on every run; the committed files are its output).
"""
import json
import random

lines = []


def add(kernel, shape, dtype=None, variant=None):
    line = {"kernel": kernel, "shape": shape}
    if dtype:
        line["dtype"] = dtype
    if variant:
        line["variant"] = variant
    lines.append(json.dumps(line, separators=(",", ":")))


# cuBLAS fp16 TN (torch.nn.Linear's call) on the projections of Llama-2-7B and Llama-2-70B, tokens 1..8192.
for n, k in [(12288, 4096), (4096, 4096), (11008, 4096), (4096, 11008), (10240, 8192), (8192, 8192), (28672, 8192), (8192, 28672)]:
    for m in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]:
        add("gemm-blas", {"m": m, "n": n, "k": k}, "fp16", "TN")
# A seeded log-uniform grid of other shapes, sizes not rounded (so most are not multiples of 8), TN and NN.
rng = random.Random(20261126)


def log_uniform(lo, hi):
    return int(round(2 ** rng.uniform(lo, hi)))


def random_gemms(count, dtype, every_nn, m_hi, n_range, k_range):
    """`count` cuBLAS GEMMs of log2-uniform m in [0, m_hi], n and k in their ranges; every `every_nn`-th one NN, else TN."""
    for i in range(count):
        m, n, k = log_uniform(0, m_hi), log_uniform(*n_range), log_uniform(*k_range)
        add("gemm-blas", {"m": m, "n": n, "k": k}, dtype, "TN" if i % every_nn else "NN")


random_gemms(48, "fp16", 3, 13, (7, 14.5), (7, 14))
random_gemms(24, "fp32", 2, 12, (7, 13.5), (7, 13))
# Row-wise kernels: decode (1..16 rows) to prefill (16k rows) at hidden sizes 1k..8k, and a 32k vocabulary.
for kernel in ["softmax", "rmsnorm", "layernorm"]:
    for rows in [1, 16, 256, 2048, 16384]:
        for cols in [1024, 4096, 8192]:
            add(kernel, {"rows": rows, "cols": cols})
    add(kernel, {"rows": 64, "cols": 32000})
for kernel in ["add", "mul", "silu", "gelu"]:
    for n in [1 << 10, 1 << 14, 1 << 18, 1 << 22, 1 << 28]:
        add(kernel, {"n": n})

with open("kernels-ref/plans/gpu-calibration.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "kernels-ref/plans/gpu-calibration.jsonl")

# A second plan, for a later call on a card already swept (PLAN_ONLY=1 EXTRA_PLAN=kernels-ref/plans/gpu-gemm-dense.jsonl
# bash kernels-ref/device-sweep.sh cuda ID 330): more cuBLAS GEMMs where the Hopper curves had the fewest rows and the
# largest error on 2026-11-26 (60 fp32 shapes: 5-fold p90 36-37%; 47 fp16 shapes with n or k not a multiple of 8: 39%).
lines = []
rng = random.Random(20261127)
for n, k in [(12288, 4096), (4096, 4096), (11008, 4096), (4096, 11008)]:
    for m in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]:
        add("gemm-blas", {"m": m, "n": n, "k": k}, "fp32", "TN")
random_gemms(120, "fp32", 2, 13, (6, 14), (6, 14))
random_gemms(100, "fp16", 3, 13, (7, 14.5), (7, 14))
# And the GPU selective scan at states whose launch changed on 2026-11-27 (state 1 now halves its block to fit 48 KB of
# shared memory; compiled, never run on a GPU): kref checks each against its CPU reference before timing it.
for state in [1, 2, 128]:
    add("selective-scan", {"batch": 1, "dim": 1536, "len": 1024, "state": state})
with open("kernels-ref/plans/gpu-gemm-dense.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "kernels-ref/plans/gpu-gemm-dense.jsonl")

# A third plan (2026-11-27, after the second ran on an H100 and an H200 in about 65 s each, 0.24 s a line): the Hopper
# fp32 curves still had a 5-fold p90 of 30-35% on 221 rows, where 10x the rows took NeuSight's curves from 29 to 24%.
# First 40 of the second plan's random fp32 shapes again and 3 more (how far a fresh machine's timing of one shape moves), then
# 480 more fp32 and 200 more fp16 log-uniform shapes, interleaved so that a budget cut keeps both dtypes.
lines = []
dense = [json.loads(l) for l in open("kernels-ref/plans/gpu-gemm-dense.jsonl")]
repeats = [l for l in dense if l["kernel"] == "gemm-blas" and l["dtype"] == "fp32"][56:96]
# and the three the H100's 5-fold curves missed most (m1101 n599 k81 NN ran 139 us, 9x its neighbours: a slow pick or a hiccup?)
repeats += [l for l in dense if l["kernel"] == "gemm-blas" and (l["shape"]["m"], l["shape"]["n"]) in [(1101, 599), (1336, 225), (3, 3590)]]
for l in repeats:
    lines.append(json.dumps(l, separators=(",", ":")))
rng = random.Random(20261128)
fp32, fp16 = [], []
for i in range(480):
    m, n, k = log_uniform(0, 13), log_uniform(6, 14), log_uniform(6, 14)
    fp32.append(("fp32", m, n, k, "TN" if i % 2 else "NN"))
for i in range(200):
    m, n, k = log_uniform(0, 13), log_uniform(7, 14.5), log_uniform(7, 14)
    fp16.append(("fp16", m, n, k, "TN" if i % 3 else "NN"))
for i, (dtype, m, n, k, layout) in enumerate(sorted(fp32 + fp16, key=lambda g: rng.random())):
    add("gemm-blas", {"m": m, "n": n, "k": k}, dtype, layout)
with open("kernels-ref/plans/gpu-gemm-dense2.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "kernels-ref/plans/gpu-gemm-dense2.jsonl")

# A fourth plan, for `kref run --graph` beside plain `kref run` on one machine (kernels-ref/README.md): short calls
# timed both ways, to tell the device's time from the host's dispatch between back-to-back calls. The 43 fp32 shapes
# timed on two machines above, the Llama-2-7B fp32 projections timed on both days, fp16 ones at decode sizes, and the
# short elementwise, norm, copy and empty kernels.
lines = [json.dumps(l, separators=(",", ":")) for l in repeats]
for n, k in [(12288, 4096), (4096, 4096), (11008, 4096), (4096, 11008)]:
    for m in [1, 16, 128]:
        add("gemm-blas", {"m": m, "n": n, "k": k}, "fp32", "TN")
        add("gemm-blas", {"m": m, "n": n, "k": k}, "fp16", "TN")
for kernel in ["add", "silu"]:
    for n in [1 << 14, 1 << 20]:
        add(kernel, {"n": n})
for kernel in ["rmsnorm", "softmax"]:
    for rows in [1, 16]:
        add(kernel, {"rows": rows, "cols": 4096})
add("memcpy", {"bytes": 65536}, variant="kernel")
add("memcpy", {"bytes": 65536}, variant="api")
add("empty", {})
with open("kernels-ref/plans/graph-check.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "kernels-ref/plans/graph-check.jsonl")

# A fifth plan (2026-11-27, not yet run): fresh fp16 cuBLAS GEMMs in four classes of row alignment, 40 each, to score
# the graded misalign feature (simulator/calibration.ts: 1 where n or k is odd, 0.5 where both are even, 0 at
# multiples of 8) on shapes it was not chosen on: the grading was picked after reading the 342 misaligned rows'
# residuals of the dense plans. Classes by the smaller alignment of n and k, in elements: 1 (an odd one), 2, 4, 8.
# Run back to back like the fitted rows, and score them against the shipped profile before any refit reads them.
lines = []
rng = random.Random(20261129)


def aligned_to(x, align):
    """`x` moved to the nearest value whose largest power-of-2 divisor (up to 8) is exactly `align` (8: a multiple of 8)."""
    if align == 8:
        return max(8, 8 * round(x / 8))
    base = max(align, align * round(x / align))
    return base if base % (2 * align) else base + align


shapes = []
for align in [1, 2, 4, 8]:
    for i in range(40):
        m, n, k = log_uniform(0, 13), log_uniform(7, 14.5), log_uniform(7, 14)
        # The class is the smaller alignment: one of n and k at it (which one alternates), the other at it or above.
        other = 8 if i % 4 < 2 else rng.choice([a for a in [1, 2, 4, 8] if a >= align])
        n, k = (aligned_to(n, align), aligned_to(k, other)) if i % 2 else (aligned_to(n, other), aligned_to(k, align))
        shapes.append((m, n, k, "TN" if i % 3 else "NN"))
for m, n, k, layout in sorted(shapes, key=lambda g: rng.random()):
    add("gemm-blas", {"m": m, "n": n, "k": k}, "fp16", layout)
with open("kernels-ref/plans/gpu-gemm-align.jsonl", "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "kernels-ref/plans/gpu-gemm-align.jsonl")
