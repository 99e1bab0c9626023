// CPU kernels (fp32) and the fork-join thread pool they run on. The pool has one thread per hardware thread
// (KREF_THREADS overrides); the caller is thread 0.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "kref.h"

namespace kref {
namespace cpu {

class Pool {
 public:
  explicit Pool(int n) : n_(std::max(1, n)) {
    for (int t = 1; t < n_; ++t) threads_.emplace_back([this, t] { worker(t); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> g(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  int size() const { return n_; }
  /**
   * Runs f(tid) on every thread (the caller is thread 0) and waits for all of them. An exception thrown by any
   * thread is rethrown here (the first one), after every thread has finished: no worker still runs a job whose
   * frame is gone.
   */
  void run(const std::function<void(int)>& f) {
    {
      std::lock_guard<std::mutex> g(m_);
      job_ = &f;
      pending_ = n_ - 1;
      error_ = nullptr;
      ++gen_;
    }
    cv_.notify_all();
    std::exception_ptr mine;
    try {
      f(0);
    } catch (...) {
      mine = std::current_exception();
    }
    std::unique_lock<std::mutex> g(m_);
    done_.wait(g, [this] { return pending_ == 0; });
    job_ = nullptr;
    std::exception_ptr first = mine ? mine : error_;
    error_ = nullptr;
    if (first) std::rethrow_exception(first);
  }

 private:
  void worker(int tid) {
    uint64_t seen = 0;
    while (true) {
      const std::function<void(int)>* job;
      {
        std::unique_lock<std::mutex> g(m_);
        cv_.wait(g, [&] { return stop_ || gen_ != seen; });
        if (stop_) return;
        seen = gen_;
        job = job_;
      }
      std::exception_ptr failed;
      try {
        (*job)(tid);
      } catch (...) {
        failed = std::current_exception();
      }
      std::lock_guard<std::mutex> g(m_);
      if (failed && !error_) error_ = failed;
      if (--pending_ == 0) done_.notify_one();
    }
  }
  int n_;
  std::vector<std::thread> threads_;
  std::mutex m_;
  std::condition_variable cv_, done_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t gen_ = 0;
  int pending_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
};

inline Pool& pool() {
  static Pool p([] {
    const char* env = std::getenv("KREF_THREADS");
    int n = env ? std::atoi(env) : int(std::thread::hardware_concurrency());
    return n > 0 ? n : 1;
  }());
  return p;
}

/** f(begin, end) over [0, n) in chunks handed out dynamically to all threads. */
template <typename F>
inline void parallelFor(int64_t n, F f, int64_t grain = 1) {
  if (n <= 0) return;
  int threads = pool().size();
  int64_t chunk = std::max<int64_t>(grain, n / (int64_t(threads) * 8));
  std::atomic<int64_t> next{0};
  pool().run([&](int) {
    while (true) {
      int64_t b = next.fetch_add(chunk);
      if (b >= n) return;
      f(b, std::min(n, b + chunk));
    }
  });
}

inline float dot(const float* __restrict a, const float* __restrict b, int64_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += a[i + j] * b[i + j];
  float s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

inline void axpy(float a, const float* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += a * x[i];
}

template <typename F>
inline void elementwise(int64_t n, F f) {
  parallelFor(n, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) f(i);
  }, 16384);
}


// ---- attention: Q[b,h,q,d], K/V[b,kvh,kv,d] ----
struct AttnDims {
  int64_t B, H, KVH, Q, KV, D;
  bool causal;
  explicit AttnDims(const Case& c)
      : B(c["batch"]), H(c["heads"]), KVH(c["kvHeads"]), Q(c["q"]), KV(c["kv"]), D(c["d"]), causal(c["causal"] != 0) {}
  int64_t limit(int64_t i) const { return causal ? KV - Q + i : KV - 1; }  // last key row i may see
  int64_t kvOffset(int64_t row) const {  // row = (b*H + h)*Q + i
    int64_t b = row / (H * Q), h = (row / Q) % H;
    return (b * KVH + h / (H / KVH)) * KV * D;
  }
};


void gemmNaive(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k, int64_t T);
void gemmPacked(const float* A, const float* B, float* C, int64_t batch, int64_t m, int64_t n, int64_t k, int64_t MB);
void attentionNaive(const AttnDims& a, const float* Q, const float* K, const float* V, float* O, float* S);
void attentionFlash(const AttnDims& a, const float* Q, const float* K, const float* V, float* O);
void softmaxRows(const float* x, float* y, int64_t rows, int64_t cols);
void rmsnormRows(const float* x, const float* g, float* y, int64_t rows, int64_t cols);
void layernormRows(const float* x, const float* g, const float* bt, float* y, int64_t rows, int64_t cols);
void selectiveScan(const Case& c, const float* u, const float* dt, const float* A, const float* B, const float* C, const float* Dv, float* y);
void conv1d(const Case& c, const float* x, const float* w, const float* bias, float* y);
void lutGemv(const Case& c, const uint8_t* planes, const float* scales, const float* x, float* y, float* lut);

}  // namespace cpu
}  // namespace kref
