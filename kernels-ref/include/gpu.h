// Portability header: one small GPU API over CUDA (nvcc) and HIP (hipcc -x hip), so that the kernels in
// src/gpu_*.cu compile unchanged with either. Host code uses the gpu* names; device code uses GPU_SHFL_XOR,
// GPU_SYNCWARP, gpuHalf and the wmma namespace alias (nvcuda::wmma or rocwmma, when present).
#pragma once

#if defined(__HIPCC__) || defined(__HIP_PLATFORM_AMD__) || defined(__HIP_PLATFORM_HCC__)
#define GPU_HIP 1
#include <hip/hip_fp16.h>
#include <hip/hip_runtime.h>

#define GPU_BACKEND_NAME "hip"
#define GPU_RUNTIME_NAME "HIP"
typedef hipError_t gpuError_t;
typedef hipEvent_t gpuEvent_t;
typedef hipStream_t gpuStream_t;
typedef hipDeviceProp_t gpuDeviceProp;
typedef __half gpuHalf;
#define gpuSuccess hipSuccess
#define gpuGetErrorString hipGetErrorString
#define gpuGetLastError hipGetLastError
#define gpuGetDeviceCount hipGetDeviceCount
#define gpuSetDevice hipSetDevice
#define gpuGetDevice hipGetDevice
#define gpuAttrWarpSize hipDeviceAttributeWarpSize
#define gpuAttrMultiProcessorCount hipDeviceAttributeMultiprocessorCount
#define gpuGetDeviceProperties hipGetDeviceProperties
#define gpuDeviceGetAttribute hipDeviceGetAttribute
#define gpuAttrClockRate hipDeviceAttributeClockRate
#define gpuAttrL2CacheSize hipDeviceAttributeL2CacheSize
#define gpuAttrMaxSharedPerBlockOptin hipDeviceAttributeSharedMemPerBlockOptin
#define gpuDriverGetVersion hipDriverGetVersion
#define gpuRuntimeGetVersion hipRuntimeGetVersion
#define gpuMemGetInfo hipMemGetInfo
#define gpuMalloc hipMalloc
#define gpuFree hipFree
#define gpuMemcpy hipMemcpy
#define gpuMemcpyAsync hipMemcpyAsync
#define gpuMemset hipMemset
#define gpuMemcpyHostToDevice hipMemcpyHostToDevice
#define gpuMemcpyDeviceToHost hipMemcpyDeviceToHost
#define gpuMemcpyDeviceToDevice hipMemcpyDeviceToDevice
#define gpuEventCreate hipEventCreate
#define gpuEventDestroy hipEventDestroy
#define gpuEventRecord hipEventRecord
#define gpuEventSynchronize hipEventSynchronize
#define gpuEventElapsedTime hipEventElapsedTime
#define gpuDeviceSynchronize hipDeviceSynchronize
typedef hipGraph_t gpuGraph_t;
typedef hipGraphExec_t gpuGraphExec_t;
#define gpuStreamCreate hipStreamCreate
#define gpuStreamDestroy hipStreamDestroy
#define gpuStreamBeginCapture hipStreamBeginCapture
#define gpuStreamEndCapture hipStreamEndCapture
#define gpuStreamCaptureModeThreadLocal hipStreamCaptureModeThreadLocal
#define gpuGraphInstantiateWithFlags hipGraphInstantiateWithFlags
#define gpuGraphLaunch hipGraphLaunch
// HIP 5.2 (CI's hipcc) has no hipGraphUpload, so none is made on HIP: the timed replay also uploads the graph (kref run
// --graph; its HIP path has not run on an AMD GPU).
inline hipError_t gpuGraphUpload(hipGraphExec_t, hipStream_t) { return hipSuccess; }
#define gpuGraphExecDestroy hipGraphExecDestroy
#define gpuGraphDestroy hipGraphDestroy
#define gpuFuncSetAttribute(f, attr, v) hipFuncSetAttribute(reinterpret_cast<const void*>(f), attr, v)
#define gpuFuncAttrMaxDynamicSmem hipFuncAttributeMaxDynamicSharedMemorySize
#define GPU_SHFL_XOR(v, mask, width) __shfl_xor((v), (mask), (width))
#define GPU_SHFL(v, lane, width) __shfl((v), (lane), (width))
#define GPU_SYNCWARP() __builtin_amdgcn_wave_barrier()
#if __has_include(<rocwmma/rocwmma.hpp>)
#include <rocwmma/rocwmma.hpp>
namespace wmma = rocwmma;
typedef rocwmma::float16_t gpuWmmaHalf;
#define GPU_HAVE_WMMA 1
#else
#define GPU_HAVE_WMMA 0
#endif

#else  // CUDA
#define GPU_CUDA 1
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>

#define GPU_BACKEND_NAME "cuda"
#define GPU_RUNTIME_NAME "CUDA"
typedef cudaError_t gpuError_t;
typedef cudaEvent_t gpuEvent_t;
typedef cudaStream_t gpuStream_t;
typedef cudaDeviceProp gpuDeviceProp;
typedef __half gpuHalf;
#define gpuSuccess cudaSuccess
#define gpuGetErrorString cudaGetErrorString
#define gpuGetLastError cudaGetLastError
#define gpuGetDeviceCount cudaGetDeviceCount
#define gpuSetDevice cudaSetDevice
#define gpuGetDevice cudaGetDevice
#define gpuAttrWarpSize cudaDevAttrWarpSize
#define gpuAttrMultiProcessorCount cudaDevAttrMultiProcessorCount
#define gpuGetDeviceProperties cudaGetDeviceProperties
#define gpuDeviceGetAttribute cudaDeviceGetAttribute
#define gpuAttrClockRate cudaDevAttrClockRate
#define gpuAttrL2CacheSize cudaDevAttrL2CacheSize
#define gpuAttrMaxSharedPerBlockOptin cudaDevAttrMaxSharedMemoryPerBlockOptin
#define gpuDriverGetVersion cudaDriverGetVersion
#define gpuRuntimeGetVersion cudaRuntimeGetVersion
#define gpuMemGetInfo cudaMemGetInfo
#define gpuMalloc cudaMalloc
#define gpuFree cudaFree
#define gpuMemcpy cudaMemcpy
#define gpuMemcpyAsync cudaMemcpyAsync
#define gpuMemset cudaMemset
#define gpuMemcpyHostToDevice cudaMemcpyHostToDevice
#define gpuMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define gpuMemcpyDeviceToDevice cudaMemcpyDeviceToDevice
#define gpuEventCreate cudaEventCreate
#define gpuEventDestroy cudaEventDestroy
#define gpuEventRecord cudaEventRecord
#define gpuEventSynchronize cudaEventSynchronize
#define gpuEventElapsedTime cudaEventElapsedTime
#define gpuDeviceSynchronize cudaDeviceSynchronize
typedef cudaGraph_t gpuGraph_t;
typedef cudaGraphExec_t gpuGraphExec_t;
#define gpuStreamCreate cudaStreamCreate
#define gpuStreamDestroy cudaStreamDestroy
#define gpuStreamBeginCapture cudaStreamBeginCapture
#define gpuStreamEndCapture cudaStreamEndCapture
#define gpuStreamCaptureModeThreadLocal cudaStreamCaptureModeThreadLocal
#define gpuGraphInstantiateWithFlags cudaGraphInstantiateWithFlags
#define gpuGraphLaunch cudaGraphLaunch
#define gpuGraphUpload cudaGraphUpload
#define gpuGraphExecDestroy cudaGraphExecDestroy
#define gpuGraphDestroy cudaGraphDestroy
#define gpuFuncSetAttribute(f, attr, v) cudaFuncSetAttribute(f, attr, v)
#define gpuFuncAttrMaxDynamicSmem cudaFuncAttributeMaxDynamicSharedMemorySize
#define GPU_SHFL_XOR(v, mask, width) __shfl_xor_sync(0xffffffffu, (v), (mask), (width))
#define GPU_SHFL(v, lane, width) __shfl_sync(0xffffffffu, (v), (lane), (width))
#define GPU_SYNCWARP() __syncwarp()
namespace wmma = nvcuda::wmma;
typedef __half gpuWmmaHalf;
#define GPU_HAVE_WMMA 1
#endif

#include <stdexcept>
#include <string>

/** Throws with the call's text when a runtime call fails. */
#define GPU_CHECK(call)                                                                        \
  do {                                                                                         \
    gpuError_t e_ = (call);                                                                    \
    if (e_ != gpuSuccess) throw std::runtime_error(std::string(#call) + ": " + gpuGetErrorString(e_)); \
  } while (0)

/**
 * The stream every kernels-ref launch goes to: the legacy default stream (0), but a capturing stream while
 * GpuBackend::timeGraph records a batch of runs into a graph (kref run --graph).
 */
inline gpuStream_t& gpuLaunchStream() {
  static gpuStream_t stream = nullptr;
  return stream;
}

/** Launches a kernel on gpuLaunchStream() and checks the launch itself (configuration errors). */
template <typename... KArgs, typename... Args>
inline void gpuLaunch(void (*kernel)(KArgs...), dim3 grid, dim3 block, size_t smem, Args... args) {
  kernel<<<grid, block, smem, gpuLaunchStream()>>>(static_cast<KArgs>(args)...);
  GPU_CHECK(gpuGetLastError());
}
