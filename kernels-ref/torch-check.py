"""Cross-check of kernels-ref's cuBLAS timings through PyTorch, run beside device-sweep.sh on a lent GPU.

torch.nn.functional.linear (y = x·Wᵀ, the TN call gemm-blas's TN variant makes) is timed on the Llama-2 projection
shapes of kernels-ref/plans/gpu-calibration.jsonl, with CUDA events, warm-up, rotating weight copies larger than twice
the L2, and the median of repeats, in fp16 and bf16. One JSON object per line on stdout:
  {"m":..,"n":..,"k":..,"dtype":"fp16","medianS":..,"torch":"2.11.0+cu130","device":"NVIDIA H100 80GB HBM3"}
The comparison with kernels-ref's rows is made on the machine with Node (calibrate/gpu-run-report.ts).
Usage: python3 kernels-ref/torch-check.py [REPEATS] > torch-linear.jsonl
"""
import json
import statistics
import sys

import torch

REPEATS = int(sys.argv[1]) if len(sys.argv) > 1 else 20
SHAPES = [(12288, 4096), (4096, 4096), (11008, 4096), (4096, 11008), (28672, 8192), (8192, 28672)]
TOKENS = [1, 16, 128, 1024, 4096]


def main() -> None:
    dev = torch.device("cuda")
    props = torch.cuda.get_device_properties(dev)
    l2 = getattr(props, "L2_cache_size", 64 << 20)
    for dtype, name in [(torch.float16, "fp16"), (torch.bfloat16, "bf16")]:
        for n, k in SHAPES:
            w_bytes = n * k * 2
            copies = max(1, min(16, (2 * l2 + w_bytes - 1) // w_bytes))
            ws = [torch.empty(n, k, device=dev, dtype=dtype).uniform_(-1, 1) for _ in range(copies)]
            for m in TOKENS:
                x = torch.empty(m, k, device=dev, dtype=dtype).uniform_(-1, 1)
                y = torch.nn.functional.linear(x, ws[0])
                ref = x.double() @ ws[0].double().T
                err = ((y.double() - ref).norm() / ref.norm()).item()
                # 10 warm-up launches (the 2026-11-26 H100 run had 3: its first shape, m=1 fp16, may have met
                # clocks still ramping up).
                for i in range(10):
                    torch.nn.functional.linear(x, ws[i % copies])
                samples = []
                for r in range(REPEATS):
                    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                    start.record()
                    torch.nn.functional.linear(x, ws[r % copies])
                    stop.record()
                    stop.synchronize()
                    samples.append(start.elapsed_time(stop) * 1e-3)
                print(json.dumps({"m": m, "n": n, "k": k, "dtype": name, "medianS": statistics.median(samples),
                                  "minS": min(samples), "relError": err, "torch": torch.__version__, "device": props.name}),
                      flush=True)
            del ws
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
