// The CPU backend: every kernel on all cores through a small fork-join thread pool (std::thread), fp32 only.
// Timing uses std::chrono::steady_clock. gemm-blas uses a system CBLAS when one can be loaded at run time.
#include <dlfcn.h>
#include <sys/utsname.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "cpu_kernels.h"
#include "kref.h"

namespace kref {
namespace {

using namespace cpu;

// ---- CBLAS, loaded at run time if the system has one ----
using SgemmFn = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
struct Cblas {
  SgemmFn sgemm = nullptr;
  std::string lib, tried;
  Cblas() {
    for (const char* name : {"libopenblas.so.0", "libopenblas.so", "libblis.so.4", "libmkl_rt.so", "libcblas.so.3", "libblas.so.3"}) {
      tried += (tried.empty() ? "" : ", ") + std::string(name);
      void* h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (!h) continue;
      if (auto f = reinterpret_cast<SgemmFn>(dlsym(h, "cblas_sgemm"))) {
        sgemm = f;
        lib = name;
        return;
      }
      dlclose(h);
    }
  }
};
const Cblas& cblas() {
  static Cblas c;
  return c;
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

/** A "key : value" field of /proc/cpuinfo or /proc/meminfo. */
std::string procField(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon != std::string::npos && trim(line.substr(0, colon)) == key) return trim(line.substr(colon + 1));
  }
  return "";
}

size_t parseSize(const std::string& s) {  // "32768K", "1024K", "8M"
  if (s.empty()) return 0;
  size_t v = size_t(std::strtoull(s.c_str(), nullptr, 10));
  char u = s.back();
  return u == 'K' ? v << 10 : u == 'M' ? v << 20 : u == 'G' ? v << 30 : v;
}

/**
 * The last-level cache the pool's threads share, summed over its instances: a multi-CCD EPYC or a two-socket Xeon
 * has several L3s, and buffers that fit in all of them together would start warm. Instances are told apart by
 * their shared_cpu_list (cache/indexN/id is missing on some kernels).
 */
size_t lastLevelCacheBytes() {
  int bestLevel = -1;
  size_t total = 0;
  std::vector<std::string> seen;
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned cpuIndex = 0; cpuIndex < cpus; ++cpuIndex) {
    for (int idx = 0; idx < 8; ++idx) {
      std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpuIndex) + "/cache/index" + std::to_string(idx) + "/";
      std::string level = trim(readFile(dir + "level")), size = trim(readFile(dir + "size"));
      if (level.empty() || size.empty()) continue;
      int lv = std::atoi(level.c_str());
      if (lv < bestLevel) continue;
      if (lv > bestLevel) {
        bestLevel = lv;
        total = 0;
        seen.clear();
      }
      std::string sharedBy = trim(readFile(dir + "shared_cpu_list"));
      std::string key = sharedBy.empty() ? std::to_string(cpuIndex) : sharedBy;
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      total += parseSize(size);
    }
  }
  return total;
}

class CpuBackend : public Backend {
 public:
  std::string open(int) override {
    std::string cpu = readFile("/proc/cpuinfo"), mem = readFile("/proc/meminfo");
    info_.backend = "cpu";
    info_.name = procField(cpu, "model name");
    if (info_.name.empty()) info_.name = procField(cpu, "Model");
    if (info_.name.empty()) info_.name = "unknown CPU";
    info_.computeUnits = pool().size();
    double khz = std::atof(readFile("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").c_str());
    info_.clockHz = khz > 0 ? khz * 1e3 : std::atof(procField(cpu, "cpu MHz").c_str()) * 1e6;
    info_.memoryBytes = std::atof(procField(mem, "MemTotal").c_str()) * 1024.0;
    double avail = std::atof(procField(mem, "MemAvailable").c_str()) * 1024.0;
    info_.budgetBytes = avail > 0 ? size_t(avail / 4) : size_t(1) << 30;
    struct utsname u {};
    info_.driver = uname(&u) == 0 ? std::string(u.sysname) + " " + u.release : "";
    info_.runtime = std::string("C++17 std::thread, g++ ") + __VERSION__;
    info_.llcBytes = lastLevelCacheBytes();
    if (info_.llcBytes == 0) info_.llcBytes = size_t(64) << 20;
    return "";
  }
  const DeviceInfo& info() const override { return info_; }
  std::string supports(const Case& c) const override {
    std::string k = c.name();
    if (k == "gemm-tensor") return "gemm-tensor is unsupported on cpu (it needs tensor cores through WMMA)";
    if (k == "gemm-blas" && !cblas().sgemm) return "gemm-blas is unsupported on cpu: no system CBLAS found (tried " + cblas().tried + ")";
    if (c.f16()) return "fp16 " + k + " is unsupported on cpu (the CPU backend runs fp32)";
    return "";
  }
  void* alloc(size_t bytes) override {
    void* p = std::aligned_alloc(256, (bytes + 255) & ~size_t(255));
    if (!p) throw std::runtime_error("out of host memory allocating " + std::to_string(bytes) + " bytes");
    return p;
  }
  void release(void* p) override { std::free(p); }
  void upload(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void download(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void copy(void* dst, const void* src, size_t n) override { std::memcpy(dst, src, n); }
  void fill(void* dst, int byte, size_t n) override { std::memset(dst, byte, n); }
  size_t scratchBytes(const Case& c) const override {
    std::string k = c.name();
    if (k == "attention-naive") return size_t(c["batch"] * c["heads"] * c["q"] * c["kv"]) * 4;
    if (k == "lut-gemv") return size_t(c["k"] / 4 * 16) * 4;
    return 0;
  }
  void run(const Case& c, void* const* in, void* const* out, void* scratch) override {
    std::string k = c.name();
    auto fi = [&](int i) { return static_cast<const float*>(in[i]); };
    float* o = static_cast<float*>(out ? out[0] : nullptr);
    if (k == "gemm-naive") gemmNaive(fi(0), fi(1), o, c["m"], c["n"], c["k"], c.variantParam());
    else if (k == "gemm-smem") gemmPacked(fi(0), fi(1), o, 1, c["m"], c["n"], c["k"], c.variantParam());
    else if (k == "batched-gemm") gemmPacked(fi(0), fi(1), o, c["batch"], c["m"], c["n"], c["k"], 64);
    else if (k == "gemm-blas") {
      int m = int(c["m"]), n = int(c["n"]), kk = int(c["k"]);
      bool tn = c.variant == "TN";  // B stored [n,k]: C = A·Bᵀ (CblasRowMajor 101, NoTrans 111, Trans 112)
      cblas().sgemm(101, 111, tn ? 112 : 111, m, n, kk, 1.0f, fi(0), kk, fi(1), tn ? kk : n, 0.0f, o, n);
    } else if (k == "gemv") {
      int64_t m = c["m"], kk = c["k"];
      parallelFor(m, [&](int64_t b, int64_t e) { for (int64_t i = b; i < e; ++i) o[i] = dot(fi(0) + i * kk, fi(1), kk); });
    } else if (k == "flat-gemm") {
      int64_t m = c["m"], n = c["n"], kk = c["k"];
      parallelFor(n, [&](int64_t b, int64_t e) {
        for (int64_t j = b; j < e; ++j)
          for (int64_t i = 0; i < m; ++i) o[i * n + j] = dot(fi(0) + i * kk, fi(1) + j * kk, kk);
      });
    } else if (k == "attention-naive") attentionNaive(AttnDims(c), fi(0), fi(1), fi(2), o, static_cast<float*>(scratch));
    else if (k == "attention-flash") attentionFlash(AttnDims(c), fi(0), fi(1), fi(2), o);
    else if (k == "softmax") softmaxRows(fi(0), o, c["rows"], c["cols"]);
    else if (k == "rmsnorm") rmsnormRows(fi(0), fi(1), o, c["rows"], c["cols"]);
    else if (k == "layernorm") layernormRows(fi(0), fi(1), fi(2), o, c["rows"], c["cols"]);
    else if (k == "add") { const float *a = fi(0), *b = fi(1); elementwise(c["n"], [&](int64_t i) { o[i] = a[i] + b[i]; }); }
    else if (k == "mul") { const float *a = fi(0), *b = fi(1); elementwise(c["n"], [&](int64_t i) { o[i] = a[i] * b[i]; }); }
    else if (k == "silu") { const float* x = fi(0); elementwise(c["n"], [&](int64_t i) { o[i] = x[i] / (1.0f + std::exp(-x[i])); }); }
    else if (k == "gelu") {
      const float* x = fi(0);
      elementwise(c["n"], [&](int64_t i) { float v = x[i]; o[i] = 0.5f * v * (1.0f + std::tanh(0.7978845608f * (v + 0.044715f * v * v * v))); });
    } else if (k == "selective-scan") selectiveScan(c, fi(0), fi(1), fi(2), fi(3), fi(4), fi(5), o);
    else if (k == "conv1d") conv1d(c, fi(0), fi(1), fi(2), o);
    else if (k == "lut-gemv") lutGemv(c, static_cast<const uint8_t*>(in[0]), fi(1), fi(2), o, static_cast<float*>(scratch));
    else if (k == "memcpy") {
      const char* src = static_cast<const char*>(in[0]);
      char* dst = static_cast<char*>(out[0]);
      int64_t n = c["bytes"];
      if (c.variant == "kernel") {
        // Local restrict pointers: through the captured references a char store may alias them, and g++ then
        // reloads them every byte and does not vectorize (5 GB/s where the loop streams at ~35 on the CI VM).
        parallelFor(n, [src, dst](int64_t b, int64_t e) {
          const char* __restrict s = src;
          char* __restrict d = dst;
          for (int64_t i = b; i < e; ++i) d[i] = s[i];
        }, 1 << 16);
      } else {
        parallelFor(n, [&](int64_t b, int64_t e) { std::memcpy(dst + b, src + b, size_t(e - b)); }, 1 << 16);
      }
    } else if (k == "empty") pool().run([](int) {});
    else throw std::runtime_error("internal: cpu backend has no kernel " + k);
  }
  double time(const std::function<void(int)>& body, int inner) override {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < inner; ++i) body(i);
    auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double>(t1 - t0).count();
  }
  std::string sync() override { return ""; }

 private:
  DeviceInfo info_;
};

}  // namespace

std::unique_ptr<Backend> makeBackend() { return std::unique_ptr<Backend>(new CpuBackend()); }

}  // namespace kref
