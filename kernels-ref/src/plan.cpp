// Plan lines: {"kernel":..., "shape":{...}, "dtype":..., "variant":...} resolved against the kernel registry.
#include <algorithm>
#include <cmath>
#include <string>

#include "harness.h"
#include "json.h"

namespace kref {
namespace {

const char* kNotHere[] = {"gemm", "silu-mul", "rope", "embedding", "all-reduce", "send-recv"};

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string joinNames(const std::vector<const char*>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::string(v[i]);
  return s;
}

/** Resolves one plan line into a Case, or returns why it cannot. */
}  // namespace

std::string parseCase(const std::string& line, Case& c) {
  json::Value v;
  std::string err;
  if (!json::parse(line, v, err)) return "invalid JSON: " + err;
  if (v.type != json::Value::Object) return std::string("a plan line must be a JSON object, found ") + v.typeName();
  for (const auto& kv : v.o)
    if (kv.first != "kernel" && kv.first != "shape" && kv.first != "dtype" && kv.first != "variant")
      return "unknown key '" + kv.first + "' (expected kernel, shape, dtype, variant)";
  const json::Value* k = v.get("kernel");
  if (!k || k->type != json::Value::String) return "missing \"kernel\" (a string)";
  c.def = findKernel(k->s);
  if (!c.def) {
    for (const char* n : kNotHere)
      if (k->s == n) return "kernel '" + k->s + "' is not run by kernels-ref (it comes from public datasets)";
    std::string best;
    size_t bestD = 1u << 30;
    for (const auto& d : kernels()) {
      size_t e = editDistance(k->s, d.name);
      if (e < bestD) { bestD = e; best = d.name; }
    }
    return "unknown kernel '" + k->s + "'; closest is '" + best + "'";
  }
  const KernelDef& def = *c.def;
  c.shape.clear();
  for (const auto& key : def.keys) c.shape.emplace_back(key.first, key.second);
  if (const json::Value* s = v.get("shape")) {
    if (s->type != json::Value::Object) return std::string("\"shape\" must be an object, found ") + s->typeName();
    for (const auto& kv : s->o) {
      auto it = std::find_if(c.shape.begin(), c.shape.end(), [&](const auto& p) { return p.first == kv.first; });
      if (it == c.shape.end()) {
        std::vector<const char*> names;
        for (const auto& key : def.keys) names.push_back(key.first);
        return "unknown shape key '" + kv.first + "' for " + def.name + " (expected " + (names.empty() ? std::string("none") : joinNames(names)) + ")";
      }
      if (kv.second.type != json::Value::Number || !std::isfinite(kv.second.n) || kv.second.n != std::floor(kv.second.n) || kv.second.n < 0 ||
          kv.second.n > 9.007199254740992e15)
        return "shape." + kv.first + " must be a non-negative integer";
      it->second = int64_t(kv.second.n);
    }
  }
  c.dtype = def.dtypes[0];
  if (const json::Value* d = v.get("dtype")) {
    if (d->type != json::Value::String) return "\"dtype\" must be a string";
    if (std::find_if(def.dtypes.begin(), def.dtypes.end(), [&](const char* x) { return d->s == x; }) == def.dtypes.end())
      return std::string(def.name) + " has no dtype '" + d->s + "' (expected " + joinNames(def.dtypes) + ")";
    c.dtype = d->s;
  }
  c.variant = def.variants.empty() ? "" : def.variants[0];
  if (const json::Value* vr = v.get("variant")) {
    if (vr->type != json::Value::String) return "\"variant\" must be a string";
    if (def.variants.empty()) {
      if (!vr->s.empty()) return std::string(def.name) + " has no variants (got '" + vr->s + "')";
    } else if (std::find_if(def.variants.begin(), def.variants.end(), [&](const char* x) { return vr->s == x; }) == def.variants.end()) {
      return std::string(def.name) + " has no variant '" + vr->s + "' (expected " + joinNames(def.variants) + ")";
    } else {
      c.variant = vr->s;
    }
  }
  return def.validate(c);
}

}  // namespace kref
