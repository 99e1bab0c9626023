// GEMM-family kernels: naive (one output per thread, tile x tile blocks), shared-memory tiled (16/32, and a
// 64x64 register-blocked tile), WMMA tensor cores (fp16 in, fp32 out), GEMV and flat GEMM for decode.
#include "gpu_kernels.cuh"

namespace kref {
namespace gpu {
namespace {

template <typename T, int TILE>
__global__ void kGemmNaive(const T* __restrict__ A, const T* __restrict__ B, T* __restrict__ C, int M, int N, int K) {
  int row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x;
  if (row >= M || col >= N) return;
  float acc = 0;
  for (int k = 0; k < K; ++k) acc += toF(A[size_t(row) * K + k]) * toF(B[size_t(k) * N + col]);
  C[size_t(row) * N + col] = fromF<T>(acc);
}

template <typename T, int TILE>
__global__ void kGemmSmem(const T* __restrict__ A, const T* __restrict__ B, T* __restrict__ C, int M, int N, int K) {
  __shared__ float As[TILE][TILE + 1];
  __shared__ float Bs[TILE][TILE + 1];
  int tx = threadIdx.x, ty = threadIdx.y;
  size_t bz = blockIdx.z;
  A += bz * M * K;
  B += bz * K * N;
  C += bz * M * N;
  int row = blockIdx.y * TILE + ty, col = blockIdx.x * TILE + tx;
  float acc = 0;
  for (int k0 = 0; k0 < K; k0 += TILE) {
    As[ty][tx] = (row < M && k0 + tx < K) ? toF(A[size_t(row) * K + k0 + tx]) : 0.0f;
    Bs[ty][tx] = (k0 + ty < K && col < N) ? toF(B[size_t(k0 + ty) * N + col]) : 0.0f;
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < TILE; ++kk) acc += As[ty][kk] * Bs[kk][tx];
    __syncthreads();
  }
  if (row < M && col < N) C[size_t(row) * N + col] = fromF<T>(acc);
}

// 64x64 block tile, 16-deep slices, 256 threads each computing a 4x4 patch; blockIdx.z is the batch.
template <typename T>
__global__ void __launch_bounds__(256) kGemm64(const T* __restrict__ A, const T* __restrict__ B, T* __restrict__ C, int M, int N, int K) {
  __shared__ __align__(16) float As[16][68];  // As[k][row]
  __shared__ __align__(16) float Bs[16][68];  // Bs[k][col]
  int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
  size_t bz = blockIdx.z;
  A += bz * M * K;
  B += bz * K * N;
  C += bz * M * N;
  int row0 = blockIdx.y * 64, col0 = blockIdx.x * 64;
  float acc[4][4] = {};
  for (int k0 = 0; k0 < K; k0 += 16) {
#pragma unroll
    for (int r = 0; r < 4; ++r) {
      int i = tid + 256 * r;
      int ar = i / 16, ac = i % 16, gr = row0 + ar, gc = k0 + ac;
      As[ac][ar] = (gr < M && gc < K) ? toF(A[size_t(gr) * K + gc]) : 0.0f;
      int br = i / 64, bc = i % 64, hr = k0 + br, hc = col0 + bc;
      Bs[br][bc] = (hr < K && hc < N) ? toF(B[size_t(hr) * N + hc]) : 0.0f;
    }
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < 16; ++kk) {
      float4 a = *reinterpret_cast<const float4*>(&As[kk][ty * 4]);
      float4 b = *reinterpret_cast<const float4*>(&Bs[kk][tx * 4]);
      float av[4] = {a.x, a.y, a.z, a.w}, bv[4] = {b.x, b.y, b.z, b.w};
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] += av[i] * bv[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    int r = row0 + ty * 4 + i;
    if (r >= M) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      int c = col0 + tx * 4 + j;
      if (c < N) C[size_t(r) * N + c] = fromF<T>(acc[i][j]);
    }
  }
}

#if GPU_HAVE_WMMA
// 64x64 block tile of 4 warps (2x2), each warp 32x32 = 2x2 WMMA 16x16x16 fragments loaded straight from global memory.
__global__ void kGemmWmma(const gpuHalf* __restrict__ A, const gpuHalf* __restrict__ B, float* __restrict__ C, int M, int N, int K) {
  int warp = threadIdx.x / warpSize;
  int row0 = blockIdx.y * 64 + (warp / 2) * 32, col0 = blockIdx.x * 64 + (warp % 2) * 32;
  const gpuWmmaHalf* a16 = reinterpret_cast<const gpuWmmaHalf*>(A);
  const gpuWmmaHalf* b16 = reinterpret_cast<const gpuWmmaHalf*>(B);
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
  wmma::fragment<wmma::matrix_a, 16, 16, 16, gpuWmmaHalf, wmma::row_major> a[2];
  wmma::fragment<wmma::matrix_b, 16, 16, 16, gpuWmmaHalf, wmma::row_major> b[2];
  bool rowOk[2] = {row0 < M, row0 + 16 < M}, colOk[2] = {col0 < N, col0 + 16 < N};
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);
  for (int k0 = 0; k0 < K; k0 += 16) {
#pragma unroll
    for (int i = 0; i < 2; ++i)
      if (rowOk[i]) wmma::load_matrix_sync(a[i], a16 + size_t(row0 + 16 * i) * K + k0, K);
#pragma unroll
    for (int j = 0; j < 2; ++j)
      if (colOk[j]) wmma::load_matrix_sync(b[j], b16 + size_t(k0) * N + col0 + 16 * j, N);
#pragma unroll
    for (int i = 0; i < 2; ++i)
#pragma unroll
      for (int j = 0; j < 2; ++j)
        if (rowOk[i] && colOk[j]) wmma::mma_sync(acc[i][j], a[i], b[j], acc[i][j]);
  }
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j)
      if (rowOk[i] && colOk[j]) wmma::store_matrix_sync(C + size_t(row0 + 16 * i) * N + col0 + 16 * j, acc[i][j], N, wmma::mem_row_major);
}
#endif

// 16 bytes of W and x as floats: 4 floats or 8 halves.
__device__ __forceinline__ float dot16(const float* w, const float* x) {
  float4 a = *reinterpret_cast<const float4*>(w), b = *reinterpret_cast<const float4*>(x);
  return a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w;
}
__device__ __forceinline__ float dot16(const gpuHalf* w, const gpuHalf* x) {
  uint4 a = *reinterpret_cast<const uint4*>(w), b = *reinterpret_cast<const uint4*>(x);
  const gpuHalf* ah = reinterpret_cast<const gpuHalf*>(&a);
  const gpuHalf* bh = reinterpret_cast<const gpuHalf*>(&b);
  float s = 0;
#pragma unroll
  for (int i = 0; i < 8; ++i) s += __half2float(ah[i]) * __half2float(bh[i]);
  return s;
}

/** Dot product of one row with x across 32 lanes; 16-byte loads when k allows, scalar otherwise. */
template <typename T>
__device__ __forceinline__ float rowDot(const T* __restrict__ w, const T* __restrict__ x, int k, int lane) {
  constexpr int V = 16 / sizeof(T);
  float acc = 0;
  if (k % V == 0) {
    for (int i = lane * V; i < k; i += 32 * V) acc += dot16(w + i, x + i);
  } else {
    for (int i = lane; i < k; i += 32) acc += toF(w[i]) * toF(x[i]);
  }
  return warpSum(acc);
}

template <typename T>
__global__ void kGemv(const T* __restrict__ W, const T* __restrict__ x, T* __restrict__ y, int M, int K) {
  int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (row >= M) return;
  float s = rowDot(W + size_t(row) * K, x, K, lane);
  if (lane == 0) y[row] = fromF<T>(s);
}

// One warp per weight row j: all m (<= MM) activations against it, so the weights are read once.
template <typename T, int MM>
__global__ void kFlat(const T* __restrict__ X, const T* __restrict__ W, T* __restrict__ Y, int M, int N, int K) {
  int j = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32, lane = threadIdx.x % 32;
  if (j >= N) return;
  const T* w = W + size_t(j) * K;
  float acc[MM];
#pragma unroll
  for (int i = 0; i < MM; ++i) acc[i] = 0;
  for (int kk = lane; kk < K; kk += 32) {
    float wv = toF(w[kk]);
#pragma unroll
    for (int i = 0; i < MM; ++i)
      if (i < M) acc[i] += wv * toF(X[size_t(i) * K + kk]);
  }
#pragma unroll
  for (int i = 0; i < MM; ++i) {
    if (i < M) {  // M is the same for the whole warp, so every lane reaches warpSum together
      float s = warpSum(acc[i]);
      if (lane == 0) Y[size_t(i) * N + j] = fromF<T>(s);
    }
  }
}

template <typename T>
void gemmNaiveT(const T* A, const T* B, T* C, int m, int n, int k, int tile) {
  dim3 block(tile, tile), grid((n + tile - 1) / tile, (m + tile - 1) / tile);
  if (tile == 8) gpuLaunch(kGemmNaive<T, 8>, grid, block, 0, A, B, C, m, n, k);
  else if (tile == 16) gpuLaunch(kGemmNaive<T, 16>, grid, block, 0, A, B, C, m, n, k);
  else gpuLaunch(kGemmNaive<T, 32>, grid, block, 0, A, B, C, m, n, k);
}

template <typename T>
void gemmSmemT(const T* A, const T* B, T* C, int batch, int m, int n, int k, int tile) {
  if (tile == 64) {
    dim3 grid((n + 63) / 64, (m + 63) / 64, batch);
    gpuLaunch(kGemm64<T>, grid, dim3(256), 0, A, B, C, m, n, k);
    return;
  }
  dim3 block(tile, tile), grid((n + tile - 1) / tile, (m + tile - 1) / tile, batch);
  if (tile == 16) gpuLaunch(kGemmSmem<T, 16>, grid, block, 0, A, B, C, m, n, k);
  else gpuLaunch(kGemmSmem<T, 32>, grid, block, 0, A, B, C, m, n, k);
}

template <typename T>
void flatT(const T* x, const T* W, T* y, int m, int n, int k) {
  unsigned blocks = unsigned((n + 7) / 8);
  if (m <= 1) gpuLaunch(kFlat<T, 1>, dim3(blocks), dim3(256), 0, x, W, y, m, n, k);
  else if (m <= 2) gpuLaunch(kFlat<T, 2>, dim3(blocks), dim3(256), 0, x, W, y, m, n, k);
  else if (m <= 4) gpuLaunch(kFlat<T, 4>, dim3(blocks), dim3(256), 0, x, W, y, m, n, k);
  else if (m <= 8) gpuLaunch(kFlat<T, 8>, dim3(blocks), dim3(256), 0, x, W, y, m, n, k);
  else gpuLaunch(kFlat<T, 16>, dim3(blocks), dim3(256), 0, x, W, y, m, n, k);
}

}  // namespace

void gemmNaive(bool f16, const void* A, const void* B, void* C, int m, int n, int k, int tile) {
  if (f16) gemmNaiveT(static_cast<const gpuHalf*>(A), static_cast<const gpuHalf*>(B), static_cast<gpuHalf*>(C), m, n, k, tile);
  else gemmNaiveT(static_cast<const float*>(A), static_cast<const float*>(B), static_cast<float*>(C), m, n, k, tile);
}

void gemmSmem(bool f16, const void* A, const void* B, void* C, int batch, int m, int n, int k, int tile) {
  if (f16) gemmSmemT(static_cast<const gpuHalf*>(A), static_cast<const gpuHalf*>(B), static_cast<gpuHalf*>(C), batch, m, n, k, tile);
  else gemmSmemT(static_cast<const float*>(A), static_cast<const float*>(B), static_cast<float*>(C), batch, m, n, k, tile);
}

bool gemmTensorAvailable() { return GPU_HAVE_WMMA != 0; }

void gemmTensor(const void* A, const void* B, float* C, int m, int n, int k) {
#if GPU_HAVE_WMMA
  static int warp = 0;  // 32 on NVIDIA, 64 on CDNA: one WMMA fragment set per warp/wave
  if (!warp) {
    int dev = 0;
    GPU_CHECK(gpuGetDevice(&dev));
    GPU_CHECK(gpuDeviceGetAttribute(&warp, gpuAttrWarpSize, dev));
  }
  dim3 grid((n + 63) / 64, (m + 63) / 64);
  gpuLaunch(kGemmWmma, grid, dim3(4 * warp), 0, static_cast<const gpuHalf*>(A), static_cast<const gpuHalf*>(B), C, m, n, k);
#else
  (void)A; (void)B; (void)C; (void)m; (void)n; (void)k;
  throw std::runtime_error("gemm-tensor: this build has no WMMA");
#endif
}

void gemv(bool f16, const void* W, const void* x, void* y, int m, int k) {
  unsigned blocks = unsigned((m + 7) / 8);
  if (f16) gpuLaunch(kGemv<gpuHalf>, dim3(blocks), dim3(256), 0, static_cast<const gpuHalf*>(W), static_cast<const gpuHalf*>(x), static_cast<gpuHalf*>(y), m, k);
  else gpuLaunch(kGemv<float>, dim3(blocks), dim3(256), 0, static_cast<const float*>(W), static_cast<const float*>(x), static_cast<float*>(y), m, k);
}

void flatGemm(bool f16, const void* x, const void* W, void* y, int m, int n, int k) {
  if (f16) flatT(static_cast<const gpuHalf*>(x), static_cast<const gpuHalf*>(W), static_cast<gpuHalf*>(y), m, n, k);
  else flatT(static_cast<const float*>(x), static_cast<const float*>(W), static_cast<float*>(y), m, n, k);
}

}  // namespace gpu
}  // namespace kref
