// Row-wise (softmax, RMSNorm, LayerNorm), elementwise, Mamba-1 selective scan, causal depthwise conv1d,
// T-MAC-style LUT GEMV, a copy kernel and the empty kernel. All fp32.
#include <cmath>

#include "gpu_kernels.cuh"

namespace kref {
namespace gpu {
namespace {

__global__ void kSoftmax(const float* __restrict__ x, float* __restrict__ y, int cols) {
  __shared__ float sm[32];
  const float* xr = x + size_t(blockIdx.x) * cols;
  float* yr = y + size_t(blockIdx.x) * cols;
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) mx = fmaxf(mx, xr[j]);
  mx = blockReduce<true>(mx, sm);
  float sum = 0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += expf(xr[j] - mx);
  sum = blockReduce<false>(sum, sm);
  float inv = 1.0f / sum;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) yr[j] = expf(xr[j] - mx) * inv;
}

__global__ void kRms(const float* __restrict__ x, const float* __restrict__ g, float* __restrict__ y, int cols) {
  __shared__ float sm[32];
  const float* xr = x + size_t(blockIdx.x) * cols;
  float ss = 0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) ss += xr[j] * xr[j];
  ss = blockReduce<false>(ss, sm);
  float inv = rsqrtf(ss / float(cols) + 1e-6f);
  for (int j = threadIdx.x; j < cols; j += blockDim.x) y[size_t(blockIdx.x) * cols + j] = xr[j] * inv * g[j];
}

__global__ void kLn(const float* __restrict__ x, const float* __restrict__ g, const float* __restrict__ b, float* __restrict__ y, int cols) {
  __shared__ float sm[32];
  const float* xr = x + size_t(blockIdx.x) * cols;
  float s = 0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) s += xr[j];
  float mean = blockReduce<false>(s, sm) / float(cols);
  float v = 0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) v += (xr[j] - mean) * (xr[j] - mean);
  float inv = rsqrtf(blockReduce<false>(v, sm) / float(cols) + 1e-5f);
  for (int j = threadIdx.x; j < cols; j += blockDim.x) y[size_t(blockIdx.x) * cols + j] = (xr[j] - mean) * inv * g[j] + b[j];
}

template <Ew OP>
__global__ void kEw(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    float x = a[i];
    if (OP == Ew::Add) c[i] = x + b[i];
    else if (OP == Ew::Mul) c[i] = x * b[i];
    else if (OP == Ew::Silu) c[i] = x / (1.0f + expf(-x));
    else c[i] = 0.5f * x * (1.0f + tanhf(0.7978845608f * (x + 0.044715f * x * x * x)));
  }
}

// Selective scan: G = min(state, 32) lanes per channel, S = state / G states per lane, up to 128 threads per block
// (threads / G channels; fewer threads where the staged chunk would pass 48 KB of shared memory: state 1). Chunks of 32 time steps of u, delta, B and C are staged in shared memory (B and C are
// shared by all channels of a batch); y of the chunk is written back coalesced.
constexpr int kChunk = 32, kPad = kChunk + 1, kScanThreads = 128;

template <int S>
__global__ void __launch_bounds__(kScanThreads) kScan(const float* __restrict__ u, const float* __restrict__ dt, const float* __restrict__ A,
                                                      const float* __restrict__ Bm, const float* __restrict__ Cm, const float* __restrict__ Dv,
                                                      float* __restrict__ y, int Dd, int L, int N, int G) {
  extern __shared__ float sm[];
  int threads = blockDim.x, cpb = threads / G;
  float* us = sm;                 // [cpb][kPad]
  float* ds = us + cpb * kPad;    // [cpb][kPad]
  float* ys = ds + cpb * kPad;    // [cpb][kPad]
  float* Bs = ys + cpb * kPad;    // [N][kPad]
  float* Cs = Bs + N * kPad;      // [N][kPad]
  int tid = threadIdx.x, cl = tid / G, g = tid % G, b = blockIdx.y;
  int d0 = blockIdx.x * cpb, d = d0 + cl;
  bool valid = d < Dd;
  float h[S], a[S];
#pragma unroll
  for (int s = 0; s < S; ++s) {
    h[s] = 0;
    a[s] = valid ? A[size_t(d) * N + g + s * G] : 0.0f;
  }
  float dskip = valid ? Dv[d] : 0.0f;
  for (int l0 = 0; l0 < L; l0 += kChunk) {
    int tl = min(kChunk, L - l0);
    for (int i = tid; i < cpb * kChunk; i += threads) {
      int c = i / kChunk, t = i % kChunk;
      bool ok = d0 + c < Dd && t < tl;
      size_t off = (size_t(b) * Dd + d0 + c) * L + l0 + t;
      us[c * kPad + t] = ok ? u[off] : 0.0f;
      ds[c * kPad + t] = ok ? dt[off] : 0.0f;
    }
    for (int i = tid; i < N * kChunk; i += threads) {
      int n = i / kChunk, t = i % kChunk;
      size_t off = (size_t(b) * N + n) * L + l0 + t;
      Bs[n * kPad + t] = t < tl ? Bm[off] : 0.0f;
      Cs[n * kPad + t] = t < tl ? Cm[off] : 0.0f;
    }
    __syncthreads();
    for (int t = 0; t < tl; ++t) {
      float uu = us[cl * kPad + t], dd = ds[cl * kPad + t], p = 0;
#pragma unroll
      for (int s = 0; s < S; ++s) {
        int n = g + s * G;
        h[s] = expf(dd * a[s]) * h[s] + dd * Bs[n * kPad + t] * uu;
        p += Cs[n * kPad + t] * h[s];
      }
      for (int o = G / 2; o > 0; o >>= 1) p += GPU_SHFL_XOR(p, o, G);
      if (g == 0) ys[cl * kPad + t] = p + dskip * uu;
    }
    __syncthreads();
    for (int i = tid; i < cpb * kChunk; i += threads) {
      int c = i / kChunk, t = i % kChunk;
      if (d0 + c < Dd && t < tl) y[(size_t(b) * Dd + d0 + c) * L + l0 + t] = ys[c * kPad + t];
    }
    __syncthreads();
  }
}

__global__ void kConv(const float* __restrict__ x, const float* __restrict__ w, const float* __restrict__ bias, float* __restrict__ y,
                      int Dd, int L, int W, int64_t total) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    int t = int(i % L);
    int64_t ch = i / L;
    int d = int(ch % Dd);
    const float* xr = x + ch * L;
    float acc = bias[d];
    for (int j = max(0, W - 1 - t); j < W; ++j) acc += w[d * W + j] * xr[t - (W - 1) + j];
    y[i] = acc;
  }
}

// LUT GEMV. kLutBuild: per group of 4 activations, the 16 subset sums. kLutGemv: one warp per row; each lane
// takes 32-bit words of every bit plane (8 nibbles = 32 weights) and looks each nibble up in its group's table.
__global__ void kLutBuild(const float* __restrict__ x, float* __restrict__ lut, int groups) {
  int grp = blockIdx.x * blockDim.x + threadIdx.x;
  if (grp >= groups) return;
  float v[4] = {x[4 * grp], x[4 * grp + 1], x[4 * grp + 2], x[4 * grp + 3]};
#pragma unroll
  for (int p = 0; p < 16; ++p) lut[grp * 16 + p] = ((p & 1) ? v[0] : 0.0f) + ((p & 2) ? v[1] : 0.0f) + ((p & 4) ? v[2] : 0.0f) + ((p & 8) ? v[3] : 0.0f);
}

__global__ void kLutGemv(const uint8_t* __restrict__ planes, const float* __restrict__ scales, const float* __restrict__ lut, float* __restrict__ y,
                         int M, int K, int group, int bits) {
  int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= M) return;
  int words = K / 32;
  float zero = float(1 << (bits - 1)), acc = 0;
  const uint32_t* pl = reinterpret_cast<const uint32_t*>(planes);
  for (int w = lane; w < words; w += 32) {
    uint32_t word[4] = {0, 0, 0, 0};
    for (int bit = 0; bit < bits; ++bit) word[bit] = pl[(size_t(bit) * M + row) * words + w];
    float scale = scales[size_t(row) * (K / group) + (32 * w) / group];
    const float* t = lut + size_t(w) * 8 * 16;  // 8 groups of 4 per word
    float s = 0;
#pragma unroll
    for (int nib = 0; nib < 8; ++nib) {
      const float* tg = t + nib * 16;
      float part = -zero * tg[15];
      for (int bit = 0; bit < bits; ++bit) part += float(1 << bit) * tg[(word[bit] >> (4 * nib)) & 15];
      s += part;
    }
    acc += scale * s;
  }
  acc = warpSum(acc);
  if (lane == 0) y[row] = acc;
}

__global__ void kCopy(const uint4* __restrict__ src, uint4* __restrict__ dst, int64_t n16, const uint8_t* __restrict__ srcB,
                      uint8_t* __restrict__ dstB, int64_t bytes) {
  int64_t stride = int64_t(gridDim.x) * blockDim.x, i0 = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  for (int64_t i = i0; i < n16; i += stride) dst[i] = src[i];
  for (int64_t i = n16 * 16 + i0; i < bytes; i += stride) dstB[i] = srcB[i];
}

__global__ void kEmpty() {}

unsigned gridCap() {
  static unsigned cap = 0;
  if (!cap) {
    int dev = 0, sms = 0;
    GPU_CHECK(gpuGetDevice(&dev));
    GPU_CHECK(gpuDeviceGetAttribute(&sms, gpuAttrMultiProcessorCount, dev));
    cap = unsigned(sms > 0 ? sms : 80) * 32;
  }
  return cap;
}

}  // namespace

void softmax(const float* x, float* y, int rows, int cols) { gpuLaunch(kSoftmax, dim3(rows), dim3(256), 0, x, y, cols); }
void rmsnorm(const float* x, const float* g, float* y, int rows, int cols) { gpuLaunch(kRms, dim3(rows), dim3(256), 0, x, g, y, cols); }
void layernorm(const float* x, const float* g, const float* b, float* y, int rows, int cols) {
  gpuLaunch(kLn, dim3(rows), dim3(256), 0, x, g, b, y, cols);
}

void elementwise(Ew op, const float* a, const float* b, float* c, int64_t n) {
  dim3 grid(blocksFor(n, 256, gridCap())), block(256);
  switch (op) {
    case Ew::Add: gpuLaunch(kEw<Ew::Add>, grid, block, 0, a, b, c, n); break;
    case Ew::Mul: gpuLaunch(kEw<Ew::Mul>, grid, block, 0, a, b, c, n); break;
    case Ew::Silu: gpuLaunch(kEw<Ew::Silu>, grid, block, 0, a, b, c, n); break;
    case Ew::Gelu: gpuLaunch(kEw<Ew::Gelu>, grid, block, 0, a, b, c, n); break;
  }
}

void selectiveScan(const float* u, const float* dt, const float* A, const float* B, const float* C, const float* D, float* y,
                   int batch, int dim, int len, int state) {
  int G = state < 32 ? state : 32, S = state / G, threads = kScanThreads;
  auto smemFor = [&](int t) { return size_t(3 * (t / G) * kPad + 2 * state * kPad) * sizeof(float); };
  // Without an opt-in, a block gets 48 KB of shared memory: halve the channels per block until the chunk fits.
  while (smemFor(threads) > 48 * 1024 && threads / 2 >= G && threads / 2 >= 32) threads /= 2;
  size_t smem = smemFor(threads);
  if (smem > 48 * 1024) throw std::runtime_error("selective-scan: state too large for shared memory");
  int cpb = threads / G;
  dim3 grid(unsigned((dim + cpb - 1) / cpb), unsigned(batch)), block(static_cast<unsigned>(threads));
  switch (S) {
    case 1: gpuLaunch(kScan<1>, grid, block, smem, u, dt, A, B, C, D, y, dim, len, state, G); break;
    case 2: gpuLaunch(kScan<2>, grid, block, smem, u, dt, A, B, C, D, y, dim, len, state, G); break;
    case 4: gpuLaunch(kScan<4>, grid, block, smem, u, dt, A, B, C, D, y, dim, len, state, G); break;
    case 8: gpuLaunch(kScan<8>, grid, block, smem, u, dt, A, B, C, D, y, dim, len, state, G); break;
    default: throw std::runtime_error("selective-scan: state must be a power of two up to 128");
  }
}

void conv1d(const float* x, const float* w, const float* bias, float* y, int batch, int dim, int len, int width) {
  int64_t total = int64_t(batch) * dim * len;
  gpuLaunch(kConv, dim3(blocksFor(total, 256, gridCap())), dim3(256), 0, x, w, bias, y, dim, len, width, total);
}

void lutGemv(const uint8_t* planes, const float* scales, const float* x, float* y, float* lut, int m, int k, int group, int bits) {
  int groups = k / 4;
  gpuLaunch(kLutBuild, dim3(blocksFor(groups, 256)), dim3(256), 0, x, lut, groups);
  gpuLaunch(kLutGemv, dim3(unsigned((m + 7) / 8)), dim3(256), 0, planes, scales, static_cast<const float*>(lut), y, m, k, group, bits);
}

void copyKernel(const void* src, void* dst, int64_t bytes) {
  int64_t n16 = bytes / 16;
  gpuLaunch(kCopy, dim3(blocksFor(n16 > 0 ? n16 : 1, 256, gridCap())), dim3(256), 0, static_cast<const uint4*>(src), static_cast<uint4*>(dst), n16,
            static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst), bytes);
}

void empty() { gpuLaunch(kEmpty, dim3(1), dim3(1), 0); }

}  // namespace gpu
}  // namespace kref
