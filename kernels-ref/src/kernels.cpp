// The kernel registry: for every kernel, its shape keys and defaults, dtypes and variants, the tensors it
// reads and writes (the order backends rely on), FLOP and byte counts, and a simple single-threaded
// reference (double accumulation) that the harness compares each backend against.
#include <cmath>
#include <stdexcept>

#include "kref.h"

namespace kref {

namespace {

using S = std::string;
using TV = std::vector<TensorSpec>;

ET io(const Case& c) { return c.f16() ? ET::F16 : ET::F32; }
double es(const Case& c) { return c.f16() ? 2.0 : 4.0; }
S positive(const Case& c) {
  for (const auto& kv : c.shape)
    if (kv.second < 1 && kv.first != "causal") return kv.first + " must be at least 1 (got " + std::to_string(kv.second) + ")";
  for (const auto& kv : c.shape)
    if (kv.second > 2147483647LL && kv.first != "bytes") return kv.first + " must be below 2^31";
  return "";
}

// ---- GEMM family: C[m,n] = A[m,k] · B[k,n], row-major (batched: a leading batch dimension) ----
// gemm-blas's variant "TN" stores B as [n,k] and computes C = A·Bᵀ, the call torch.nn.Linear issues (y = x·Wᵀ).
bool bTransposed(const Case& c) { return c.variant == "TN"; }
S vGemm(const Case& c) { return positive(c); }
S vGemmTensor(const Case& c) {
  S e = positive(c);
  if (!e.empty()) return e;
  if (c["m"] % 16 || c["n"] % 16 || c["k"] % 16) return "gemm-tensor needs m, n and k to be multiples of 16";
  return "";
}
int64_t batchOf(const Case& c) {
  for (const auto& kv : c.shape)
    if (kv.first == "batch") return kv.second;
  return 1;
}
void tGemm(const Case& c, TV& in, TV& out) {
  size_t b = size_t(batchOf(c)), m = size_t(c["m"]), n = size_t(c["n"]), k = size_t(c["k"]);
  in = {{"A", io(c), b * m * k}, {bTransposed(c) ? "Bt" : "B", io(c), b * k * n}};
  bool f32out = std::string(c.name()) == "gemm-tensor";
  out = {{"C", f32out ? ET::F32 : io(c), b * m * n}};
}
double fGemm(const Case& c) { return 2.0 * double(batchOf(c)) * double(c["m"]) * double(c["n"]) * double(c["k"]); }
double bGemm(const Case& c) {
  double b = double(batchOf(c)), m = double(c["m"]), n = double(c["n"]), k = double(c["k"]);
  bool f32out = std::string(c.name()) == "gemm-tensor";
  return b * ((m * k + k * n) * es(c) + m * n * (f32out ? 4.0 : es(c)));
}
int64_t uGemm(const Case& c) { return batchOf(c) * c["m"] * c["n"]; }
double wGemm(const Case& c) { return double(c["k"]); }
void rGemm(const Case& c, const HostInputs& h, int64_t unit, const Emit& emit) {
  int64_t m = c["m"], n = c["n"], k = c["k"];
  int64_t bi = unit / (m * n), i = (unit / n) % m, j = unit % n;
  const float* A = h.f[0].data() + bi * m * k;
  const float* B = h.f[1].data() + bi * k * n;
  double acc = 0;
  if (bTransposed(c))
    for (int64_t kk = 0; kk < k; ++kk) acc += double(A[i * k + kk]) * double(B[j * k + kk]);
  else
    for (int64_t kk = 0; kk < k; ++kk) acc += double(A[i * k + kk]) * double(B[kk * n + j]);
  emit(0, size_t(unit), acc);
}

// ---- GEMV: y[m] = W[m,k] · x[k] ----
void tGemv(const Case& c, TV& in, TV& out) {
  size_t m = size_t(c["m"]), k = size_t(c["k"]);
  in = {{"W", io(c), m * k}, {"x", io(c), k}};
  out = {{"y", io(c), m}};
}
double fGemv(const Case& c) { return 2.0 * double(c["m"]) * double(c["k"]); }
double bGemv(const Case& c) { return (double(c["m"]) * double(c["k"]) + double(c["k"]) + double(c["m"])) * es(c); }
int64_t uRowsM(const Case& c) { return c["m"]; }
double wK(const Case& c) { return double(c["k"]); }
void rGemv(const Case& c, const HostInputs& h, int64_t i, const Emit& emit) {
  int64_t k = c["k"];
  double acc = 0;
  for (int64_t kk = 0; kk < k; ++kk) acc += double(h.f[0][size_t(i * k + kk)]) * double(h.f[1][size_t(kk)]);
  emit(0, size_t(i), acc);
}

// ---- flat GEMM (decode): y[m,n] = x[m,k] · W[n,k]^T with small m ----
S vFlat(const Case& c) {
  S e = positive(c);
  if (!e.empty()) return e;
  if (c["m"] > 16) return "flat-gemm needs m <= 16 (got " + std::to_string(c["m"]) + "); use gemm-* for larger m";
  return "";
}
void tFlat(const Case& c, TV& in, TV& out) {
  size_t m = size_t(c["m"]), n = size_t(c["n"]), k = size_t(c["k"]);
  in = {{"x", io(c), m * k}, {"W", io(c), n * k}};
  out = {{"y", io(c), m * n}};
}
double bFlat(const Case& c) {
  double m = double(c["m"]), n = double(c["n"]), k = double(c["k"]);
  return (n * k + m * k + m * n) * es(c);
}
int64_t uFlat(const Case& c) { return c["m"] * c["n"]; }
void rFlat(const Case& c, const HostInputs& h, int64_t unit, const Emit& emit) {
  int64_t n = c["n"], k = c["k"], i = unit / n, j = unit % n;
  double acc = 0;
  for (int64_t kk = 0; kk < k; ++kk) acc += double(h.f[0][size_t(i * k + kk)]) * double(h.f[1][size_t(j * k + kk)]);
  emit(0, size_t(unit), acc);
}

// ---- attention: Q[b,h,q,d], K/V[b,kvHeads,kv,d], O[b,h,q,d]; query i sits at position kv-q+i ----
S vAttn(const Case& c) {
  S e = positive(c);
  if (!e.empty()) return e;
  if (c["causal"] != 0 && c["causal"] != 1) return "causal must be 0 or 1";
  if (c["heads"] % c["kvHeads"]) return "heads must be a multiple of kvHeads";
  if (c["q"] > c["kv"]) return "q must not exceed kv (the queries are the last q positions)";
  if (c["d"] > 256) return "d must be at most 256";
  return "";
}
void tAttn(const Case& c, TV& in, TV& out) {
  size_t b = size_t(c["batch"]), h = size_t(c["heads"]), kvh = size_t(c["kvHeads"]), q = size_t(c["q"]), kv = size_t(c["kv"]), d = size_t(c["d"]);
  in = {{"Q", io(c), b * h * q * d}, {"K", io(c), b * kvh * kv * d}, {"V", io(c), b * kvh * kv * d}};
  out = {{"O", io(c), b * h * q * d}};
}
double attnPairs(const Case& c) {
  double q = double(c["q"]), kv = double(c["kv"]);
  return c["causal"] ? q * (kv - q) + q * (q + 1) / 2 : q * kv;
}
double fAttn(const Case& c) { return 4.0 * double(c["batch"]) * double(c["heads"]) * double(c["d"]) * attnPairs(c); }
double bAttn(const Case& c) {
  double b = double(c["batch"]), h = double(c["heads"]), kvh = double(c["kvHeads"]), q = double(c["q"]), kv = double(c["kv"]), d = double(c["d"]);
  return (2 * b * h * q * d + 2 * b * kvh * kv * d) * es(c);
}
int64_t uAttn(const Case& c) { return c["batch"] * c["heads"] * c["q"]; }
double wAttn(const Case& c) { return 2.0 * double(c["kv"]) * double(c["d"]); }
void rAttn(const Case& c, const HostInputs& hi, int64_t unit, const Emit& emit) {
  int64_t H = c["heads"], KVH = c["kvHeads"], Q = c["q"], KV = c["kv"], D = c["d"];
  int64_t b = unit / (H * Q), h = (unit / Q) % H, i = unit % Q;
  int64_t kh = h / (H / KVH);
  int64_t limit = c["causal"] ? KV - Q + i : KV - 1;
  const float* q = hi.f[0].data() + unit * D;
  const float* K = hi.f[1].data() + (b * KVH + kh) * KV * D;
  const float* V = hi.f[2].data() + (b * KVH + kh) * KV * D;
  double scale = 1.0 / std::sqrt(double(D));
  std::vector<double> s(size_t(limit + 1));
  double mx = -INFINITY;
  for (int64_t j = 0; j <= limit; ++j) {
    double acc = 0;
    for (int64_t t = 0; t < D; ++t) acc += double(q[t]) * double(K[j * D + t]);
    s[size_t(j)] = acc * scale;
    mx = std::max(mx, s[size_t(j)]);
  }
  double sum = 0;
  for (auto& v : s) sum += (v = std::exp(v - mx));
  for (int64_t t = 0; t < D; ++t) {
    double acc = 0;
    for (int64_t j = 0; j <= limit; ++j) acc += s[size_t(j)] * double(V[j * D + t]);
    emit(0, size_t(unit * D + t), acc / sum);
  }
}

// ---- row-wise: softmax, rmsnorm, layernorm over x[rows, cols] ----
void tSoftmax(const Case& c, TV& in, TV& out) {
  size_t r = size_t(c["rows"]), n = size_t(c["cols"]);
  in = {{"x", ET::F32, r * n, Init::Uniform, -4, 4}};
  out = {{"y", ET::F32, r * n}};
}
void tRms(const Case& c, TV& in, TV& out) {
  size_t r = size_t(c["rows"]), n = size_t(c["cols"]);
  in = {{"x", ET::F32, r * n}, {"gamma", ET::F32, n, Init::Uniform, 0.5f, 1.5f}};
  out = {{"y", ET::F32, r * n}};
}
void tLn(const Case& c, TV& in, TV& out) {
  size_t r = size_t(c["rows"]), n = size_t(c["cols"]);
  in = {{"x", ET::F32, r * n}, {"gamma", ET::F32, n, Init::Uniform, 0.5f, 1.5f}, {"beta", ET::F32, n, Init::Uniform, -0.5f, 0.5f}};
  out = {{"y", ET::F32, r * n}};
}
double rowsCols(const Case& c) { return double(c["rows"]) * double(c["cols"]); }
double fSoftmax(const Case& c) { return 5 * rowsCols(c); }
double fRms(const Case& c) { return 4 * rowsCols(c); }
double fLn(const Case& c) { return 7 * rowsCols(c); }
double bSoftmax(const Case& c) { return 8 * rowsCols(c); }
double bRms(const Case& c) { return 8 * rowsCols(c) + 4 * double(c["cols"]); }
double bLn(const Case& c) { return 8 * rowsCols(c) + 8 * double(c["cols"]); }
int64_t uRows(const Case& c) { return c["rows"]; }
double wRow(const Case& c) { return 3.0 * double(c["cols"]); }
void rSoftmax(const Case& c, const HostInputs& h, int64_t r, const Emit& emit) {
  int64_t n = c["cols"];
  const float* x = h.f[0].data() + r * n;
  double mx = -INFINITY, sum = 0;
  for (int64_t j = 0; j < n; ++j) mx = std::max(mx, double(x[j]));
  for (int64_t j = 0; j < n; ++j) sum += std::exp(double(x[j]) - mx);
  for (int64_t j = 0; j < n; ++j) emit(0, size_t(r * n + j), std::exp(double(x[j]) - mx) / sum);
}
void rRms(const Case& c, const HostInputs& h, int64_t r, const Emit& emit) {
  int64_t n = c["cols"];
  const float* x = h.f[0].data() + r * n;
  double ss = 0;
  for (int64_t j = 0; j < n; ++j) ss += double(x[j]) * double(x[j]);
  double inv = 1.0 / std::sqrt(ss / double(n) + 1e-6);
  for (int64_t j = 0; j < n; ++j) emit(0, size_t(r * n + j), double(x[j]) * inv * double(h.f[1][size_t(j)]));
}
void rLn(const Case& c, const HostInputs& h, int64_t r, const Emit& emit) {
  int64_t n = c["cols"];
  const float* x = h.f[0].data() + r * n;
  double mean = 0, var = 0;
  for (int64_t j = 0; j < n; ++j) mean += x[j];
  mean /= double(n);
  for (int64_t j = 0; j < n; ++j) var += (x[j] - mean) * (x[j] - mean);
  double inv = 1.0 / std::sqrt(var / double(n) + 1e-5);
  for (int64_t j = 0; j < n; ++j) emit(0, size_t(r * n + j), (double(x[j]) - mean) * inv * double(h.f[1][size_t(j)]) + double(h.f[2][size_t(j)]));
}

// ---- elementwise over n elements ----
const int64_t kChunk = 1024;
void tBinary(const Case& c, TV& in, TV& out) {
  size_t n = size_t(c["n"]);
  in = {{"a", ET::F32, n}, {"b", ET::F32, n}};
  out = {{"c", ET::F32, n}};
}
void tUnary(const Case& c, TV& in, TV& out) {
  size_t n = size_t(c["n"]);
  in = {{"x", ET::F32, n, Init::Uniform, -6, 6}};
  out = {{"y", ET::F32, n}};
}
double fN1(const Case& c) { return double(c["n"]); }
double fN4(const Case& c) { return 4 * double(c["n"]); }
double fN8(const Case& c) { return 8 * double(c["n"]); }
double bBinary(const Case& c) { return 12 * double(c["n"]); }
double bUnary(const Case& c) { return 8 * double(c["n"]); }
int64_t uChunks(const Case& c) { return (c["n"] + kChunk - 1) / kChunk; }
double wChunk(const Case&) { return double(kChunk); }
template <typename F>
void eachInChunk(const Case& c, int64_t unit, F f) {
  int64_t n = c["n"];
  for (int64_t i = unit * kChunk; i < std::min(n, (unit + 1) * kChunk); ++i) f(size_t(i));
}
void rAdd(const Case& c, const HostInputs& h, int64_t u, const Emit& emit) {
  eachInChunk(c, u, [&](size_t i) { emit(0, i, double(h.f[0][i]) + double(h.f[1][i])); });
}
void rMul(const Case& c, const HostInputs& h, int64_t u, const Emit& emit) {
  eachInChunk(c, u, [&](size_t i) { emit(0, i, double(h.f[0][i]) * double(h.f[1][i])); });
}
void rSilu(const Case& c, const HostInputs& h, int64_t u, const Emit& emit) {
  eachInChunk(c, u, [&](size_t i) { double x = h.f[0][i]; emit(0, i, x / (1 + std::exp(-x))); });
}
void rGelu(const Case& c, const HostInputs& h, int64_t u, const Emit& emit) {
  eachInChunk(c, u, [&](size_t i) {
    double x = h.f[0][i];
    emit(0, i, 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))));
  });
}

// ---- Mamba-1 selective scan: u, delta, y [b, dim, len]; A [dim, state]; B, C [b, state, len]; D [dim] ----
S vScan(const Case& c) {
  S e = positive(c);
  if (!e.empty()) return e;
  int64_t n = c["state"];
  if (n > 128 || (n & (n - 1))) return "state must be a power of two up to 128";
  return "";
}
void tScan(const Case& c, TV& in, TV& out) {
  size_t b = size_t(c["batch"]), d = size_t(c["dim"]), l = size_t(c["len"]), n = size_t(c["state"]);
  in = {{"u", ET::F32, b * d * l},
        {"delta", ET::F32, b * d * l, Init::Uniform, 0.01f, 0.2f},
        {"A", ET::F32, d * n, Init::Uniform, -4.0f, -0.5f},
        {"B", ET::F32, b * n * l},
        {"C", ET::F32, b * n * l},
        {"D", ET::F32, d}};
  out = {{"y", ET::F32, b * d * l}};
}
double fScan(const Case& c) {
  double bdl = double(c["batch"]) * double(c["dim"]) * double(c["len"]);
  return bdl * (8.0 * double(c["state"]) + 2.0);
}
double bScan(const Case& c) {
  double b = double(c["batch"]), d = double(c["dim"]), l = double(c["len"]), n = double(c["state"]);
  return 4.0 * (3 * b * d * l + 2 * b * n * l + d * n + d);
}
int64_t uChannels(const Case& c) { return c["batch"] * c["dim"]; }
double wScan(const Case& c) { return 4.0 * double(c["len"]) * double(c["state"]); }
void rScan(const Case& c, const HostInputs& h, int64_t unit, const Emit& emit) {
  int64_t D = c["dim"], L = c["len"], N = c["state"], b = unit / D, d = unit % D;
  const float* u = h.f[0].data() + unit * L;
  const float* dt = h.f[1].data() + unit * L;
  const float* A = h.f[2].data() + d * N;
  const float* B = h.f[3].data() + b * N * L;
  const float* C = h.f[4].data() + b * N * L;
  std::vector<double> st(size_t(N), 0.0);
  for (int64_t l = 0; l < L; ++l) {
    double y = 0;
    for (int64_t n = 0; n < N; ++n) {
      st[size_t(n)] = std::exp(double(dt[l]) * A[n]) * st[size_t(n)] + double(dt[l]) * B[n * L + l] * u[l];
      y += double(C[n * L + l]) * st[size_t(n)];
    }
    emit(0, size_t(unit * L + l), y + double(h.f[5][size_t(d)]) * u[l]);
  }
}

// ---- causal depthwise conv1d: x, y [b, dim, len]; w [dim, width]; bias [dim] ----
S vConv(const Case& c) {
  S e = positive(c);
  if (!e.empty()) return e;
  if (c["width"] > 64) return "width must be at most 64";
  return "";
}
void tConv(const Case& c, TV& in, TV& out) {
  size_t b = size_t(c["batch"]), d = size_t(c["dim"]), l = size_t(c["len"]), w = size_t(c["width"]);
  in = {{"x", ET::F32, b * d * l}, {"w", ET::F32, d * w}, {"bias", ET::F32, d}};
  out = {{"y", ET::F32, b * d * l}};
}
double fConv(const Case& c) { return 2.0 * double(c["batch"]) * double(c["dim"]) * double(c["len"]) * double(c["width"]); }
double bConv(const Case& c) {
  double b = double(c["batch"]), d = double(c["dim"]), l = double(c["len"]), w = double(c["width"]);
  return 4.0 * (2 * b * d * l + d * w + d);
}
double wConv(const Case& c) { return double(c["len"]) * double(c["width"]); }
void rConv(const Case& c, const HostInputs& h, int64_t unit, const Emit& emit) {
  int64_t D = c["dim"], L = c["len"], W = c["width"], d = unit % D;
  const float* x = h.f[0].data() + unit * L;
  for (int64_t t = 0; t < L; ++t) {
    double acc = h.f[2][size_t(d)];
    for (int64_t j = 0; j < W; ++j) {
      int64_t src = t - (W - 1) + j;
      if (src >= 0) acc += double(h.f[1][size_t(d * W + j)]) * x[src];
    }
    emit(0, size_t(unit * L + t), acc);
  }
}

// ---- LUT GEMV: y[m] = sum_k scale[m, k/group] * (q[m,k] - 2^(bits-1)) * x[k], q stored as bit planes ----
// planes[bit][m][k/8]: byte j of a row holds activation groups 2j (low nibble) and 2j+1 (high nibble); bit t of a
// nibble is the weight bit for element 4*group + t. A T-MAC table holds, per group of 4 activations, the 16
// subset sums, so each plane's nibble is one table lookup.
int bitsOf(const Case& c) { return c.dtype == "int2" ? 2 : c.dtype == "int3" ? 3 : 4; }
S vLut(const Case& c) {
  S e = positive(c);
  if (!e.empty()) return e;
  if (c["k"] % 32) return "k must be a multiple of 32";
  if (c["group"] % 32 || c["k"] % c["group"]) return "group must be a multiple of 32 that divides k";
  return "";
}
void tLut(const Case& c, TV& in, TV& out) {
  size_t m = size_t(c["m"]), k = size_t(c["k"]), g = size_t(c["group"]);
  in = {{"planes", ET::U8, size_t(bitsOf(c)) * m * k / 8, Init::Bytes},
        {"scales", ET::F32, m * (k / g), Init::Uniform, 0.005f, 0.02f},
        {"x", ET::F32, k}};
  out = {{"y", ET::F32, m}};
}
double bLut(const Case& c) {
  double m = double(c["m"]), k = double(c["k"]), g = double(c["group"]);
  return double(bitsOf(c)) * m * k / 8 + 4 * m * (k / g) + 4 * k + 4 * m;
}
double wLut(const Case& c) { return double(c["k"]) * bitsOf(c); }
void rLut(const Case& c, const HostInputs& h, int64_t row, const Emit& emit) {
  int64_t m = c["m"], k = c["k"], g = c["group"];
  int bits = bitsOf(c);
  double zero = double(1 << (bits - 1)), acc = 0;
  for (int64_t kk = 0; kk < k; ++kk) {
    int q = 0;
    for (int b = 0; b < bits; ++b) {
      uint8_t byte = h.raw[0][size_t((b * m + row) * (k / 8) + kk / 8)];
      int nib = ((kk / 4) & 1) ? (byte >> 4) : (byte & 15);
      q |= ((nib >> (kk & 3)) & 1) << b;
    }
    acc += double(h.f[1][size_t(row * (k / g) + kk / g)]) * (q - zero) * double(h.f[2][size_t(kk)]);
  }
  emit(0, size_t(row), acc);
}

// ---- memcpy and empty ----
void tCopy(const Case& c, TV& in, TV& out) {
  in = {{"src", ET::U8, size_t(c["bytes"]), Init::Bytes}};
  out = {{"dst", ET::U8, size_t(c["bytes"])}};
}
double zero(const Case&) { return 0; }
double bCopy(const Case& c) { return 2.0 * double(c["bytes"]); }
int64_t uCopy(const Case& c) { return (c["bytes"] + 4095) / 4096; }
double wCopy(const Case&) { return 512; }
void rCopy(const Case& c, const HostInputs& h, int64_t unit, const Emit& emit) {
  int64_t n = c["bytes"];
  for (int64_t i = unit * 4096; i < std::min(n, (unit + 1) * 4096); ++i) emit(0, size_t(i), h.raw[0][size_t(i)]);
}
void tNone(const Case&, TV& in, TV& out) { in.clear(); out.clear(); }
int64_t uNone(const Case&) { return 0; }
void rNone(const Case&, const HostInputs&, int64_t, const Emit&) {}

using Keys = std::vector<std::pair<const char*, int64_t>>;
const Keys kGemmKeys = {{"m", 1024}, {"n", 1024}, {"k", 1024}};
const Keys kAttnKeys = {{"batch", 1}, {"heads", 32}, {"kvHeads", 8}, {"q", 512}, {"kv", 512}, {"d", 128}, {"causal", 1}};
const Keys kRowKeys = {{"rows", 4096}, {"cols", 4096}};
const Keys kElemKeys = {{"n", 16777216}};
const std::vector<const char*> kF32 = {"fp32"};
const std::vector<const char*> kF32F16 = {"fp32", "fp16"};

std::vector<KernelDef> build() {
  const double tG = 1e-4, tA = 1e-3;
  return {
      {"gemm-naive", kGemmKeys, kF32F16, {"tile=16", "tile=8", "tile=32"}, "C=A·B, one output per thread, tile x tile thread blocks (CPU: tile x tile output blocks)",
       vGemm, tGemm, fGemm, bGemm, uGemm, wGemm, rGemm, tG},
      {"gemm-smem", kGemmKeys, kF32F16, {"tile=32", "tile=16", "tile=64"}, "C=A·B through shared-memory tiles (tile=64: 64x64 block, 4x4 outputs per thread; CPU: packed B panels)",
       vGemm, tGemm, fGemm, bGemm, uGemm, wGemm, rGemm, tG},
      {"gemm-tensor", kGemmKeys, {"fp16"}, {}, "C(fp32)=A·B(fp16) with WMMA 16x16x16 tensor-core fragments; m, n, k multiples of 16",
       vGemmTensor, tGemm, fGemm, bGemm, uGemm, wGemm, rGemm, tG},
      {"gemm-blas", kGemmKeys, kF32F16, {"NN", "TN"}, "C=A·B through the vendor BLAS (cuBLAS/hipBLAS/system CBLAS, loaded at run time); TN: B stored [n,k], C=A·B^T as torch.nn.Linear",
       vGemm, tGemm, fGemm, bGemm, uGemm, wGemm, rGemm, tG},
      {"batched-gemm", {{"batch", 8}, {"m", 256}, {"n", 256}, {"k", 256}}, kF32F16, {}, "C[b]=A[b]·B[b] with the 64x64 shared-memory kernel",
       vGemm, tGemm, fGemm, bGemm, uGemm, wGemm, rGemm, tG},
      {"gemv", {{"m", 4096}, {"k", 4096}}, kF32F16, {}, "y=W·x, one warp (CPU: one thread) per row",
       vGemm, tGemv, fGemv, bGemv, uRowsM, wK, rGemv, tG},
      {"flat-gemm", {{"m", 8}, {"n", 4096}, {"k", 4096}}, kF32F16, {}, "y=x·W^T for decode (m <= 16), each weight row read once",
       vFlat, tFlat, fGemm, bFlat, uFlat, wK, rFlat, tG},
      {"attention-naive", kAttnKeys, kF32F16, {}, "scores, softmax and P·V as three passes through a materialized score matrix",
       vAttn, tAttn, fAttn, bAttn, uAttn, wAttn, rAttn, tA},
      {"attention-flash", kAttnKeys, kF32F16, {}, "tiled online softmax, K/V tiles shared by the query rows of one KV head (GQA)",
       vAttn, tAttn, fAttn, bAttn, uAttn, wAttn, rAttn, tA},
      {"softmax", kRowKeys, kF32, {}, "row-wise softmax", positive, tSoftmax, fSoftmax, bSoftmax, uRows, wRow, rSoftmax, tG},
      {"rmsnorm", kRowKeys, kF32, {}, "y = x / sqrt(mean(x^2) + 1e-6) * gamma", positive, tRms, fRms, bRms, uRows, wRow, rRms, tG},
      {"layernorm", kRowKeys, kF32, {}, "y = (x - mean) / sqrt(var + 1e-5) * gamma + beta", positive, tLn, fLn, bLn, uRows, wRow, rLn, tG},
      {"add", kElemKeys, kF32, {}, "c = a + b", positive, tBinary, fN1, bBinary, uChunks, wChunk, rAdd, tG},
      {"mul", kElemKeys, kF32, {}, "c = a * b", positive, tBinary, fN1, bBinary, uChunks, wChunk, rMul, tG},
      {"silu", kElemKeys, kF32, {}, "y = x / (1 + exp(-x))", positive, tUnary, fN4, bUnary, uChunks, wChunk, rSilu, tG},
      {"gelu", kElemKeys, kF32, {}, "y = GELU(x), tanh approximation", positive, tUnary, fN8, bUnary, uChunks, wChunk, rGelu, tG},
      {"selective-scan", {{"batch", 1}, {"dim", 1536}, {"len", 1024}, {"state", 16}}, kF32, {},
       "Mamba-1 recurrence h = exp(delta*A)*h + delta*B*u, y = C·h + D*u over len, state per channel",
       vScan, tScan, fScan, bScan, uChannels, wScan, rScan, tA},
      {"conv1d", {{"batch", 1}, {"dim", 1536}, {"len", 1024}, {"width", 4}}, kF32, {}, "causal depthwise conv1d with bias",
       vConv, tConv, fConv, bConv, uChannels, wConv, rConv, tG},
      {"lut-gemv", {{"m", 4096}, {"k", 4096}, {"group", 128}}, {"int4", "int3", "int2"}, {},
       "low-bit GEMV through T-MAC-style tables of activation subset sums (bit planes, per-group scales)",
       vLut, tLut, fGemv, bLut, uRowsM, wLut, rLut, tA},
      {"memcpy", {{"bytes", 268435456}}, kF32, {"api", "kernel"}, "device-to-device copy (api: runtime memcpy; kernel: a copy kernel)",
       positive, tCopy, zero, bCopy, uCopy, wCopy, rCopy, 0},
      {"empty", {}, kF32, {}, "an empty kernel launch (CPU: an empty fork-join of the thread pool)",
       positive, tNone, zero, zero, uNone, wChunk, rNone, 0},
  };
}

}  // namespace

const std::vector<KernelDef>& kernels() {
  static const std::vector<KernelDef> defs = build();
  return defs;
}

const KernelDef* findKernel(const std::string& name) {
  for (const auto& k : kernels())
    if (name == k.name) return &k;
  return nullptr;
}

}  // namespace kref
