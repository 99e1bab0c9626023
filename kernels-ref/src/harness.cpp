// kref: the one command line of every backend.
//   kref info                      device JSON
//   kref list                      one JSON line per kernel: shape keys with defaults, dtypes, variants, support
//   kref plan [--quick]            a default sweep for this backend, as plan lines
//   kref run [options] < plan      one measurement (or error) line per plan line, flushed as it goes
// Each plan line is {"kernel":..., "shape":{...}, "dtype":..., "variant":...}; see README.md.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "harness.h"
#include "json.h"

using namespace kref;

namespace {

const char* kUsage =
    "usage: kref info|list|plan|run [options]\n"
    "  info                 the device as JSON\n"
    "  list                 kernels, their shape keys (with defaults), dtypes and variants, as JSON lines\n"
    "  plan [--quick]       a default sweep for this backend, as plan lines\n"
    "  run                  read plan lines {\"kernel\",\"shape\",\"dtype\",\"variant\"} from stdin, write one\n"
    "                       measurement (genz.measurement.v1) or {\"error\",\"line\"} line per plan line\n"
    "options: --repeats N (20)  --warmup N (3)  --seed S (1)  --quick (repeats 5, warmup 1)\n"
    "         --max-seconds S (20, per line)  --device N (GPU index, 0)  --device-id ID (genz preset id)\n"
    "         --graph (GPU backends: time each batch as one CUDA/HIP graph replay, without the host's dispatch\n"
    "         between calls; rows carry \"timing\":\"graph-replay\"; HIP untested on a GPU)\n"
    "exit: 0 done (error lines included), 2 bad command line, 3 no device, 4 a line left the device unusable\n"
    "      (its error line is written; run the rest in a fresh process)\n";

// Kernels of the measurement schema that kernels-ref does not run (they come from public datasets).
std::string errorLine(const std::string& msg, long line, const Case* c) {
  json::Obj o;
  o.str("error", msg).num("line", double(line));
  if (c && c->def) o.str("kernel", c->def->name);
  return o.done();
}

/** Device allocations of one case, released on every path out. */
}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2) { std::fputs(kUsage, stderr); return 2; }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") { std::fputs(kUsage, stdout); return 0; }
  Options opt;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&](const char* what) -> std::string {
      if (i + 1 >= argc) { std::fprintf(stderr, "kref: %s needs %s\n", a.c_str(), what); std::exit(2); }
      return argv[++i];
    };
    auto integer = [&](const std::string& s, long lo) -> long {
      char* end = nullptr;
      long v = std::strtol(s.c_str(), &end, 10);
      if (s.empty() || *end || v < lo) { std::fprintf(stderr, "kref: %s needs an integer >= %ld, got '%s'\n", a.c_str(), lo, s.c_str()); std::exit(2); }
      return v;
    };
    if (a == "--repeats") { opt.repeats = int(integer(next("a count"), 1)); opt.repeatsSet = true; }
    else if (a == "--warmup") { opt.warmup = int(integer(next("a count"), 0)); opt.warmupSet = true; }
    else if (a == "--seed") opt.seed = uint64_t(integer(next("a seed"), 0));
    else if (a == "--device") opt.device = int(integer(next("an index"), 0));
    else if (a == "--device-id") opt.deviceId = next("an id");
    else if (a == "--max-seconds") opt.maxSeconds = double(integer(next("seconds"), 1));
    else if (a == "--quick") opt.quick = true;
    else if (a == "--graph") opt.graph = true;
    else { std::fprintf(stderr, "kref: unknown option '%s'\n%s", a.c_str(), kUsage); return 2; }
  }
  if (opt.quick) {
    if (!opt.repeatsSet) opt.repeats = 5;
    if (!opt.warmupSet) opt.warmup = 1;
  }
  if (cmd != "info" && cmd != "list" && cmd != "plan" && cmd != "run") { std::fprintf(stderr, "kref: unknown command '%s'\n%s", cmd.c_str(), kUsage); return 2; }

  std::unique_ptr<Backend> be = makeBackend();
  std::string openErr = be->open(opt.device);
  if (cmd == "list") {
    for (const auto& d : kernels()) {
      json::Obj o, shape;
      o.str("kernel", d.name);
      for (const auto& k : d.keys) shape.num(k.first, double(k.second));
      o.raw("shape", shape.done());
      std::vector<std::string> dts, vars;
      std::string why;
      for (const char* dt : d.dtypes) {
        Case c;
        c.def = &d;
        for (const auto& k : d.keys) c.shape.emplace_back(k.first, k.second);
        c.dtype = dt;
        c.variant = d.variants.empty() ? "" : d.variants[0];
        std::string r = be->supports(c);
        if (r.empty()) dts.push_back(json::quote(dt));
        else if (why.empty()) why = r;
      }
      for (const char* v : d.variants) vars.push_back(json::quote(v));
      o.raw("dtypes", json::array(dts)).raw("variants", json::array(vars)).boolean("supported", !dts.empty());
      if (dts.empty()) o.str("reason", why);
      o.str("about", d.about);
      std::cout << o.done() << "\n";
    }
    std::cout.flush();
    return 0;
  }
  if (cmd == "plan") {  // needs no device
    for (const auto& l : defaultPlan(*be, opt.quick)) std::cout << l << "\n";
    std::cout.flush();
    return 0;
  }
  if (!openErr.empty()) {
    std::cout << json::Obj().str("error", openErr).num("line", 0).done() << std::endl;
    return 3;
  }
  if (opt.graph && cmd == "run" && !be->graphSupport().empty()) {
    std::fprintf(stderr, "kref: --graph: %s\n", be->graphSupport().c_str());
    return 2;
  }
  if (cmd == "info") {
    const DeviceInfo& d = be->info();
    json::Obj o;
    o.str("name", d.name).str("backend", d.backend).num("computeUnits", d.computeUnits).num("clockHz", d.clockHz).num("memoryBytes", d.memoryBytes);
    o.str("driver", d.driver).str("runtime", d.runtime).num("llcBytes", double(d.llcBytes));
    std::cout << o.done() << std::endl;
    return 0;
  }
  std::string line;
  long lineNo = 0;
  while (std::getline(std::cin, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    Case c;
    std::string out;
    std::string err = parseCase(line, c);
    if (err.empty()) err = be->supports(c);
    if (err.empty()) {
      uint64_t s = opt.seed ^ (uint64_t(lineNo) * 0x9E3779B97F4A7C15ull);
      try {
        out = measure(*be, c, opt, splitmix(s));
      } catch (const std::exception& e) {
        err = e.what();
      }
    }
    // A fault that leaves the device unusable (CUDA's sticky errors, such as an illegal address) would fail every
    // later line too: say so and stop with exit 4, so that a caller restarts a fresh process after this line.
    // A sticky error survives both syncs (gpuGetLastError clears a non-sticky one). Test hook: KREF_INJECT_LOST=<kernel>
    // plays a device loss on that kernel's lines, so callers' restart paths can be tested without a GPU.
    const char* inject = std::getenv("KREF_INJECT_LOST");
    bool lost = !err.empty() && !be->sync().empty() && !be->sync().empty();
    if (inject && c.def && std::string(inject) == c.def->name) { err = "injected device loss (KREF_INJECT_LOST)"; lost = true; }
    if (lost) err += " (the device is left unusable; kref stops, exit 4)";
    std::cout << (err.empty() ? out : errorLine(err, lineNo, c.def ? &c : nullptr)) << std::endl;  // flushed per line
    if (lost) return 4;
  }
  return 0;
}
