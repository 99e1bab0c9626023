// The GPU backend (CUDA or HIP through gpu.h): device memory, event timing, dispatch to the kernels of
// gpu_gemm.cu / gpu_attention.cu / gpu_misc.cu, and the vendor BLAS (cuBLAS / hipBLAS) loaded with dlopen so
// the build needs no BLAS headers or libraries.
#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <fstream>
#include <sstream>

#include "gpu_kernels.cuh"
#include "kref.h"

namespace kref {
namespace {

// ---- vendor BLAS at run time ----
// Symbols are looked up when first needed (list/plan need no device); the handle is made on the first gemm.
std::vector<std::string> blasCandidates(const char* const* names, size_t n, const char* envHome, const char* fallbackHome) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back(names[i]);
  std::vector<std::string> homes;
  if (const char* h = std::getenv(envHome)) homes.push_back(h);
  homes.push_back(fallbackHome);
  for (const auto& home : homes)
    for (const char* dir : {"/lib64/", "/lib/"})
      for (size_t i = 0; i < n; ++i) out.push_back(home + dir + names[i]);
  return out;
}

struct Blas {
  using Create = int (*)(void**);
  using Sgemm = int (*)(void*, int, int, int, int, int, const float*, const float*, int, const float*, int, const float*, float*, int);
  using GemmEx = int (*)(void*, int, int, int, int, int, const void*, const void*, int, int, const void*, int, int, const void*, void*, int, int, int, int);
  using SetStream = int (*)(void*, gpuStream_t);
  Create create = nullptr;
  SetStream setStream = nullptr;
  Sgemm sgemm = nullptr;
  GemmEx gemmEx = nullptr;  // CUDA only
  mutable void* handle = nullptr;
  std::string lib, error;
#if GPU_HIP
  static constexpr int kOpN = 111, kOpT = 112;  // HIPBLAS_OP_N, HIPBLAS_OP_T
  Blas() {
    const char* names[] = {"libhipblas.so", "libhipblas.so.3", "libhipblas.so.2", "libhipblas.so.1", "libhipblas.so.0"};
    for (const auto& name : blasCandidates(names, 5, "ROCM_PATH", "/opt/rocm")) {
      void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      create = reinterpret_cast<Create>(dlsym(h, "hipblasCreate"));
      sgemm = reinterpret_cast<Sgemm>(dlsym(h, "hipblasSgemm"));
      setStream = reinterpret_cast<SetStream>(dlsym(h, "hipblasSetStream"));
      if (create && sgemm) { lib = name; return; }
      create = nullptr;
      sgemm = nullptr;
    }
    error = "hipBLAS not found (dlopen libhipblas.so* on the library path and under $ROCM_PATH or /opt/rocm)";
  }
#else
  static constexpr int kOpN = 0, kOpT = 1;  // CUBLAS_OP_N, CUBLAS_OP_T
  Blas() {
    const char* names[] = {"libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"};
    for (const auto& name : blasCandidates(names, 4, "CUDA_HOME", "/usr/local/cuda")) {
      void* h = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      create = reinterpret_cast<Create>(dlsym(h, "cublasCreate_v2"));
      sgemm = reinterpret_cast<Sgemm>(dlsym(h, "cublasSgemm_v2"));
      gemmEx = reinterpret_cast<GemmEx>(dlsym(h, "cublasGemmEx"));
      setStream = reinterpret_cast<SetStream>(dlsym(h, "cublasSetStream_v2"));
      if (create && sgemm) { lib = name; return; }
      create = nullptr;
      sgemm = nullptr;
      gemmEx = nullptr;
    }
    error = "cuBLAS not found (dlopen libcublas.so* on the library path and under $CUDA_HOME or /usr/local/cuda)";
  }
#endif
  bool ok() const { return sgemm != nullptr; }
  bool fp16() const { return gemmEx != nullptr; }
  /** Row-major C[m,n] = A[m,k]·B[k,n] as column-major C^T = B^T·A^T; with bT, B is stored [n,k] and C = A·B^T
   *  (column-major: C^T = op_T(B)·A^T, the call torch.nn.Linear makes for y = x·W^T). */
  void makeHandle() const {
    if (handle) return;
    int st = create(&handle);
    if (st != 0) { handle = nullptr; throw std::runtime_error(lib + ": creating a handle failed with status " + std::to_string(st)); }
  }
  /** Sends the library's calls to `stream` (outside a capture: making the handle or its workspace may allocate). */
  void useStream(gpuStream_t stream) const {
    if (!ok()) return;
    makeHandle();
    if (!setStream) throw std::runtime_error(lib + " has no SetStream entry point: graph replays cannot capture its calls");
    int st = setStream(handle, stream);
    if (st != 0) throw std::runtime_error(lib + ": setting the stream failed with status " + std::to_string(st));
  }
  void gemm(bool f16, bool bT, const void* A, const void* B, void* C, int m, int n, int k) const {
    makeHandle();
    float one = 1, zero = 0;
    int st;
    if (f16) {
      const int R16F = 2, COMPUTE32F = 68, ALGO_DEFAULT = -1;  // CUDA_R_16F, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT
      st = gemmEx(handle, bT ? kOpT : kOpN, kOpN, n, m, k, &one, B, R16F, bT ? k : n, A, R16F, k, &zero, C, R16F, n, COMPUTE32F, ALGO_DEFAULT);
    } else {
      st = sgemm(handle, bT ? kOpT : kOpN, kOpN, n, m, k, &one, static_cast<const float*>(B), bT ? k : n, static_cast<const float*>(A), k, &zero, static_cast<float*>(C), n);
    }
    if (st != 0) throw std::runtime_error(lib + " gemm failed with status " + std::to_string(st));
  }
};

const Blas& blas() {
  static Blas b;
  return b;
}

std::string versionString(int v) {
#if GPU_HIP
  return std::to_string(v);
#else
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
#endif
}

class GpuBackend : public Backend {
 public:
  ~GpuBackend() override {
    // Teardown cannot report errors; the status is dropped on purpose (HIP marks it nodiscard).
    if (start_) (void)gpuEventDestroy(start_);
    if (stop_) (void)gpuEventDestroy(stop_);
    if (capture_) (void)gpuStreamDestroy(capture_);
  }
  std::string open(int device) override {
    info_.backend = GPU_BACKEND_NAME;
    int count = 0;
    gpuError_t e = gpuGetDeviceCount(&count);
    if (e != gpuSuccess || count == 0)
      return std::string("no ") + GPU_RUNTIME_NAME + " device available" + (e != gpuSuccess ? std::string(": ") + gpuGetErrorString(e) : "");
    if (device >= count) return "device " + std::to_string(device) + " does not exist (" + std::to_string(count) + " found)";
    try {
      GPU_CHECK(gpuSetDevice(device));
      gpuDeviceProp p;
      GPU_CHECK(gpuGetDeviceProperties(&p, device));
      info_.name = p.name;
#if GPU_HIP
      if (p.gcnArchName[0]) info_.name += std::string(" (") + p.gcnArchName + ")";
#endif
      info_.computeUnits = p.multiProcessorCount;
      info_.memoryBytes = double(p.totalGlobalMem);
      int khz = 0, l2 = 0, drv = 0, rt = 0;
      GPU_CHECK(gpuDeviceGetAttribute(&khz, gpuAttrClockRate, device));
      GPU_CHECK(gpuDeviceGetAttribute(&l2, gpuAttrL2CacheSize, device));
      info_.clockHz = double(khz) * 1e3;
      info_.llcBytes = l2 > 0 ? size_t(l2) : size_t(64) << 20;
#if GPU_HIP
      // CDNA3 (MI300) has a 256 MB Infinity Cache behind its L2, which the runtime does not report: every HIP GPU
      // rotates past 256 MB (on parts without one the rotation is only longer).
      info_.llcBytes = std::max(info_.llcBytes, size_t(256) << 20);
#endif
      GPU_CHECK(gpuDriverGetVersion(&drv));
      GPU_CHECK(gpuRuntimeGetVersion(&rt));
      info_.driver = std::string(GPU_RUNTIME_NAME) + " driver " + versionString(drv);
      std::ifstream nv("/proc/driver/nvidia/version");
      std::string line;
      if (std::getline(nv, line)) {
        std::istringstream words(line);
        std::string w, prev;
        while (words >> w) {
          if (prev == "Module" && !w.empty() && std::isdigit(static_cast<unsigned char>(w[0]))) info_.driver = "NVIDIA " + w + " (" + info_.driver + ")";
          prev = w;
        }
      }
      // Some VMs (the device tool's Firecracker H100, 2026-11-26) have no /proc/driver/nvidia: the module says it too.
      std::ifstream mod("/sys/module/nvidia/version");
      std::string version;
      if (info_.driver.rfind("NVIDIA ", 0) != 0 && std::getline(mod, version) && !version.empty() && std::isdigit(static_cast<unsigned char>(version[0])))
        info_.driver = "NVIDIA " + version + " (" + info_.driver + ")";
      info_.runtime = std::string(GPU_RUNTIME_NAME) + " runtime " + versionString(rt);
      size_t freeB = 0, totalB = 0;
      GPU_CHECK(gpuMemGetInfo(&freeB, &totalB));
      info_.budgetBytes = size_t(double(freeB) * 0.8);
      GPU_CHECK(gpuEventCreate(&start_));
      GPU_CHECK(gpuEventCreate(&stop_));
    } catch (const std::exception& ex) {
      return ex.what();
    }
    return "";
  }
  const DeviceInfo& info() const override { return info_; }
  std::string supports(const Case& c) const override {
    std::string k = c.name();
    if (k == "gemm-tensor" && !gpu::gemmTensorAvailable()) return "gemm-tensor is unsupported in this build (HIP without rocWMMA)";
    if (k == "gemm-blas") {
      if (!blas().ok()) return "gemm-blas is unsupported here: " + blas().error;
      if (c.f16() && !blas().fp16()) return std::string("fp16 gemm-blas is unsupported on ") + GPU_BACKEND_NAME + " (fp32 only)";
    }
    return "";
  }
  void* alloc(size_t bytes) override {
    void* p = nullptr;
    GPU_CHECK(gpuMalloc(&p, bytes ? bytes : 1));
    return p;
  }
  void release(void* p) override { (void)gpuFree(p); }
  void upload(void* dst, const void* src, size_t n) override { GPU_CHECK(gpuMemcpy(dst, src, n, gpuMemcpyHostToDevice)); }
  void download(void* dst, const void* src, size_t n) override { GPU_CHECK(gpuMemcpy(dst, src, n, gpuMemcpyDeviceToHost)); }
  void copy(void* dst, const void* src, size_t n) override { GPU_CHECK(gpuMemcpy(dst, src, n, gpuMemcpyDeviceToDevice)); }
  void fill(void* dst, int byte, size_t n) override { GPU_CHECK(gpuMemset(dst, byte, n)); }
  static gpu::AttnArgs attnArgs(const Case& c) {
    return gpu::AttnArgs{int(c["batch"]), int(c["heads"]), int(c["kvHeads"]), int(c["q"]), int(c["kv"]), int(c["d"]), int(c["causal"])};
  }
  size_t scratchBytes(const Case& c) const override {
    std::string k = c.name();
    if (k == "attention-naive") return size_t(c["batch"] * c["heads"] * c["q"] * c["kv"]) * 4;
    if (k == "attention-flash") return gpu::attentionFlashScratch(attnArgs(c), info_.computeUnits);
    if (k == "lut-gemv") return size_t(c["k"] / 4 * 16) * 4;
    return 0;
  }
  void run(const Case& c, void* const* in, void* const* out, void* scratch) override {
    std::string k = c.name();
    bool h = c.f16();
    auto f = [&](int i) { return static_cast<const float*>(in[i]); };
    auto i32 = [&](const char* key) { return int(c[key]); };
    float* o = out ? static_cast<float*>(out[0]) : nullptr;
    if (k == "gemm-naive") gpu::gemmNaive(h, in[0], in[1], out[0], i32("m"), i32("n"), i32("k"), c.variantParam());
    else if (k == "gemm-smem") gpu::gemmSmem(h, in[0], in[1], out[0], 1, i32("m"), i32("n"), i32("k"), c.variantParam());
    else if (k == "batched-gemm") gpu::gemmSmem(h, in[0], in[1], out[0], i32("batch"), i32("m"), i32("n"), i32("k"), 64);
    else if (k == "gemm-tensor") gpu::gemmTensor(in[0], in[1], o, i32("m"), i32("n"), i32("k"));
    else if (k == "gemm-blas") blas().gemm(h, c.variant == "TN", in[0], in[1], out[0], i32("m"), i32("n"), i32("k"));
    else if (k == "gemv") gpu::gemv(h, in[0], in[1], out[0], i32("m"), i32("k"));
    else if (k == "flat-gemm") gpu::flatGemm(h, in[0], in[1], out[0], i32("m"), i32("n"), i32("k"));
    else if (k == "attention-naive" || k == "attention-flash") {
      gpu::AttnArgs a = attnArgs(c);
      if (k == "attention-naive") gpu::attentionNaive(h, a, in[0], in[1], in[2], out[0], static_cast<float*>(scratch));
      else gpu::attentionFlash(h, a, in[0], in[1], in[2], out[0], static_cast<float*>(scratch), info_.computeUnits);
    } else if (k == "softmax") gpu::softmax(f(0), o, i32("rows"), i32("cols"));
    else if (k == "rmsnorm") gpu::rmsnorm(f(0), f(1), o, i32("rows"), i32("cols"));
    else if (k == "layernorm") gpu::layernorm(f(0), f(1), f(2), o, i32("rows"), i32("cols"));
    else if (k == "add") gpu::elementwise(gpu::Ew::Add, f(0), f(1), o, c["n"]);
    else if (k == "mul") gpu::elementwise(gpu::Ew::Mul, f(0), f(1), o, c["n"]);
    else if (k == "silu") gpu::elementwise(gpu::Ew::Silu, f(0), nullptr, o, c["n"]);
    else if (k == "gelu") gpu::elementwise(gpu::Ew::Gelu, f(0), nullptr, o, c["n"]);
    else if (k == "selective-scan") gpu::selectiveScan(f(0), f(1), f(2), f(3), f(4), f(5), o, i32("batch"), i32("dim"), i32("len"), i32("state"));
    else if (k == "conv1d") gpu::conv1d(f(0), f(1), f(2), o, i32("batch"), i32("dim"), i32("len"), i32("width"));
    else if (k == "lut-gemv") {
      int bits = c.dtype == "int2" ? 2 : c.dtype == "int3" ? 3 : 4;
      gpu::lutGemv(static_cast<const uint8_t*>(in[0]), f(1), f(2), o, static_cast<float*>(scratch), i32("m"), i32("k"), i32("group"), bits);
    } else if (k == "memcpy") {
      if (c.variant == "kernel") gpu::copyKernel(in[0], out[0], c["bytes"]);
      else GPU_CHECK(gpuMemcpyAsync(out[0], in[0], size_t(c["bytes"]), gpuMemcpyDeviceToDevice, gpuLaunchStream()));
    } else if (k == "empty") gpu::empty();
    else throw std::runtime_error("internal: gpu backend has no kernel " + k);
  }
  double time(const std::function<void(int)>& body, int inner) override {
    GPU_CHECK(gpuEventRecord(start_, 0));
    for (int i = 0; i < inner; ++i) body(i);
    GPU_CHECK(gpuEventRecord(stop_, 0));
    GPU_CHECK(gpuEventSynchronize(stop_));
    float ms = 0;
    GPU_CHECK(gpuEventElapsedTime(&ms, start_, stop_));
    return double(ms) * 1e-3;
  }
  /**
   * body(0..inner-1) captured into one graph on a stream of its own, uploaded, then replayed once between events: the
   * device's time for the batch without the host's dispatch of each call between them (kref run --graph). Every
   * launch and cuBLAS call goes to the capturing stream meanwhile (gpuLaunchStream, Blas::useStream); a blocking
   * stream, so the legacy stream's copies before and after stay ordered with it.
   */
  double timeGraph(const std::function<void(int)>& body, int inner) override {
    if (!capture_) GPU_CHECK(gpuStreamCreate(&capture_));
    struct Capture {  // restores the launch stream, ends a capture cut short, frees the graph on every path out
      gpuStream_t stream;
      bool open = false;
      gpuGraph_t graph = nullptr;
      gpuGraphExec_t exec = nullptr;
      ~Capture() {
        if (open) { gpuGraph_t g = nullptr; if (gpuStreamEndCapture(stream, &g) == gpuSuccess && g) (void)gpuGraphDestroy(g); }
        if (exec) (void)gpuGraphExecDestroy(exec);
        if (graph) (void)gpuGraphDestroy(graph);
        gpuLaunchStream() = nullptr;
        try { blas().useStream(nullptr); } catch (...) {}
      }
    } cap{capture_};
    blas().useStream(capture_);
    gpuLaunchStream() = capture_;
    GPU_CHECK(gpuStreamBeginCapture(capture_, gpuStreamCaptureModeThreadLocal));
    cap.open = true;
    for (int i = 0; i < inner; ++i) body(i);
    cap.open = false;
    GPU_CHECK(gpuStreamEndCapture(capture_, &cap.graph));
    GPU_CHECK(gpuGraphInstantiateWithFlags(&cap.exec, cap.graph, 0));
    // Uploaded ahead, not replayed ahead: a replay would leave the batch's buffers in the cache for the timed one.
    GPU_CHECK(gpuGraphUpload(cap.exec, capture_));
    GPU_CHECK(gpuEventRecord(start_, capture_));
    GPU_CHECK(gpuGraphLaunch(cap.exec, capture_));
    GPU_CHECK(gpuEventRecord(stop_, capture_));
    GPU_CHECK(gpuEventSynchronize(stop_));
    float ms = 0;
    GPU_CHECK(gpuEventElapsedTime(&ms, start_, stop_));
    return double(ms) * 1e-3;
  }
  std::string graphSupport() const override { return ""; }
  std::string sync() override {
    gpuError_t e = gpuDeviceSynchronize();
    if (e == gpuSuccess) e = gpuGetLastError();
    return e == gpuSuccess ? "" : gpuGetErrorString(e);
  }

 private:
  DeviceInfo info_;
  gpuEvent_t start_ = nullptr, stop_ = nullptr;
  gpuStream_t capture_ = nullptr;
};

}  // namespace

std::unique_ptr<Backend> makeBackend() { return std::unique_ptr<Backend>(new GpuBackend()); }

}  // namespace kref
