// Device helpers and the host-side launchers of the GPU kernels (gpu_gemm.cu, gpu_attention.cu, gpu_misc.cu).
// Every launcher enqueues on the default stream; `f16` selects __half storage (fp32 accumulation throughout).
#pragma once
#include <cstddef>
#include <cstdint>

#include "gpu.h"

namespace kref {
namespace gpu {

__device__ __forceinline__ float toF(float x) { return x; }
__device__ __forceinline__ float toF(gpuHalf x) { return __half2float(x); }
template <typename T> __device__ __forceinline__ T fromF(float x);
template <> __device__ __forceinline__ float fromF<float>(float x) { return x; }
template <> __device__ __forceinline__ gpuHalf fromF<gpuHalf>(float x) { return __float2half(x); }

/** Sum / max over 32 lanes (a warp on NVIDIA, half a wave64 on AMD: shuffles use width 32). */
__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += GPU_SHFL_XOR(v, o, 32);
  return v;
}
__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, GPU_SHFL_XOR(v, o, 32));
  return v;
}
/** Block-wide sum or max; blockDim.x a multiple of 32, at most 1024; `sm` holds 32 floats. */
template <bool Max>
__device__ __forceinline__ float blockReduce(float v, float* sm) {
  v = Max ? warpMax(v) : warpSum(v);
  __syncthreads();
  if ((threadIdx.x & 31) == 0) sm[threadIdx.x >> 5] = v;
  __syncthreads();
  int n = int(blockDim.x >> 5);
  float r = sm[0];
  for (int i = 1; i < n; ++i) r = Max ? fmaxf(r, sm[i]) : r + sm[i];
  return r;
}

inline unsigned blocksFor(int64_t n, int threads, unsigned cap = 65535u * 16) {
  int64_t b = (n + threads - 1) / threads;
  return unsigned(b < 1 ? 1 : b > cap ? cap : b);
}

// GEMM family: row-major C[m,n] = A[m,k] · B[k,n]; batched variants stride by m*k, k*n, m*n.
void gemmNaive(bool f16, const void* A, const void* B, void* C, int m, int n, int k, int tile);
void gemmSmem(bool f16, const void* A, const void* B, void* C, int batch, int m, int n, int k, int tile);
bool gemmTensorAvailable();
void gemmTensor(const void* A, const void* B, float* C, int m, int n, int k);
void gemv(bool f16, const void* W, const void* x, void* y, int m, int k);
void flatGemm(bool f16, const void* x, const void* W, void* y, int m, int n, int k);

// Attention: Q[b,h,q,d], K/V[b,kvh,kv,d], O[b,h,q,d]; S is the naive path's [b,h,q,kv] fp32 scratch.
struct AttnArgs {
  int B, H, KVH, Q, KV, D, causal;
};
void attentionNaive(bool f16, const AttnArgs& a, const void* Q, const void* K, const void* V, void* O, float* S);
size_t attentionFlashScratch(const AttnArgs& a, int sms);  // partial results when keys are split
void attentionFlash(bool f16, const AttnArgs& a, const void* Q, const void* K, const void* V, void* O, float* part, int sms);

// Row-wise, elementwise and the rest (fp32).
void softmax(const float* x, float* y, int rows, int cols);
void rmsnorm(const float* x, const float* g, float* y, int rows, int cols);
void layernorm(const float* x, const float* g, const float* b, float* y, int rows, int cols);
enum class Ew { Add, Mul, Silu, Gelu };
void elementwise(Ew op, const float* a, const float* b, float* c, int64_t n);
void selectiveScan(const float* u, const float* dt, const float* A, const float* B, const float* C, const float* D, float* y,
                   int batch, int dim, int len, int state);
void conv1d(const float* x, const float* w, const float* bias, float* y, int batch, int dim, int len, int width);
void lutGemv(const uint8_t* planes, const float* scales, const float* x, float* y, float* lut, int m, int k, int group, int bits);
void copyKernel(const void* src, void* dst, int64_t bytes);
void empty();

}  // namespace gpu
}  // namespace kref
