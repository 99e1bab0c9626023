"""Production attention and row-wise kernels through PyTorch on a lent GPU, as genz.measurement.v1 JSON Lines.

kernels-ref's own attention and norm kernels are teaching kernels that genz does not fit (calibrate/fit.ts
ownGpuKernel); what a serving stack runs is FlashAttention and fused norms. This times those through PyTorch:
  attention-flash  torch.nn.functional.scaled_dot_product_attention, FlashAttention backend (GQA through enable_gqa),
                   fp16, prefill (causal, q = kv) and decode (one query); shape {batch, queryLen, kvLen, heads,
                   kvHeads, headDim} as calibrate's Vidur importer writes it
  rmsnorm, layernorm, softmax   torch.nn.functional.rms_norm / layer_norm / torch.softmax, fp16, shape {rows, cols}
Each shape: fresh random inputs, a check against a float32 reference (error relative to the reference's largest
value under 1e-2; softmax rows also sum to 1; attention checked on shapes up to 2048 keys), then CUDA-graph replays of
R launches over R input sets, each with its own output (inputs and outputs together past twice the L2, or 256 sets
when smaller), timed with CUDA events behind an untimed replay, so neither host dispatch nor the graph's launch from
an idle GPU is counted: medianS = median over replays of replay time / R. A row whose FlashAttention backend refused
the shape is timed through SDPA's default choice and says so in device.runtime.
A first version (before 2026-11-26 15:00 UTC) shared one output buffer, allowed at most 64 sets and timed each replay
from an idle GPU; no committed rows come from it now (data/manifest.json lists each file's run).
Usage: python3 kernels-ref/torch-ops.py DEVICE_ID [BUDGET_S] > torch-ops-DEVICE_ID.jsonl   (progress on stderr)
"""
import contextlib
import datetime
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

DEVICE_ID = sys.argv[1] if len(sys.argv) > 1 else "unknown"
BUDGET_S = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
REPEATS = 15
FP16 = 2


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def device_record(runtime: str) -> dict:
    p = torch.cuda.get_device_properties(0)
    return {"name": p.name, "id": DEVICE_ID, "backend": "cuda", "computeUnits": p.multi_processor_count,
            "memoryBytes": p.total_memory, "runtime": runtime}


def copies_for(set_bytes: int) -> int:
    """Input and output sets that together pass twice the L2 (at most 256: tiny rows stay cached regardless)."""
    l2 = getattr(torch.cuda.get_device_properties(0), "L2_cache_size", 50 << 20)
    return max(1, min(256, -(-2 * l2 // max(1, set_bytes))))


def time_launches(launches) -> tuple:
    """Median, min, max seconds of one launch: CUDA-graph replays of all launches back to back."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for f in launches:
            f()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        outputs = [f() for f in launches]  # kept alive, so every launch writes a buffer of its own
    for _ in range(3):
        graph.replay()
    torch.cuda.synchronize()
    samples = []
    for _ in range(REPEATS):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        graph.replay()  # untimed: the timed replay is queued behind it, not launched from an idle GPU
        start.record()
        graph.replay()
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop) * 1e-3 / len(launches))
    del outputs
    return statistics.median(samples), min(samples), max(samples)


def emit(kernel, variant, shape, runtime, timing, flops, bytes_, err):
    median, lo, hi = timing
    row = {"schema": "genz.measurement.v1", "source": "pytorch", "device": device_record(runtime), "kernel": kernel}
    if variant:
        row["variant"] = variant
    row.update({"shape": shape, "dtype": "fp16", "medianS": median, "minS": lo, "maxS": hi, "repeats": REPEATS,
                "flops": flops, "bytes": bytes_, "achievedFlopsPerS": flops / median, "achievedBytesPerS": bytes_ / median,
                **({} if err is None else {"maxAbsError": err}), "measuredAt": now()})
    print(json.dumps(row), flush=True)


def attention(batch, q_len, kv_len, heads, kv_heads, head_dim=128):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    causal = q_len == kv_len
    dev = torch.device("cuda")
    set_bytes = (2 * batch * heads * q_len * head_dim + 2 * batch * kv_heads * kv_len * head_dim) * FP16
    if set_bytes > 8 << 30:
        return False
    sets = [(torch.randn(batch, heads, q_len, head_dim, device=dev, dtype=torch.float16),
             torch.randn(batch, kv_heads, kv_len, head_dim, device=dev, dtype=torch.float16),
             torch.randn(batch, kv_heads, kv_len, head_dim, device=dev, dtype=torch.float16)) for _ in range(copies_for(set_bytes))]
    backend = "flash"
    try:
        with sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
            out = F.scaled_dot_product_attention(*sets[0], is_causal=causal, enable_gqa=kv_heads != heads)
    except RuntimeError:
        backend = "default"
        out = F.scaled_dot_product_attention(*sets[0], is_causal=causal, enable_gqa=kv_heads != heads)
    err = None  # checked on shapes whose float32 reference fits comfortably
    if kv_len <= 2048 and batch <= 4:
        q, k, v = (t.float() for t in sets[0])
        group = heads // kv_heads
        scores = (q @ k.repeat_interleave(group, 1).transpose(-1, -2)) / head_dim ** 0.5
        if causal:
            scores = scores.masked_fill(torch.ones(q_len, kv_len, device=dev, dtype=torch.bool).triu(1), float("-inf"))
        ref = torch.softmax(scores, -1) @ v.repeat_interleave(group, 1)
        err = (out.float() - ref).abs().max().item()
        if not err < 1e-2 * ref.abs().max().item():
            raise RuntimeError(f"attention check failed: max abs error {err} against max |reference| {ref.abs().max().item()}")

    gqa = kv_heads != heads
    context = (lambda: sdpa_kernel([SDPBackend.FLASH_ATTENTION])) if backend == "flash" else contextlib.nullcontext
    with context():
        timing = time_launches([(lambda s=s: F.scaled_dot_product_attention(*s, is_causal=causal, enable_gqa=gqa)) for s in sets])
    pairs = q_len * (kv_len - q_len) + q_len * (q_len + 1) // 2
    emit("attention-flash", "prefill" if q_len > 1 else "decode",
         {"batch": batch, "queryLen": q_len, "kvLen": kv_len, "heads": heads, "kvHeads": kv_heads, "headDim": head_dim},
         f"PyTorch {torch.__version__} SDPA {backend}", timing, 4 * batch * heads * head_dim * pairs, set_bytes, err)
    return True


def rowwise(kernel, rows, cols):
    dev = torch.device("cuda")
    set_bytes = 2 * rows * cols * FP16
    sets = [torch.randn(rows, cols, device=dev, dtype=torch.float16) for _ in range(copies_for(set_bytes))]
    weight = torch.rand(cols, device=dev, dtype=torch.float16) + 0.5
    bias = torch.randn(cols, device=dev, dtype=torch.float16)
    if kernel == "rmsnorm":
        op = lambda x: F.rms_norm(x, (cols,), weight, 1e-6)
        ref = lambda x: x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-6) * weight.float()
        flops, extra = 4, cols * FP16
    elif kernel == "layernorm":
        op = lambda x: F.layer_norm(x, (cols,), weight, bias, 1e-5)
        ref = lambda x: F.layer_norm(x, (cols,), weight.float(), bias.float(), 1e-5)
        flops, extra = 7, 2 * cols * FP16
    else:
        op = lambda x: torch.softmax(x, -1)
        ref = lambda x: torch.softmax(x, -1)
        flops, extra = 5, 0
    got, want = op(sets[0]).float(), ref(sets[0].float())
    err = (got - want).abs().max().item()
    if not err < 1e-2 * want.abs().max().item():
        raise RuntimeError(f"{kernel} check failed: max abs error {err} against max |reference| {want.abs().max().item()}")
    if kernel == "softmax" and not (got.sum(-1) - 1).abs().max().item() < 1e-2:
        raise RuntimeError("softmax check failed: rows do not sum to 1")
    timing = time_launches([(lambda x=x: op(x)) for x in sets])
    emit(kernel, None, {"rows": rows, "cols": cols}, f"PyTorch {torch.__version__}", timing, flops * rows * cols,
         set_bytes + extra, err)
    return True


def main() -> None:
    cases = []
    for kv_heads in (8, 32):
        for batch in (1, 4):
            for seq in (512, 1024, 2048, 4096, 8192):
                cases.append(("attention", (batch, seq, seq, 32, kv_heads)))
        for batch in (1, 8, 32, 64):
            # Up to 128k keys: long-context decode (inputs over 8 GiB are skipped).
            for kv in (512, 2048, 8192, 32768, 65536, 131072):
                cases.append(("attention", (batch, 1, kv, 32, kv_heads)))
    for kernel in ("rmsnorm", "layernorm", "softmax"):
        for rows in (1, 4, 16, 64, 256, 1024, 2048, 4096, 16384):
            for cols in (2048, 4096, 5120, 8192):
                cases.append(("rowwise", (kernel, rows, cols)))
    # Interleave the kinds, so that a budget cut leaves some of each.
    att = [c for c in cases if c[0] == "attention"]
    row = [c for c in cases if c[0] == "rowwise"]
    order = [c for pair in zip(att, row) for c in pair] + att[len(row):] + row[len(att):]
    start = time.time()
    done = failed = skipped = 0
    for kind, args in order:
        if time.time() - start > BUDGET_S:
            print(f"budget of {BUDGET_S} s reached after {done} cases", file=sys.stderr)
            break
        try:
            if (attention if kind == "attention" else rowwise)(*args):
                done += 1
            else:
                skipped += 1  # inputs over 8 GiB
        except Exception as exc:  # one shape's failure (memory, backend) must not end the sweep
            failed += 1
            print(f"{kind} {args}: {type(exc).__name__}: {exc}", file=sys.stderr)
        torch.cuda.empty_cache()
    print(f"torch-ops: {done} measured, {failed} failed, {skipped} skipped, {time.time() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
