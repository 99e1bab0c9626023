// Shared by the harness files: options, plan-line parsing, measuring one case, and the default sweep.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kref.h"

namespace kref {

/** Command-line options of `kref run`. */
struct Options {
  int repeats = 20, warmup = 3, device = 0;
  bool repeatsSet = false, warmupSet = false, quick = false;
  bool graph = false;      // time graph replays of each batch (GPU backends): device time without the host's dispatch
  uint64_t seed = 1;
  double maxSeconds = 20;  // per plan line: repeats are cut (to at least 3) when a line would take longer
  std::string deviceId;
};

/** Resolves one plan line into a Case; returns "" or why it cannot. */
std::string parseCase(const std::string& line, Case& c);
/** Correctness check, then timing, of one case; returns the measurement line or throws with the reason. */
std::string measure(Backend& be, const Case& c, const Options& opt, uint64_t seed);
/** A default sweep for this backend as plan lines: small with quick, smaller GEMMs on the CPU. */
std::vector<std::string> defaultPlan(Backend& be, bool quick);
uint64_t splitmix(uint64_t& state);

}  // namespace kref
