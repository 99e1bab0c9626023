// Measuring one case: seeded inputs, rotating buffer sets larger than the last-level cache, poisoned outputs,
// the correctness check against the reference, then warm-up and timed repeats.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string>
#include <thread>

#include "harness.h"
#include "json.h"

namespace kref {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

namespace {

std::string isoNow() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string shapeJson(const Case& c) {
  json::Obj o;
  for (const auto& kv : c.shape) o.num(kv.first, double(kv.second));
  return o.done();
}

std::string deviceJson(const DeviceInfo& d, const Options& o) {
  json::Obj j;
  j.str("name", d.name);
  if (!o.deviceId.empty()) j.str("id", o.deviceId);
  j.str("backend", d.backend);
  j.num("computeUnits", std::max(1, d.computeUnits));
  if (d.clockHz > 0) j.num("clockHz", d.clockHz);
  if (d.memoryBytes > 0) j.num("memoryBytes", d.memoryBytes);
  if (!d.driver.empty()) j.str("driver", d.driver);
  if (!d.runtime.empty()) j.str("runtime", d.runtime);
  return j.done();
}

struct Arena {
  Backend& be;
  std::vector<void*> ptrs;
  explicit Arena(Backend& b) : be(b) {}
  void* alloc(size_t n) {
    void* p = be.alloc(n);
    ptrs.push_back(p);
    return p;
  }
  ~Arena() {
    for (void* p : ptrs) be.release(p);
  }
};

size_t align256(size_t n) { return (n + 255) & ~size_t(255); }

/** Runs body(0..chunks-1) on all hardware threads (host-side setup only; kernels run on the backend). */
void parallelChunks(size_t chunks, const std::function<void(size_t)>& body) {
  size_t threads = std::min<size_t>(chunks, std::max(1u, std::thread::hardware_concurrency()));
  if (threads <= 1) {
    for (size_t c = 0; c < chunks; ++c) body(c);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] { for (size_t c = t; c < chunks; c += threads) body(c); });
  for (auto& th : pool) th.join();
}

}  // namespace

// The GEMM layout in BLAS (column-major) terms, C (n×m) = op(W)·op(X) with W the k×n operand, as genz's measurement
// schema names it: row-major C = A·B is 'NN'; y = W·x and y = x·Wᵀ read W as torch.nn.Linear does ('TN').
static const char* blasLayout(const std::string& kernel, const std::string& variant) {
  if (kernel == "gemm-blas") return variant == "TN" ? "TN" : "NN";
  if (kernel == "gemm-naive" || kernel == "gemm-smem" || kernel == "gemm-tensor" || kernel == "batched-gemm") return "NN";
  if (kernel == "gemv" || kernel == "flat-gemm") return "TN";
  return nullptr;
}

/** Runs one case: correctness against the reference, then timing. Returns the measurement line. */
std::string measure(Backend& be, const Case& c, const Options& opt, uint64_t seed) {
  const KernelDef& def = *c.def;
  const DeviceInfo& dev = be.info();
  std::vector<TensorSpec> ins, outs;
  def.tensors(c, ins, outs);

  // Inputs: seeded, fp16 rounded on the host so that the reference sees exactly the device's values. Each chunk of
  // 2^20 values has a seed of its own, so all cores fill a tensor (multi-GB weights took seconds on one) and the values
  // do not depend on how many there are. fp32 tensors are uploaded from f (raw stays empty: one host copy, not two).
  HostInputs host;
  uint64_t rng = seed;
  const size_t kChunk = size_t(1) << 20;
  for (const auto& t : ins) {
    uint64_t tensorSeed = splitmix(rng);
    std::vector<uint8_t> raw;
    std::vector<float> f;
    auto chunkRng = [&](size_t chunk) { uint64_t s = tensorSeed ^ (uint64_t(chunk) * 0xD1B54A32D192ED03ull); splitmix(s); return s; };
    if (t.init == Init::Bytes) {
      raw.resize(t.bytes());
      parallelChunks((raw.size() + 8 * kChunk - 1) / (8 * kChunk), [&](size_t chunk) {
        uint64_t r = chunkRng(chunk);
        for (size_t i = chunk * 8 * kChunk; i < std::min(raw.size(), (chunk + 1) * 8 * kChunk); i += 8) {
          uint64_t v = splitmix(r);
          std::memcpy(raw.data() + i, &v, std::min<size_t>(8, raw.size() - i));
        }
      });
    } else {
      f.resize(t.count);
      if (t.type == ET::F16) raw.resize(t.bytes());
      parallelChunks((t.count + kChunk - 1) / kChunk, [&](size_t chunk) {
        uint64_t r = chunkRng(chunk);
        for (size_t i = chunk * kChunk; i < std::min(t.count, (chunk + 1) * kChunk); ++i) {
          float u = float(splitmix(r) >> 40) * (1.0f / 16777216.0f);
          float x = t.lo + (t.hi - t.lo) * u;
          if (t.type == ET::F16) {
            uint16_t h = floatToHalf(x);
            f[i] = halfToFloat(h);
            std::memcpy(raw.data() + 2 * i, &h, 2);
          } else {
            f[i] = x;
          }
        }
      });
    }
    host.raw.push_back(std::move(raw));
    host.f.push_back(std::move(f));
  }

  // Rotating buffer sets: together more than twice the last-level cache, so repeats start cold.
  size_t setBytes = 0;
  for (const auto& t : ins) setBytes += align256(t.bytes());
  for (const auto& t : outs) setBytes += align256(t.bytes());
  size_t scratch = be.scratchBytes(c);
  if (setBytes + scratch > dev.budgetBytes)
    throw std::runtime_error("needs " + std::to_string(setBytes + scratch) + " bytes, more than this device's budget of " + std::to_string(dev.budgetBytes));
  size_t rot = setBytes ? std::max<size_t>(1, (2 * dev.llcBytes + setBytes - 1) / setBytes) : 1;
  // A bound on the sets (their pointers and the upload copies): 2^20 sets reach 2 × a 256 MB cache for sets of 512 B or
  // more; smaller sets rotate through 2^20 × their size.
  rot = std::min<size_t>(rot, size_t(1) << 20);
  while (rot > 1 && rot * setBytes + scratch > dev.budgetBytes) rot = (dev.budgetBytes - scratch) / setBytes;

  Arena arena(be);
  std::vector<char*> inBase, outBase;
  for (size_t i = 0; i < ins.size(); ++i) {
    size_t stride = align256(ins[i].bytes());
    char* p = static_cast<char*>(arena.alloc(rot * stride));
    be.upload(p, host.raw[i].empty() ? static_cast<const void*>(host.f[i].data()) : host.raw[i].data(), ins[i].bytes());
    for (size_t have = 1; have < rot; have *= 2) be.copy(p + have * stride, p, std::min(have, rot - have) * stride);
    inBase.push_back(p);
  }
  for (const auto& t : outs) {
    char* p = static_cast<char*>(arena.alloc(rot * align256(t.bytes())));
    be.fill(p, 0xFF, rot * align256(t.bytes()));  // NaN in fp32 and fp16
    outBase.push_back(p);
  }
  void* scratchPtr = scratch ? arena.alloc(scratch) : nullptr;
  std::string err = be.sync();
  if (!err.empty()) throw std::runtime_error("setting up buffers: " + err);

  std::vector<void*> inP(ins.size()), outP(outs.size());
  auto point = [&](size_t r) {
    for (size_t i = 0; i < ins.size(); ++i) inP[i] = inBase[i] + r * align256(ins[i].bytes());
    for (size_t i = 0; i < outs.size(); ++i) outP[i] = outBase[i] + r * align256(outs[i].bytes());
  };

  // Correctness: one run on set 0, every output finite (the poison overwritten), sampled units match the reference.
  point(0);
  be.run(c, inP.data(), outP.data(), scratchPtr);
  err = be.sync();
  if (!err.empty()) throw std::runtime_error("kernel failed: " + err);
  std::vector<std::vector<uint8_t>> got(outs.size());
  for (size_t i = 0; i < outs.size(); ++i) {
    got[i].resize(outs[i].bytes());
    be.download(got[i].data(), outP[i], outs[i].bytes());
  }
  // Test hook: KREF_INJECT_FAULT=<kernel> corrupts one output element, to show that a wrong result is caught.
  if (const char* fault = std::getenv("KREF_INJECT_FAULT"))
    if (!outs.empty() && std::string(fault) == def.name) {
      if (outs[0].type == ET::F32) { float bad = 1e6f; std::memcpy(got[0].data(), &bad, 4); }
      else if (outs[0].type == ET::F16) { uint16_t bad = floatToHalf(1e4f); std::memcpy(got[0].data(), &bad, 2); }
      else got[0][0] = uint8_t(got[0][0] ^ 0xFF);
    }
  auto value = [&](int o, size_t i) -> double {
    const auto& t = outs[size_t(o)];
    const uint8_t* p = got[size_t(o)].data();
    if (t.type == ET::F32) { float f; std::memcpy(&f, p + 4 * i, 4); return f; }
    if (t.type == ET::F16) { uint16_t h; std::memcpy(&h, p + 2 * i, 2); return halfToFloat(h); }
    return p[i];
  };
  for (size_t o = 0; o < outs.size(); ++o) {
    if (outs[o].type == ET::U8) continue;
    for (size_t i = 0; i < outs[o].count; ++i)
      if (!std::isfinite(value(int(o), i)))
        throw std::runtime_error(std::string("output ") + outs[o].name + "[" + std::to_string(i) + "] is not finite after the run (left unwritten?)");
  }
  double maxErr = 0, maxRef = 0;
  Emit emit = [&](int o, size_t i, double ref) {
    maxRef = std::max(maxRef, std::fabs(ref));
    maxErr = std::max(maxErr, std::fabs(value(o, i) - ref));
  };
  int64_t units = def.refUnits(c);
  double budget = opt.quick ? 1e7 : 5e7;
  if (double(units) * def.refWork(c) <= budget) {
    for (int64_t u = 0; u < units; ++u) def.reference(c, host, u, emit);
  } else {
    int64_t n = std::max<int64_t>(2, int64_t(budget / std::max(1.0, def.refWork(c))));
    uint64_t pick = seed ^ 0xA5A5A5A5ull;
    def.reference(c, host, 0, emit);
    def.reference(c, host, units - 1, emit);
    for (int64_t s = 2; s < n; ++s) def.reference(c, host, int64_t(splitmix(pick) % uint64_t(units)), emit);
  }
  // Relative to the largest reference value, with no floor at 1: decode attention outputs (~0.02) and softmax rows of
  // 32k columns (~3e-4) sit far below 1, and a floor there let a kernel that excluded the current key or dropped 5% of
  // a row pass (a review found both, 2026-11-27). The tiny absolute term only covers an all-zero reference.
  bool halfOut = !outs.empty() && outs[0].type == ET::F16;
  double tol = (halfOut ? 4e-3 : def.rtol) * maxRef + 1e-30;
  if (!(maxErr <= tol)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "correctness check failed: maxAbsError %.3g exceeds tolerance %.3g (max |reference| %.3g)", maxErr, tol, maxRef);
    throw std::runtime_error(buf);
  }

  // Timing: warm-up, then repeats; each run takes the next buffer set. Very short runs are batched so that
  // one sample spans at least 50 us, and the sample is divided by the batch size.
  size_t next = 1 % rot;
  auto body = [&](int) {
    point(next);
    next = (next + 1) % rot;
    be.run(c, inP.data(), outP.data(), scratchPtr);
  };
  double est = 1e30;
  for (int w = 0; w < std::max(1, opt.warmup); ++w) est = std::min(est, be.time(body, 1));
  err = be.sync();
  if (!err.empty()) throw std::runtime_error("kernel failed during warm-up: " + err);
  // A graph replay (--graph) batches calls for 200 us at the back-to-back rate the warm-up measured; a launch-bound
  // kernel's device time is a fraction of that (an empty launch: ~40 calls, ~35 us of graph on an H100), and the
  // host's submission of the graph stays inside the sample.
  double span = opt.graph ? 200e-6 : 50e-6;
  int inner = est < span ? int(std::min(1000.0, std::ceil(span / std::max(est, 1e-9)))) : 1;
  int repeats = opt.repeats;
  if (est * inner * repeats > opt.maxSeconds) repeats = std::max(3, int(opt.maxSeconds / (est * inner)));
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) samples.push_back((opt.graph ? be.timeGraph(body, inner) : be.time(body, inner)) / inner);
  err = be.sync();
  if (!err.empty()) throw std::runtime_error("kernel failed while timing: " + err);
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  double median = n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
  if (!(median > 0) || !std::isfinite(median)) throw std::runtime_error("timer returned a non-positive median");

  double flops = def.flops(c), bytes = def.bytes(c);
  json::Obj m;
  m.str("schema", "genz.measurement.v1").str("source", "kernels-ref").raw("device", deviceJson(dev, opt)).str("kernel", def.name);
  if (!c.variant.empty()) m.str("variant", c.variant);
  m.raw("shape", shapeJson(c));
  if (const char* layout = blasLayout(def.name, c.variant)) m.str("layout", layout);
  m.str("dtype", c.dtype);
  m.num("medianS", median).num("minS", samples.front()).num("maxS", samples.back()).num("repeats", double(n));
  m.num("flops", flops).num("bytes", bytes).num("achievedFlopsPerS", flops / median).num("achievedBytesPerS", bytes / median);
  m.num("maxAbsError", maxErr).str("measuredAt", isoNow());
  if (opt.graph) m.str("timing", "graph-replay");
  return m.done();
}

std::string planLine(const char* kernel, const std::vector<std::pair<const char*, int64_t>>& shape, const std::string& dtype, const std::string& variant) {
  json::Obj o;
  o.str("kernel", kernel);
  json::Obj s;
  for (const auto& kv : shape) s.num(kv.first, double(kv.second));
  o.raw("shape", s.done());
  if (!dtype.empty()) o.str("dtype", dtype);
  if (!variant.empty()) o.str("variant", variant);
  return o.done();
}

/** A default sweep: small on --quick, and sized for the backend (the CPU gets smaller GEMMs). */
std::vector<std::string> defaultPlan(Backend& be, bool quick) {
  bool cpu = be.info().backend == "cpu";
  std::vector<std::string> lines;
  auto add = [&](const char* kernel, std::vector<std::pair<const char*, int64_t>> shape, const std::string& dtype = "", const std::string& variant = "") {
    std::string line = planLine(kernel, shape, dtype, variant);
    Case c;
    if (!parseCase(line, c).empty() || !be.supports(c).empty()) return;
    lines.push_back(line);
  };
  std::vector<int64_t> sq = quick ? std::vector<int64_t>{128, 256} : cpu ? std::vector<int64_t>{128, 256, 512, 1024} : std::vector<int64_t>{256, 512, 1024, 2048, 4096, 8192};
  for (const char* dt : {"fp32", "fp16"}) {
    for (int64_t s : sq) {
      for (const char* v : {"tile=8", "tile=16", "tile=32"}) add("gemm-naive", {{"m", s}, {"n", s}, {"k", s}}, dt, v);
      for (const char* v : {"tile=16", "tile=32", "tile=64"}) add("gemm-smem", {{"m", s}, {"n", s}, {"k", s}}, dt, v);
      add("gemm-tensor", {{"m", s}, {"n", s}, {"k", s}}, dt);
      add("gemm-blas", {{"m", s}, {"n", s}, {"k", s}}, dt, "NN");
    }
    std::vector<int64_t> tokens = quick ? std::vector<int64_t>{16} : cpu ? std::vector<int64_t>{1, 16, 64} : std::vector<int64_t>{1, 16, 128, 512, 2048};
    std::vector<std::pair<int64_t, int64_t>> nk = quick ? std::vector<std::pair<int64_t, int64_t>>{{512, 512}}
                                                  : cpu ? std::vector<std::pair<int64_t, int64_t>>{{4096, 4096}, {11008, 4096}}
                                                        : std::vector<std::pair<int64_t, int64_t>>{{4096, 4096}, {11008, 4096}, {4096, 11008}};
    for (int64_t t : tokens)
      for (auto p : nk) {
        for (const char* layout : {"NN", "TN"}) add("gemm-blas", {{"m", t}, {"n", p.first}, {"k", p.second}}, dt, layout);
        add("gemm-smem", {{"m", t}, {"n", p.first}, {"k", p.second}}, dt, "tile=64");
        if (t % 16 == 0) add("gemm-tensor", {{"m", t}, {"n", p.first}, {"k", p.second}}, dt);
      }
    for (int64_t b : quick ? std::vector<int64_t>{4} : std::vector<int64_t>{4, 16, 64})
      for (int64_t s : quick ? std::vector<int64_t>{64} : std::vector<int64_t>{128, 256, 512}) add("batched-gemm", {{"batch", b}, {"m", s}, {"n", s}, {"k", s}}, dt);
    for (auto p : nk) {
      add("gemv", {{"m", p.first}, {"k", p.second}}, dt);
      for (int64_t m : quick ? std::vector<int64_t>{4} : std::vector<int64_t>{1, 2, 4, 8, 16}) add("flat-gemm", {{"m", m}, {"n", p.first}, {"k", p.second}}, dt);
    }
    for (const char* k : {"attention-naive", "attention-flash"}) {
      for (int64_t kvh : {int64_t(32), int64_t(8)}) {
        for (int64_t s : quick ? std::vector<int64_t>{128} : cpu ? std::vector<int64_t>{128, 512} : std::vector<int64_t>{128, 512, 2048})
          add(k, {{"batch", 1}, {"heads", 32}, {"kvHeads", kvh}, {"q", s}, {"kv", s}, {"d", 128}, {"causal", 1}}, dt);
        for (int64_t kv : quick ? std::vector<int64_t>{256} : std::vector<int64_t>{512, 2048, 8192})
          for (int64_t b : quick ? std::vector<int64_t>{1} : std::vector<int64_t>{1, 8})
            add(k, {{"batch", b}, {"heads", 32}, {"kvHeads", kvh}, {"q", 1}, {"kv", kv}, {"d", 128}, {"causal", 1}}, dt);
      }
    }
  }
  for (auto rc : quick ? std::vector<std::pair<int64_t, int64_t>>{{256, 1024}} : std::vector<std::pair<int64_t, int64_t>>{{1024, 1024}, {4096, 4096}, {16384, 4096}, {4096, 32000}})
    for (const char* k : {"softmax", "rmsnorm", "layernorm"}) add(k, {{"rows", rc.first}, {"cols", rc.second}});
  for (int64_t n : quick ? std::vector<int64_t>{1 << 16, 1 << 20} : cpu ? std::vector<int64_t>{1 << 12, 1 << 16, 1 << 20, 1 << 24} : std::vector<int64_t>{1 << 12, 1 << 16, 1 << 20, 1 << 24, 1 << 26})
    for (const char* k : {"add", "mul", "silu", "gelu"}) add(k, {{"n", n}});
  for (int64_t len : quick ? std::vector<int64_t>{256} : std::vector<int64_t>{256, 1024, 4096}) {
    add("selective-scan", {{"batch", 1}, {"dim", quick ? 256 : 1536}, {"len", len}, {"state", 16}});
    add("conv1d", {{"batch", 1}, {"dim", quick ? 256 : 1536}, {"len", len}, {"width", 4}});
  }
  for (const char* dt : {"int2", "int3", "int4"})
    for (auto p : quick ? std::vector<std::pair<int64_t, int64_t>>{{1024, 1024}} : std::vector<std::pair<int64_t, int64_t>>{{4096, 4096}, {11008, 4096}, {4096, 11008}})
      add("lut-gemv", {{"m", p.first}, {"k", p.second}, {"group", 128}}, dt);
  for (int64_t b : quick ? std::vector<int64_t>{1 << 20} : std::vector<int64_t>{1 << 16, 1 << 20, 1 << 24, 1 << 28})
    for (const char* v : {"api", "kernel"}) add("memcpy", {{"bytes", b}}, "", v);
  add("empty", {});
  return lines;
}

}  // namespace kref
