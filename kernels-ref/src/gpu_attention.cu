// Attention kernels. Naive: scores into a materialized [b,h,q,kv] fp32 matrix, softmax in place, then P·V.
// Flash: tiled online softmax; one block serves 8 query rows of one (batch, KV head) — rows of every query
// head in the GQA group — and shares each K/V tile of 32 keys among them. When that grid is too small to fill
// the GPU (decode), the keys are split across blocks and a second kernel merges the partial softmaxes.
#include <cmath>

#include "gpu_kernels.cuh"

namespace kref {
namespace gpu {
namespace {

__device__ __forceinline__ int lastKey(const AttnArgs& a, int i) { return a.causal ? a.KV - a.Q + i : a.KV - 1; }

template <typename T>
__global__ void kScores(AttnArgs a, const T* __restrict__ Q, const T* __restrict__ K, float* __restrict__ S, float scale) {
  extern __shared__ float q[];
  int row = blockIdx.x;  // (b*H + h)*Q + i
  int i = row % a.Q, h = (row / a.Q) % a.H, b = row / (a.Q * a.H);
  const T* k = K + (size_t(b) * a.KVH + h / (a.H / a.KVH)) * a.KV * a.D;
  for (int t = threadIdx.x; t < a.D; t += blockDim.x) q[t] = toF(Q[size_t(row) * a.D + t]);
  __syncthreads();
  int lim = lastKey(a, i);
  for (int j = threadIdx.x; j < a.KV; j += blockDim.x) {
    float s = -INFINITY;
    if (j <= lim) {
      float acc = 0;
      for (int t = 0; t < a.D; ++t) acc += q[t] * toF(k[size_t(j) * a.D + t]);
      s = acc * scale;
    }
    S[size_t(row) * a.KV + j] = s;
  }
}

__global__ void kSoftmaxInPlace(float* __restrict__ S, int cols) {
  __shared__ float sm[32];
  float* r = S + size_t(blockIdx.x) * cols;
  float mx = -INFINITY;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) mx = fmaxf(mx, r[j]);
  mx = blockReduce<true>(mx, sm);
  float sum = 0;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += expf(r[j] - mx);
  sum = blockReduce<false>(sum, sm);
  float inv = 1.0f / sum;
  for (int j = threadIdx.x; j < cols; j += blockDim.x) r[j] = expf(r[j] - mx) * inv;
}

template <typename T>
__global__ void kPV(AttnArgs a, const float* __restrict__ S, const T* __restrict__ V, T* __restrict__ O) {
  int row = blockIdx.x;
  int h = (row / a.Q) % a.H, b = row / (a.Q * a.H);
  const T* v = V + (size_t(b) * a.KVH + h / (a.H / a.KVH)) * a.KV * a.D;
  const float* p = S + size_t(row) * a.KV;
  for (int t = threadIdx.x; t < a.D; t += blockDim.x) {
    float acc = 0;
    for (int j = 0; j < a.KV; ++j) acc += p[j] * toF(v[size_t(j) * a.D + t]);
    O[size_t(row) * a.D + t] = fromF<T>(acc);
  }
}

constexpr int kTileKeys = 32, kWarps = 8;

inline size_t flashSmem(int D) { return size_t(kTileKeys * (D + 1) + kTileKeys * D + kWarps * D) * sizeof(float); }

/** Keys per split (a multiple of the tile) and the split count: decode-sized grids split the keys (flash-decoding). */
void flashSplit(const AttnArgs& a, int sms, int& chunk, int& splits) {
  long blocks = long((a.H / a.KVH) * a.Q + kWarps - 1) / kWarps * a.B * a.KVH;
  long want = blocks >= sms ? 1 : (2L * sms + blocks - 1) / blocks;
  long maxByKeys = (a.KV + 255) / 256;  // at least 256 keys per split
  splits = int(want < maxByKeys ? want : maxByKeys);
  if (splits < 1) splits = 1;
  chunk = ((a.KV + splits - 1) / splits + kTileKeys - 1) / kTileKeys * kTileKeys;
  splits = (a.KV + chunk - 1) / chunk;
}

// grid: x = blocks of 8 rows of one (batch, KV head), rows ordered (head in group, query); y = batch*kvHeads;
// z = key split. One warp per row; each lane scores one key of the 32-key tile, then owns d/32 output dims.
// With one split the row is finished here; with several, the unnormalized output and (max, sum) go to `part`.
template <typename T>
__global__ void __launch_bounds__(kWarps * 32) kFlash(AttnArgs a, const T* __restrict__ Q, const T* __restrict__ K, const T* __restrict__ V,
                                                       T* __restrict__ O, float* __restrict__ part, int chunk, float scale) {
  extern __shared__ float sm[];
  const int D = a.D, ldk = D + 1;
  float* Ks = sm;                      // [32][D+1]
  float* Vs = Ks + kTileKeys * ldk;    // [32][D]
  float* Qs = Vs + kTileKeys * D;      // [8][D], pre-scaled
  int group = a.H / a.KVH, rows = group * a.Q;
  int b = blockIdx.y / a.KVH, kh = blockIdx.y % a.KVH;
  int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  int r = blockIdx.x * kWarps + warp;
  bool valid = r < rows;
  int g = valid ? r / a.Q : 0, i = valid ? r % a.Q : 0;
  size_t row = (size_t(b) * a.H + kh * group + g) * a.Q + i;  // (b, h, i)
  int first = int(blockIdx.z) * chunk, last = first + chunk - 1;
  int lim = valid ? min(lastKey(a, i), last) : -1;
  int blockLim = -1;
  for (int w = 0; w < kWarps; ++w) {
    int rr = blockIdx.x * kWarps + w;
    if (rr < rows) blockLim = max(blockLim, min(lastKey(a, rr % a.Q), last));
  }
  if (valid)
    for (int t = lane; t < D; t += 32) Qs[warp * D + t] = toF(Q[row * D + t]) * scale;
  size_t kvoff = (size_t(b) * a.KVH + kh) * size_t(a.KV) * D;
  float o[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  float m = -INFINITY, l = 0;
  for (int j0 = first; j0 <= blockLim; j0 += kTileKeys) {
    __syncthreads();  // the previous tile is consumed (and, the first time, Qs is written)
    for (int idx = threadIdx.x; idx < kTileKeys * D; idx += blockDim.x) {
      int jj = idx / D, t = idx % D;
      bool ok = j0 + jj < a.KV;
      size_t src = kvoff + size_t(j0 + jj) * D + t;
      Ks[jj * ldk + t] = ok ? toF(K[src]) : 0.0f;
      Vs[jj * D + t] = ok ? toF(V[src]) : 0.0f;
    }
    __syncthreads();
    if (valid && j0 <= lim) {  // uniform across the warp
      int j = j0 + lane;
      float s = -INFINITY;
      if (j <= lim) {
        float acc = 0;
        const float* q = Qs + warp * D;
        const float* k = Ks + lane * ldk;
        for (int t = 0; t < D; ++t) acc += q[t] * k[t];
        s = acc;
      }
      float mnew = fmaxf(m, warpMax(s));  // finite: key j0 is visible here
      float p = j <= lim ? expf(s - mnew) : 0.0f;
      float alpha = expf(m - mnew);
      l = l * alpha + warpSum(p);
#pragma unroll
      for (int u = 0; u < 8; ++u) o[u] *= alpha;
      int keys = min(kTileKeys, lim - j0 + 1);
      for (int jj = 0; jj < keys; ++jj) {
        float pj = GPU_SHFL(p, jj, 32);
#pragma unroll
        for (int u = 0; u < 8; ++u) {
          int dd = lane + 32 * u;
          if (dd < D) o[u] += pj * Vs[jj * D + dd];
        }
      }
      m = mnew;
    }
  }
  if (!valid) return;
  if (gridDim.z == 1) {
    float inv = 1.0f / l;
#pragma unroll
    for (int u = 0; u < 8; ++u) {
      int dd = lane + 32 * u;
      if (dd < D) O[row * D + dd] = fromF<T>(o[u] * inv);
    }
    return;
  }
  float* pr = part + (row * gridDim.z + blockIdx.z) * (D + 2);
#pragma unroll
  for (int u = 0; u < 8; ++u) {
    int dd = lane + 32 * u;
    if (dd < D) pr[dd] = o[u];
  }
  if (lane == 0) {
    pr[D] = m;
    pr[D + 1] = l;
  }
}

/** Merges the key splits of each row: O = sum_s e^(m_s - M) o_s / sum_s e^(m_s - M) l_s. */
template <typename T>
__global__ void kFlashCombine(const float* __restrict__ part, T* __restrict__ O, int D, int splits) {
  size_t row = blockIdx.x;
  const float* pr = part + row * splits * (D + 2);
  float M = -INFINITY;
  for (int s = 0; s < splits; ++s) M = fmaxf(M, pr[s * (D + 2) + D]);
  float L = 0;
  for (int s = 0; s < splits; ++s) L += pr[s * (D + 2) + D + 1] * expf(pr[s * (D + 2) + D] - M);
  for (int dd = threadIdx.x; dd < D; dd += blockDim.x) {
    float acc = 0;
    for (int s = 0; s < splits; ++s) acc += pr[s * (D + 2) + dd] * expf(pr[s * (D + 2) + D] - M);
    O[row * D + dd] = fromF<T>(acc / L);
  }
}

template <typename T>
void naiveT(const AttnArgs& a, const T* Q, const T* K, const T* V, T* O, float* S) {
  unsigned rows = unsigned(a.B * a.H * a.Q);
  gpuLaunch(kScores<T>, dim3(rows), dim3(256), size_t(a.D) * sizeof(float), a, Q, K, S, 1.0f / sqrtf(float(a.D)));
  gpuLaunch(kSoftmaxInPlace, dim3(rows), dim3(256), 0, S, a.KV);
  gpuLaunch(kPV<T>, dim3(rows), dim3(a.D < 256 ? ((a.D + 31) / 32) * 32 : 256), 0, a, S, V, O);
}

template <typename T>
void flashT(const AttnArgs& a, const T* Q, const T* K, const T* V, T* O, float* part, int sms) {
  static int allowed = 0;  // dynamic shared memory opted in so far for this instantiation
  size_t smem = flashSmem(a.D);
  if (smem > 48 * 1024 && int(smem) > allowed) {
    int dev = 0, optin = 0;
    GPU_CHECK(gpuGetDevice(&dev));
    GPU_CHECK(gpuDeviceGetAttribute(&optin, gpuAttrMaxSharedPerBlockOptin, dev));
    if (int(smem) > optin) throw std::runtime_error("attention-flash: d=" + std::to_string(a.D) + " needs " + std::to_string(smem) + " bytes of shared memory, the device allows " + std::to_string(optin));
    GPU_CHECK(gpuFuncSetAttribute(kFlash<T>, gpuFuncAttrMaxDynamicSmem, optin));
    allowed = optin;
  }
  int chunk, splits;
  flashSplit(a, sms, chunk, splits);
  int rows = (a.H / a.KVH) * a.Q;
  dim3 grid(unsigned((rows + kWarps - 1) / kWarps), unsigned(a.B * a.KVH), unsigned(splits));
  gpuLaunch(kFlash<T>, grid, dim3(kWarps * 32), smem, a, Q, K, V, O, part, chunk, 1.0f / sqrtf(float(a.D)));
  if (splits > 1)
    gpuLaunch(kFlashCombine<T>, dim3(unsigned(a.B * a.H * a.Q)), dim3(a.D < 256 ? ((a.D + 31) / 32) * 32 : 256), 0, static_cast<const float*>(part), O, a.D, splits);
}

}  // namespace

void attentionNaive(bool f16, const AttnArgs& a, const void* Q, const void* K, const void* V, void* O, float* S) {
  if (f16) naiveT(a, static_cast<const gpuHalf*>(Q), static_cast<const gpuHalf*>(K), static_cast<const gpuHalf*>(V), static_cast<gpuHalf*>(O), S);
  else naiveT(a, static_cast<const float*>(Q), static_cast<const float*>(K), static_cast<const float*>(V), static_cast<float*>(O), S);
}

size_t attentionFlashScratch(const AttnArgs& a, int sms) {
  int chunk, splits;
  flashSplit(a, sms, chunk, splits);
  return splits > 1 ? size_t(a.B) * a.H * a.Q * splits * (a.D + 2) * sizeof(float) : 0;
}

void attentionFlash(bool f16, const AttnArgs& a, const void* Q, const void* K, const void* V, void* O, float* part, int sms) {
  if (f16) flashT(a, static_cast<const gpuHalf*>(Q), static_cast<const gpuHalf*>(K), static_cast<const gpuHalf*>(V), static_cast<gpuHalf*>(O), part, sms);
  else flashT(a, static_cast<const float*>(Q), static_cast<const float*>(K), static_cast<const float*>(V), static_cast<float*>(O), part, sms);
}

}  // namespace gpu
}  // namespace kref
