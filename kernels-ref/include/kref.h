// kernels-ref core types, shared by the harness, the kernel registry and every backend.
//
// A plan line resolves to a Case (kernel, shape with defaults filled in, dtype, variant). The registry
// (kernels.cpp) says for each kernel which tensors it reads and writes, its FLOP and byte counts, and a
// single-threaded reference; a Backend (cpu_backend.cpp, gpu_backend.cu) owns memory and runs kernels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace kref {

/** Element type of a tensor in device memory. */
enum class ET { F32, F16, U8 };
inline size_t etSize(ET t) { return t == ET::F32 ? 4 : t == ET::F16 ? 2 : 1; }

struct KernelDef;

struct Case {
  const KernelDef* def = nullptr;
  std::vector<std::pair<std::string, int64_t>> shape;  // in the kernel's key order, defaults filled in
  std::string dtype;                                   // fp32, fp16, int2, int3, int4
  std::string variant;                                 // resolved ("tile=16"), or "" when the kernel has none
  int64_t operator[](const char* key) const;           // a shape value; throws on an unknown key
  bool f16() const { return dtype == "fp16"; }
  int variantParam() const;                            // the number after '=' in the variant, or 0
  const char* name() const;
};

enum class Init { Uniform, Bytes };
struct TensorSpec {
  const char* name;
  ET type;
  size_t count;
  Init init = Init::Uniform;
  float lo = -1, hi = 1;
  size_t bytes() const { return count * etSize(type); }
};

/**
 * Host copies of the inputs: f[i] holds float values (fp16 inputs already rounded), raw[i] the bytes uploaded, or
 * nothing for fp32 tensors (f[i] is uploaded as it is).
 */
struct HostInputs {
  std::vector<std::vector<float>> f;
  std::vector<std::vector<uint8_t>> raw;
};

/** Called by a reference for each output element it computes: (output index, element index, value). */
using Emit = std::function<void(int, size_t, double)>;

struct KernelDef {
  const char* name;
  std::vector<std::pair<const char*, int64_t>> keys;  // shape keys and their defaults
  std::vector<const char*> dtypes;                    // every dtype some backend accepts; first is the default
  std::vector<const char*> variants;                  // first is the default; empty when there are none
  const char* about;
  std::string (*validate)(const Case&);
  void (*tensors)(const Case&, std::vector<TensorSpec>& in, std::vector<TensorSpec>& out);
  double (*flops)(const Case&);
  double (*bytes)(const Case&);
  int64_t (*refUnits)(const Case&);      // independent pieces of the reference (rows, channels...)
  double (*refWork)(const Case&);        // multiply-adds per unit, for sampling large problems
  void (*reference)(const Case&, const HostInputs&, int64_t unit, const Emit&);
  double rtol;                           // tolerance relative to max|ref| for fp32 outputs
};

const std::vector<KernelDef>& kernels();
const KernelDef* findKernel(const std::string& name);

// fp16 <-> fp32 on the host (round to nearest even), for generating inputs and reading outputs.
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);

struct DeviceInfo {
  std::string name, backend, driver, runtime;
  int computeUnits = 1;
  double clockHz = 0, memoryBytes = 0;
  size_t llcBytes = 64u << 20;     // last-level cache; rotating buffers exceed twice this
  size_t budgetBytes = 1u << 30;   // how much memory one case may take
};

class Backend {
 public:
  virtual ~Backend() = default;
  /** Opens the device; returns "" or why it cannot. */
  virtual std::string open(int deviceIndex) = 0;
  virtual const DeviceInfo& info() const = 0;
  /** "" when this backend runs the case, else the reason (e.g. "gemm-tensor is unsupported on cpu ..."). */
  virtual std::string supports(const Case&) const = 0;
  virtual void* alloc(size_t bytes) = 0;
  virtual void release(void* p) = 0;
  virtual void upload(void* dst, const void* src, size_t n) = 0;
  virtual void download(void* dst, const void* src, size_t n) = 0;
  virtual void copy(void* dst, const void* src, size_t n) = 0;
  virtual void fill(void* dst, int byte, size_t n) = 0;
  virtual size_t scratchBytes(const Case&) const { return 0; }
  /** One run of the kernel (asynchronous on a GPU). */
  virtual void run(const Case&, void* const* in, void* const* out, void* scratch) = 0;
  /** Seconds taken by body(0..inner-1) run back to back: device events on a GPU, steady_clock on the CPU. */
  virtual double time(const std::function<void(int)>& body, int inner) = 0;
  /**
   * Seconds the device takes for body(0..inner-1) captured into one graph and replayed (kref run --graph): no host
   * dispatch between the calls. Only where graphSupport() is "".
   */
  virtual double timeGraph(const std::function<void(int)>& body, int inner) { return time(body, inner); }
  /** "" when this backend can time graph replays, else why not. */
  virtual std::string graphSupport() const { return "graph replays need a GPU backend (cuda or hip)"; }
  /** Waits for the device and returns "" or the pending error. */
  virtual std::string sync() = 0;
};

std::unique_ptr<Backend> makeBackend();

}  // namespace kref
