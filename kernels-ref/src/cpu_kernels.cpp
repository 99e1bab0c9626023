// CPU kernels: blocked GEMMs, attention (naive and flash), row-wise ops, selective scan, conv1d, LUT GEMV.
#include "cpu_kernels.h"

#include <cstring>

namespace kref {
namespace cpu {

// ---- GEMM ----
void gemmNaive(const float* A, const float* B, float* C, int64_t m, int64_t n, int64_t k, int64_t T) {
  int64_t tm = (m + T - 1) / T, tn = (n + T - 1) / T;
  parallelFor(tm * tn, [&](int64_t b, int64_t e) {
    std::vector<float> acc(size_t(T * T));
    for (int64_t t = b; t < e; ++t) {
      int64_t i0 = (t / tn) * T, j0 = (t % tn) * T, i1 = std::min(m, i0 + T), j1 = std::min(n, j0 + T);
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t kk = 0; kk < k; ++kk) {
          float a = A[i * k + kk];
          float* row = acc.data() + (i - i0) * T;
          for (int64_t j = j0; j < j1; ++j) row[j - j0] += a * B[kk * n + j];
        }
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = j0; j < j1; ++j) C[i * n + j] = acc[size_t((i - i0) * T + j - j0)];
    }
  });
}

/** Blocked GEMM with packed B panels (the CPU's "shared memory"): MB rows x 256 columns per task, 256-deep panels. */
void gemmPacked(const float* A, const float* B, float* C, int64_t batch, int64_t m, int64_t n, int64_t k, int64_t MB) {
  const int64_t NB = 256, KC = 256;
  int64_t bm = (m + MB - 1) / MB, bn = (n + NB - 1) / NB;
  parallelFor(batch * bm * bn, [&](int64_t b, int64_t e) {
    std::vector<float> pk(size_t(KC * NB)), acc(size_t(MB * NB));
    for (int64_t t = b; t < e; ++t) {
      int64_t bi = t / (bm * bn), i0 = ((t / bn) % bm) * MB, j0 = (t % bn) * NB;
      int64_t i1 = std::min(m, i0 + MB), nj = std::min(n, j0 + NB) - j0;
      const float* Ab = A + bi * m * k;
      const float* Bb = B + bi * k * n;
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t k0 = 0; k0 < k; k0 += KC) {
        int64_t nk = std::min(k, k0 + KC) - k0;
        for (int64_t kk = 0; kk < nk; ++kk) std::memcpy(&pk[size_t(kk * NB)], Bb + (k0 + kk) * n + j0, size_t(nj) * 4);
        for (int64_t i = i0; i < i1; ++i) {
          float* __restrict row = acc.data() + (i - i0) * NB;
          for (int64_t kk = 0; kk < nk; ++kk) {
            float a = Ab[i * k + k0 + kk];
            const float* __restrict p = &pk[size_t(kk * NB)];
            for (int64_t j = 0; j < nj; ++j) row[j] += a * p[j];
          }
        }
      }
      for (int64_t i = i0; i < i1; ++i) std::memcpy(C + bi * m * n + i * n + j0, acc.data() + (i - i0) * NB, size_t(nj) * 4);
    }
  });
}

void attentionNaive(const AttnDims& a, const float* Q, const float* K, const float* V, float* O, float* S) {
  int64_t rows = a.B * a.H * a.Q;
  float scale = 1.0f / std::sqrt(float(a.D));
  parallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* k = K + a.kvOffset(r);
      int64_t lim = a.limit(r % a.Q);
      for (int64_t j = 0; j < a.KV; ++j) S[r * a.KV + j] = j <= lim ? scale * dot(Q + r * a.D, k + j * a.D, a.D) : -INFINITY;
    }
  });
  parallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      float* s = S + r * a.KV;
      float mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < a.KV; ++j) mx = std::max(mx, s[j]);
      for (int64_t j = 0; j < a.KV; ++j) sum += (s[j] = std::exp(s[j] - mx));
      for (int64_t j = 0; j < a.KV; ++j) s[j] /= sum;
    }
  });
  parallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* v = V + a.kvOffset(r);
      float* o = O + r * a.D;
      std::fill(o, o + a.D, 0.0f);
      for (int64_t j = 0; j < a.KV; ++j) axpy(S[r * a.KV + j], v + j * a.D, o, a.D);
    }
  });
}

void attentionFlash(const AttnDims& a, const float* Q, const float* K, const float* V, float* O) {
  const int64_t BQ = 16, BK = 64;
  int64_t qBlocks = (a.Q + BQ - 1) / BQ;
  float scale = 1.0f / std::sqrt(float(a.D));
  parallelFor(a.B * a.H * qBlocks, [&](int64_t b, int64_t e) {
    std::vector<float> acc(size_t(BQ * a.D)), s(BK);
    float m[BQ], l[BQ];
    for (int64_t t = b; t < e; ++t) {
      int64_t bh = t / qBlocks, i0 = (t % qBlocks) * BQ, i1 = std::min(a.Q, i0 + BQ);
      int64_t row0 = bh * a.Q + i0;
      const float* k = K + a.kvOffset(row0);
      const float* v = V + a.kvOffset(row0);
      std::fill(acc.begin(), acc.end(), 0.0f);
      for (int64_t i = 0; i < BQ; ++i) { m[i] = -INFINITY; l[i] = 0; }
      int64_t last = a.limit(i1 - 1);
      for (int64_t j0 = 0; j0 <= last; j0 += BK) {
        int64_t j1 = std::min(last + 1, j0 + BK);
        for (int64_t i = i0; i < i1; ++i) {
          int64_t lim = std::min(a.limit(i), j1 - 1);
          if (lim < j0) continue;
          const float* q = Q + (bh * a.Q + i) * a.D;
          float mx = m[i - i0];
          for (int64_t j = j0; j <= lim; ++j) mx = std::max(mx, s[size_t(j - j0)] = scale * dot(q, k + j * a.D, a.D));
          float alpha = std::exp(m[i - i0] - mx);
          float* o = acc.data() + (i - i0) * a.D;
          for (int64_t dd = 0; dd < a.D; ++dd) o[dd] *= alpha;
          float sum = 0;
          for (int64_t j = j0; j <= lim; ++j) {
            float p = std::exp(s[size_t(j - j0)] - mx);
            sum += p;
            axpy(p, v + j * a.D, o, a.D);
          }
          l[i - i0] = l[i - i0] * alpha + sum;
          m[i - i0] = mx;
        }
      }
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t dd = 0; dd < a.D; ++dd) O[(bh * a.Q + i) * a.D + dd] = acc[size_t((i - i0) * a.D + dd)] / l[i - i0];
    }
  });
}

// ---- row-wise ----
void softmaxRows(const float* x, float* y, int64_t rows, int64_t cols) {
  parallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      float mx = -INFINITY, sum = 0;
      for (int64_t j = 0; j < cols; ++j) mx = std::max(mx, xr[j]);
      for (int64_t j = 0; j < cols; ++j) sum += (yr[j] = std::exp(xr[j] - mx));
      float inv = 1.0f / sum;
      for (int64_t j = 0; j < cols; ++j) yr[j] *= inv;
    }
  });
}

void rmsnormRows(const float* x, const float* g, float* y, int64_t rows, int64_t cols) {
  parallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * cols;
      float inv = 1.0f / std::sqrt(dot(xr, xr, cols) / float(cols) + 1e-6f);
      for (int64_t j = 0; j < cols; ++j) y[r * cols + j] = xr[j] * inv * g[j];
    }
  });
}

void layernormRows(const float* x, const float* g, const float* bt, float* y, int64_t rows, int64_t cols) {
  parallelFor(rows, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * cols;
      float sum = 0;
      for (int64_t j = 0; j < cols; ++j) sum += xr[j];
      float mean = sum / float(cols), var = 0;
      for (int64_t j = 0; j < cols; ++j) var += (xr[j] - mean) * (xr[j] - mean);
      float inv = 1.0f / std::sqrt(var / float(cols) + 1e-5f);
      for (int64_t j = 0; j < cols; ++j) y[r * cols + j] = (xr[j] - mean) * inv * g[j] + bt[j];
    }
  });
}

void selectiveScan(const Case& c, const float* u, const float* dt, const float* A, const float* B, const float* C, const float* Dv, float* y) {
  int64_t Dd = c["dim"], L = c["len"], N = c["state"];
  parallelFor(c["batch"] * Dd, [&](int64_t b0, int64_t e0) {
    std::vector<float> h(static_cast<size_t>(N)), a(static_cast<size_t>(N));
    for (int64_t ch = b0; ch < e0; ++ch) {
      int64_t b = ch / Dd, d = ch % Dd;
      std::fill(h.begin(), h.end(), 0.0f);
      for (int64_t n = 0; n < N; ++n) a[size_t(n)] = A[d * N + n];
      const float* Bb = B + b * N * L;
      const float* Cb = C + b * N * L;
      for (int64_t l = 0; l < L; ++l) {
        float d_ = dt[ch * L + l], uu = u[ch * L + l], acc = 0;
        for (int64_t n = 0; n < N; ++n) {
          h[size_t(n)] = std::exp(d_ * a[size_t(n)]) * h[size_t(n)] + d_ * Bb[n * L + l] * uu;
          acc += Cb[n * L + l] * h[size_t(n)];
        }
        y[ch * L + l] = acc + Dv[d] * uu;
      }
    }
  });
}

void conv1d(const Case& c, const float* x, const float* w, const float* bias, float* y) {
  int64_t Dd = c["dim"], L = c["len"], W = c["width"];
  parallelFor(c["batch"] * Dd, [&](int64_t b0, int64_t e0) {
    for (int64_t ch = b0; ch < e0; ++ch) {
      int64_t d = ch % Dd;
      const float* xr = x + ch * L;
      for (int64_t t = 0; t < L; ++t) {
        float acc = bias[d];
        for (int64_t j = std::max<int64_t>(0, W - 1 - t); j < W; ++j) acc += w[d * W + j] * xr[t - (W - 1) + j];
        y[ch * L + t] = acc;
      }
    }
  });
}

void lutGemv(const Case& c, const uint8_t* planes, const float* scales, const float* x, float* y, float* lut) {
  int64_t m = c["m"], k = c["k"], g = c["group"];
  int bits = c.dtype == "int2" ? 2 : c.dtype == "int3" ? 3 : 4;
  float zero = float(1 << (bits - 1));
  parallelFor(k / 4, [&](int64_t b, int64_t e) {
    for (int64_t grp = b; grp < e; ++grp) {
      float* t = lut + grp * 16;
      t[0] = 0;
      for (int p = 1; p < 16; ++p) t[p] = t[p & (p - 1)] + x[grp * 4 + __builtin_ctz(unsigned(p))];
    }
  });
  int64_t kb = k / 8;
  parallelFor(m, [&](int64_t b, int64_t e) {
    for (int64_t row = b; row < e; ++row) {
      float acc = 0;
      for (int64_t j = 0; j < kb; ++j) {
        const float* t0 = lut + 32 * j;
        const float* t1 = t0 + 16;
        float s = 0;
        for (int bit = 0; bit < bits; ++bit) {
          uint8_t byte = planes[(bit * m + row) * kb + j];
          s += float(1 << bit) * (t0[byte & 15] + t1[byte >> 4]);
        }
        s -= zero * (t0[15] + t1[15]);
        acc += scales[row * (k / g) + (8 * j) / g] * s;
      }
      y[row] = acc;
    }
  });
}

}  // namespace cpu
}  // namespace kref
