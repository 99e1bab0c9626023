"""Writes kernels-ref/plans/gpu-calibration.jsonl, the plan a lent GPU runs beside kref's default sweep, and
gpu-gemm-dense.jsonl, more cuBLAS GEMMs for a second call (PLAN_ONLY=1).

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
