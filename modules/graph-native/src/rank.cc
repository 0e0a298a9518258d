// cyber•rank native engine (node-addon-api). Same integer algorithm, bit for bit, as the
// TypeScript fallback in modules/graph/rank/internal/fallback.ts; semantics of go-cyber
// x/rank/keeper/calculate_cpu.go (cyber mode) and x/rank/cuda/rank.cu (compressed in-links),
// plus standard PageRank (pagerank mode). See docs/graph-rank.md.
//
// Fixed point (modules/graph/rank/internal/fixed.ts): ranks and weights u64 in 2^-63 units,
// damping u64 in 2^-64 units. A row sum T = Σ prev[src] * w is exact in 128 bits (modulo 2^128);
// then next = round(round(T / 2^63) * d / 2^64) + K, rounding to nearest with ties up. All
// arithmetic is integer and sums are exact, so the result does not depend on ISA (scalar / AVX2 /
// AVX-512) or thread count, and the max-delta reduction is a max.
//
// The calculation runs in a Napi::AsyncWorker (libuv thread pool) and fans out to std::threads;
// the JavaScript thread is never blocked.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define GN_X86 1
#endif

namespace {

using u64 = uint64_t;
using u32 = uint32_t;
using u128 = unsigned __int128;

// x / 2^s rounded to nearest, ties up (1 <= s <= 127), as a u128.
inline u128 round_shr(u128 x, int s) { return (x >> s) + ((x >> (s - 1)) & 1); }
// round(x * d / 2^64) for a Q64 damping d: below 2^64 since d < 2^64.
inline u64 mulq64(u64 x, u64 d) { return (u64)round_shr((u128)x * d, 64); }
constexpr u64 ONE_Q63 = 1ULL << 63;

enum Isa { ISA_SCALAR = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

int best_isa() {
#ifdef GN_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ISA_AVX512;
  if (__builtin_cpu_supports("avx2")) return ISA_AVX2;
#endif
  return ISA_SCALAR;
}

const char* isa_name(int isa) { return isa == ISA_AVX512 ? "avx512" : isa == ISA_AVX2 ? "avx2" : "scalar"; }

// ---- compressed graph (mirrors compress() in fallback.ts) ----

// Allocator for the per-calculation arrays of links and particles: blocks of 4 MiB and more are
// 2 MiB aligned and marked for transparent huge pages. Fresh memory costs a page fault on first
// touch; on the development VM that was 13 us per 4 KiB page, 0.6 s of a 0.9 s preparation on
// R-MAT 2^20 (docs/performance.md), and 2 MiB pages need 512 times fewer faults.
template <typename T>
struct HugeAlloc {
  using value_type = T;
  HugeAlloc() = default;
  template <typename U>
  HugeAlloc(const HugeAlloc<U>&) {}
  T* allocate(size_t count) {
    const size_t bytes = count * sizeof(T);
    void* p = nullptr;
    if (bytes >= (size_t(4) << 20)) {
      const size_t huge = size_t(2) << 20;
      p = std::aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
#ifdef MADV_HUGEPAGE
      if (p != nullptr) madvise(p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
    } else {
      p = std::malloc(bytes == 0 ? 1 : bytes);
    }
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t) { std::free(p); }
  template <typename U>
  bool operator==(const HugeAlloc<U>&) const { return true; }
  template <typename U>
  bool operator!=(const HugeAlloc<U>&) const { return false; }
};
template <typename T>
using big_vector = std::vector<T, HugeAlloc<T>>;

struct Compressed {
  big_vector<u32> off, src, dang;
  big_vector<u64> w;   // 2^-63 units, at most 2^63
  big_vector<u64> ls;  // each pair's stake (Σ stake/neudeg of its links' neurons), kept for the next calculation
  big_vector<uint8_t> has_in;
};

// Software prefetch distance (links ahead) for the random reads of prev[src[k]].
constexpr u64 PF = 24;
#ifdef GN_NO_PREFETCH
#define GN_PREFETCH(p) ((void)0)
#else
#define GN_PREFETCH(p) __builtin_prefetch(p)
#endif

// Weights: round(ls * 2^63 / o) for a pair's stake ls and its source's out-stake o (ties up),
// 0 when ls or o is 0, 1 (2^63) when ls >= o (only with go's uint64 wrap, or a source's only
// pair). A 128-by-64-bit divide per pair cost about 9 ns, most of the preparation
// (docs/performance.md), so each source's out-stake gets a reciprocal once and every pair
// divides by multiplication: Möller & Granlund, "Improved division by invariant integers"
// (IEEE Trans. Computers 60(2), 2011), algorithm 4, which returns the exact quotient and
// remainder (the same as a divide instruction), so the weights do not change (the native and
// fallback engines are compared bit for bit in test/graph).
struct Recip {
  u64 o;  // the out-stake
  u64 v;  // floor((2^128 - 1) / d) - 2^64 for d = o << clz(o); 0 when o = 0
};

// floor((hi * 2^64 + lo) / d) for hi < d: one divide instruction on x86-64.
inline u64 div_2by1(u64 hi, u64 lo, u64 d) {
#ifdef GN_X86
  u64 q, r;
  __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d));
  (void)r;
  return q;
#else
  return (u64)((((u128)hi << 64) | lo) / d);
#endif
}

inline Recip recip_of(u64 o) {
  if (o == 0) return {0, 0};
  const u64 d = o << __builtin_clzll(o);
  return {o, div_2by1(~d, ~u64(0), d)};  // (2^128 - 1 - d * 2^64) / d; ~d < d as d >= 2^63
}

inline u64 weight_of(u64 ls, Recip rc) {
  const u64 o = rc.o;
  // Branch-free: which case applies is data-dependent and mispredicted about half the time.
  const bool zero = (ls == 0) | (o == 0);
  const bool one = ls >= o;
  // normalize: d = o * 2^s has its top bit set; the dividend ls * 2^63 * 2^s = (u1, u0) with
  // u1 = (ls << s) >> 1 < d. Quotient unchanged, remainder scaled by 2^s. (With o = 0 or
  // ls >= o the arithmetic below is meaningless and its result discarded.)
  const int s = __builtin_clzll(o | 1);
  const u64 d = o << s, l = (one ? 0 : ls) << s, u1 = l >> 1, u0 = l << 63;
  const u128 p = (u128)rc.v * u1 + (((u128)u1 << 64) | u0);
  const u64 q0 = (u64)p;
  u64 q = (u64)(p >> 64) + 1;
  u64 r = u0 - q * d;
  const u64 adjust = -(u64)(r > q0);  // taken about half the time: masks, not a branch
  q += adjust;
  r += d & adjust;
  if (__builtin_expect(r >= d && d != 0, 0)) {  // rare
    q++;
    r -= d;
  }
  const u64 w = q + (r >= d - r ? 1 : 0);  // 2 * remainder >= o, the remainder times 2^s being r
  return zero ? 0 : one ? ONE_Q63 : w;
}

template <typename F>
void parallel(int T, F&& f) {
  if (T <= 1) {
    f(0);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(T - 1);
  for (int i = 1; i < T; i++) pool.emplace_back([&f, i] { f(i); });
  f(0);
  for (auto& th : pool) th.join();
}

// Split [0, n) into T ranges of about equal (links + particles) by a prefix array.
std::vector<u32> balance(const u32* off, u32 n, int T) {
  std::vector<u32> bounds(T + 1, n);
  bounds[0] = 0;
  const u64 total = (u64)off[n] + n;
  for (int i = 1; i < T; i++) {
    const u64 target = total * i / T;
    u32 lo = bounds[i - 1], hi = n;
    while (lo < hi) {
      const u32 mid = lo + (hi - lo) / 2;
      if ((u64)off[mid] + mid < target) lo = mid + 1;
      else hi = mid;
    }
    bounds[i] = lo;
  }
  return bounds;
}

// Per-calculation temporaries of compress(), kept with the other buffers for the next one.
struct PrepScratch {
  std::vector<std::vector<u32>> deg_part;  // links per neuron, one array per thread
  std::vector<big_vector<u64>> os_part;    // out-stake partial sums, one array per thread
  big_vector<u32> pc;                      // pairs per target
  std::vector<u64> norm;                   // stake / links per neuron (go-cyber's getNormalizedStake)
  big_vector<Recip> rec;                   // per source: out-stake and its reciprocal
};

// Compressed in-links, weights as in compress() of fallback.ts. Pairs whose weight is 0 stay in
// place here (they add 0; the fallback drops them): same ranks, and every pass runs in parallel.
// Integer sums, so the result does not depend on T. Passes:
//   0. every link once: range check (the snapshot's particle and neuron numbers are untrusted
//      input), links per neuron, distinct sources (pairs) per target. Skipped when the snapshot
//      carries both counts (SnapshotBuilder keeps them up to date as links arrive); pass 1 then
//      checks the ranges and the counts, so a snapshot whose counts lie is rejected, and no
//      write leaves its target's pairs;
//   1. every link: each pair's source and stake (Σ stake/neudeg of its neurons), each source's
//      out-stake (a partial sum per thread);
//   2. every pair: its weight from its stake and its source's reciprocal (no divide); without
//      relabelling this pass is the first sweep (sweep_first), which then reads no ranks.
// Returns "" or what is wrong with the snapshot (out-of-range link as the JavaScript validator
// words it, or counts that disagree with the links).
std::string compress(u32 n, u32 m, const u32* in_off, const u32* in_from, const u32* in_neuron, const u64* stakes,
                     const u32* given_pc, const u32* given_deg, int T, Compressed& g, PrepScratch& s, double* steps,
                     bool weights) {
  using clk = std::chrono::steady_clock;
  const auto t0 = clk::now();
  const auto mark = [&](int i) { steps[i] = std::chrono::duration<double, std::milli>(clk::now() - t0).count(); };
  const u64 L = in_off[n];
  const bool given = given_pc != nullptr && given_deg != nullptr;
  const std::vector<u32> bounds = balance(in_off, n, T);
  if (s.deg_part.size() < size_t(T)) s.deg_part.resize(T);
  if (s.os_part.size() < size_t(T)) s.os_part.resize(T);
  g.has_in.resize(n);
  std::vector<u64> bad(T, ~u64(0));  // first out-of-range link per thread
  const auto range_error = [&]() -> std::string {
    for (int i = 0; i < T; i++)
      if (bad[i] != ~u64(0)) {
        const u64 k = bad[i];
        return in_from[k] >= n ? "link " + std::to_string(k) + " comes from particle " + std::to_string(in_from[k]) +
                                     ", out of range (particles = " + std::to_string(n) + ")"
                               : "link " + std::to_string(k) + " names neuron " + std::to_string(in_neuron[k]) +
                                     ", out of range (neurons = " + std::to_string(m) + ")";
      }
    return "";
  };
  const u32* pc = given_pc;
  if (!given) {
    s.pc.resize(n);
    parallel(T, [&](int i) {
      std::vector<u32>& deg = s.deg_part[i];
      deg.assign(m, 0);
      for (u32 t = bounds[i]; t < bounds[i + 1]; t++) {
        const u64 o0 = in_off[t], o1 = in_off[t + 1];
        u32 pairs = 0;
        u32 prev = ~u32(0);
        for (u64 k = o0; k < o1; k++) {
          const u32 f = in_from[k], u = in_neuron[k];
          if (f >= n || u >= m) {
            bad[i] = k;
            return;
          }
          deg[u]++;
          pairs += (f != prev) | (k == o0);
          prev = f;
        }
        s.pc[t] = pairs;
      }
    });
    const std::string e = range_error();
    if (!e.empty()) return e;
    pc = s.pc.data();
  }
  mark(0);
  s.norm.resize(m);
  for (u32 u = 0; u < m; u++) {
    u32 d = 0;
    if (given) d = given_deg[u];
    else
      for (int i = 0; i < T; i++) d += s.deg_part[i][u];
    s.norm[u] = d == 0 ? 0 : stakes[u] / d;
  }
  const u64* norm = s.norm.data();
  g.off.resize(size_t(n) + 1);
  g.off[0] = 0;
  for (u32 t = 0; t < n; t++) {
    const u32 links = in_off[t + 1] - in_off[t];
    // a target has at most one pair per link and one if it has links: so the pairs fit in u32
    if (pc[t] > links || (links > 0 && pc[t] == 0))
      return "pairCounts[" + std::to_string(t) + "] = " + std::to_string(pc[t]) + " disagrees with the links of particle " +
             std::to_string(t);
    g.off[t + 1] = g.off[t] + pc[t];
    g.has_in[t] = links > 0;
  }
  const u64 pairs = g.off[n];
  g.src.resize(pairs + PF + 16);
  std::fill(g.src.begin() + pairs, g.src.end(), 0);  // padding: the kernels prefetch PF links ahead
  g.w.resize(pairs);
  g.ls.resize(pairs);
  mark(1);
  // pass 1: sources, pair stakes (into w), out-stake partial sums; with given counts also the
  // range check and the counts' check
  std::vector<u64> wrong_pairs(T, ~u64(0));  // first target whose pair count is wrong, per thread
  parallel(T, [&](int i) {
    big_vector<u64>& os = s.os_part[i];
    os.assign(n, 0);
    std::vector<u32>& deg = s.deg_part[i];
    if (given) deg.assign(m, 0);
    u64* osp = os.data();
    u32* src = g.src.data();
    u64* w = g.ls.data();
    u32* dg = deg.data();
    const u64 kEnd = L == 0 ? 0 : L - 1;
    for (u32 t = bounds[i]; t < bounds[i + 1]; t++) {
      u64 k = in_off[t];
      const u64 o1 = in_off[t + 1];
      u64 c = g.off[t];
      const u64 c1 = g.off[t + 1];
      while (k < o1) {
        const u32 f = in_from[k];
        if (given) {
          if (f >= n) {
            bad[i] = k;
            return;
          }
          if (c == c1) {
            wrong_pairs[i] = t;
            return;
          }
        }
        GN_PREFETCH(osp + in_from[std::min(k + PF, kEnd)]);
        u64 ls = 0;
        if (given) {
          do {
            const u32 u = in_neuron[k];
            if (u >= m) {
              bad[i] = k;
              return;
            }
            dg[u]++;
            ls += norm[u];
            k++;
          } while (k < o1 && in_from[k] == f);
        } else {
          while (k < o1 && in_from[k] == f) ls += norm[in_neuron[k++]];
        }
        osp[f] += ls;
        src[c] = f;
        w[c++] = ls;
      }
      if (c != c1) {
        wrong_pairs[i] = t;
        return;
      }
    }
  });
  if (given) {
    const std::string e = range_error();
    if (!e.empty()) return e;
    for (int i = 0; i < T; i++)
      if (wrong_pairs[i] != ~u64(0))
        return "pairCounts[" + std::to_string(wrong_pairs[i]) + "] = " + std::to_string(pc[wrong_pairs[i]]) +
               " disagrees with the links of particle " + std::to_string(wrong_pairs[i]);
    for (u32 u = 0; u < m; u++) {
      u32 d = 0;
      for (int i = 0; i < T; i++) d += s.deg_part[i][u];
      if (d != given_deg[u])
        return "neuronLinks[" + std::to_string(u) + "] = " + std::to_string(given_deg[u]) + " but neuron " +
               std::to_string(u) + " made " + std::to_string(d) + " links";
    }
  }
  mark(2);
  // out-stakes summed over the threads, their reciprocals, and the sources without out-stake
  s.rec.resize(n);
  std::vector<std::vector<u32>> dang(T);
  parallel(T, [&](int i) {
    const u32 f0 = (u32)((u64)n * i / T), f1 = (u32)((u64)n * (i + 1) / T);
    for (u32 f = f0; f < f1; f++) {
      u64 o = s.os_part[0][f];
      for (int p = 1; p < T; p++) o += s.os_part[p][f];
      s.rec[f] = recip_of(o);
      if (o == 0) dang[i].push_back(f);
    }
  });
  g.dang.clear();
  for (int i = 0; i < T; i++) g.dang.insert(g.dang.end(), dang[i].begin(), dang[i].end());
  mark(3);
  if (!weights) {  // the caller computes them in its first sweep (sweep_first)
    steps[4] = steps[3];
    return "";
  }
  // pass 2: weights, pairs split evenly between the threads
  parallel(T, [&](int i) {
    const u64 c0 = pairs * i / T, c1 = pairs * (i + 1) / T;
    const u32* src = g.src.data();
    u64* w = g.w.data();
    const u64* ls = g.ls.data();
    const Recip* rec = s.rec.data();
    for (u64 c = c0; c < c1; c++) {
      GN_PREFETCH(rec + src[c + PF]);
      w[c] = weight_of(ls[c], rec[src[c]]);
    }
  });
  mark(4);
  return "";
}

// The snapshot's links checked without preparing (the calculation of an empty snapshot still
// rejects out-of-range links, as the fallback's validator does).
std::string check_links(u32 n, u32 m, const u32* in_off, const u32* in_from, const u32* in_neuron) {
  const u64 L = in_off[n];
  for (u64 k = 0; k < L; k++) {
    if (in_from[k] >= n)
      return "link " + std::to_string(k) + " comes from particle " + std::to_string(in_from[k]) +
             ", out of range (particles = " + std::to_string(n) + ")";
    if (in_neuron[k] >= m)
      return "link " + std::to_string(k) + " names neuron " + std::to_string(in_neuron[k]) + ", out of range (neurons = " +
             std::to_string(m) + ")";
  }
  return "";
}

// ---- row kernels: T = Σ prev[src[k]] * w[k] for k in [b, e), exact modulo 2^128 ----
inline u128 row_scalar(const u64* prev, const u32* src, const u64* w, u64 b, u64 e) {
  u128 s = 0;
  for (u64 k = b; k < e; k++) {
    GN_PREFETCH(prev + src[k + PF]);
    s += (u128)prev[src[k]] * w[k];
  }
  return s;
}

#ifdef GN_X86
// Vector kernels split x = xh*2^32 + xl and w = wh*2^32 + wl and keep three exact u64 sums per
// lane: A = Σ xh*wh + (xh*wl >> 32) + (xl*wh >> 32)  (weight 2^64; wraps only with T itself),
//        C = Σ (xh*wl mod 2^32) + (xl*wh mod 2^32) + (xl*wl >> 32)  (weight 2^32; < 3*2^32 a link,
//            at most 2^30 links a lane, so below 2^64),
//        E = Σ xl*wl mod 2^32  (weight 1).
// T = A*2^64 + C*2^32 + E (mod 2^128): the same integer as the scalar kernel's.
__attribute__((target("avx2"))) inline u128 row_avx2(const u64* prev, const u32* src, const u64* w, u64 b, u64 e) {
  u64 k = b;
  u128 s = 0;
  if (e - b >= 8) {
    const __m256i M = _mm256_set1_epi64x(0xffffffffLL);
    __m256i A = _mm256_setzero_si256(), C = A, E = A;
    for (; k + 4 <= e; k += 4) {
      for (int q = 0; q < 4; q++) GN_PREFETCH(prev + src[k + PF + q]);
      const __m128i idx = _mm_loadu_si128((const __m128i*)(src + k));
      const __m256i ww = _mm256_loadu_si256((const __m256i*)(w + k));
      const __m256i x = _mm256_i32gather_epi64((const long long*)prev, idx, 8);
      const __m256i xh = _mm256_srli_epi64(x, 32), wh = _mm256_srli_epi64(ww, 32);
      const __m256i hh = _mm256_mul_epu32(xh, wh), hl = _mm256_mul_epu32(xh, ww);
      const __m256i lh = _mm256_mul_epu32(x, wh), ll = _mm256_mul_epu32(x, ww);
      A = _mm256_add_epi64(A, _mm256_add_epi64(hh, _mm256_add_epi64(_mm256_srli_epi64(hl, 32), _mm256_srli_epi64(lh, 32))));
      C = _mm256_add_epi64(C, _mm256_add_epi64(_mm256_and_si256(hl, M), _mm256_add_epi64(_mm256_and_si256(lh, M), _mm256_srli_epi64(ll, 32))));
      E = _mm256_add_epi64(E, _mm256_and_si256(ll, M));
    }
    alignas(32) u64 a[4], c[4], d[4];
    _mm256_store_si256((__m256i*)a, A);
    _mm256_store_si256((__m256i*)c, C);
    _mm256_store_si256((__m256i*)d, E);
    for (int i = 0; i < 4; i++) s += ((u128)a[i] << 64) + ((u128)c[i] << 32) + d[i];
  }
  for (; k < e; k++) {
    GN_PREFETCH(prev + src[k + PF]);
    s += (u128)prev[src[k]] * w[k];
  }
  return s;
}

__attribute__((target("avx512f"))) inline u128 row_avx512(const u64* prev, const u32* src, const u64* w, u64 b,
                                                           u64 e) {
  u64 k = b;
  u128 s = 0;
  if (e - b >= 16) {
    const __m512i M = _mm512_set1_epi64(0xffffffffLL);
    __m512i A = _mm512_setzero_si512(), C = A, E = A;
    for (; k + 8 <= e; k += 8) {
      for (int q = 0; q < 8; q++) GN_PREFETCH(prev + src[k + PF + q]);
      const __m256i idx = _mm256_loadu_si256((const __m256i*)(src + k));
      const __m512i ww = _mm512_loadu_si512((const void*)(w + k));
      const __m512i x = _mm512_i32gather_epi64(idx, (const void*)prev, 8);
      const __m512i xh = _mm512_srli_epi64(x, 32), wh = _mm512_srli_epi64(ww, 32);
      const __m512i hh = _mm512_mul_epu32(xh, wh), hl = _mm512_mul_epu32(xh, ww);
      const __m512i lh = _mm512_mul_epu32(x, wh), ll = _mm512_mul_epu32(x, ww);
      A = _mm512_add_epi64(A, _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(hl, 32), _mm512_srli_epi64(lh, 32))));
      C = _mm512_add_epi64(C, _mm512_add_epi64(_mm512_and_si512(hl, M), _mm512_add_epi64(_mm512_and_si512(lh, M), _mm512_srli_epi64(ll, 32))));
      E = _mm512_add_epi64(E, _mm512_and_si512(ll, M));
    }
    alignas(64) u64 a[8], c[8], d[8];
    _mm512_store_si512((void*)a, A);
    _mm512_store_si512((void*)c, C);
    _mm512_store_si512((void*)d, E);
    for (int i = 0; i < 8; i++) s += ((u128)a[i] << 64) + ((u128)c[i] << 32) + d[i];
  }
  for (; k < e; k++) s += (u128)prev[src[k]] * w[k];
  return s;
}
#endif

struct Sweep {
  const Compressed* g;
  const u64* prev;
  u64* next;
  u64 d, K;
  bool pagerank;
};

// Update particles [t0, t1); returns the largest |next - prev| among them. One copy per ISA.
#define GN_SWEEP_BODY(ROW)                                                    \
  const u32* off = sw.g->off.data();                                          \
  const u32* src = sw.g->src.data();                                          \
  const u64* w = sw.g->w.data();                                              \
  const uint8_t* has_in = sw.g->has_in.data();                                \
  u64 mx = 0;                                                                 \
  for (u32 t = t0; t < t1; t++) {                                             \
    if (!sw.pagerank && !has_in[t]) continue;                                 \
    const u64 sum = (u64)round_shr(ROW(sw.prev, src, w, off[t], off[t + 1]), 63); \
    const u64 r = mulq64(sum, sw.d) + sw.K;                                   \
    sw.next[t] = r;                                                           \
    const u64 p = sw.prev[t];                                                 \
    const u64 delta = r > p ? r - p : p - r;                                  \
    if (delta > mx) mx = delta;                                               \
  }                                                                           \
  return mx;

u64 sweep_scalar(const Sweep& sw, u32 t0, u32 t1) { GN_SWEEP_BODY(row_scalar) }
#ifdef GN_X86
__attribute__((target("avx2"))) u64 sweep_avx2(const Sweep& sw, u32 t0, u32 t1) { GN_SWEEP_BODY(row_avx2) }
__attribute__((target("avx512f"))) u64 sweep_avx512(const Sweep& sw, u32 t0, u32 t1) { GN_SWEEP_BODY(row_avx512) }
#endif

// The first sweep with the weight pass of compress() fused in. Every rank still holds `init`, so
// a row's sum is init * Σ w (mod 2^128: the same integer as Σ init * w, which the other sweeps
// compute), and no previous rank is gathered: the weights cost the only random reads.
u64 sweep_first(Compressed& g, const Recip* rec, u64 init, const Sweep& sw, u32 t0, u32 t1) {
  const u32* off = g.off.data();
  const u32* src = g.src.data();
  u64* w = g.w.data();
  const u64* ls = g.ls.data();
  const uint8_t* has_in = g.has_in.data();
  u64 mx = 0;
  for (u32 t = t0; t < t1; t++) {
    if (!sw.pagerank && !has_in[t]) continue;
    u128 total = 0;
    for (u64 c = off[t]; c < off[t + 1]; c++) {
      GN_PREFETCH(rec + src[c + PF]);
      const u64 x = weight_of(ls[c], rec[src[c]]);
      w[c] = x;
      total += x;
    }
    const u64 sum = (u64)round_shr((u128)init * total, 63);
    const u64 r = mulq64(sum, sw.d) + sw.K;
    sw.next[t] = r;
    const u64 delta = r > init ? r - init : init - r;
    if (delta > mx) mx = delta;
  }
  return mx;
}

// The first sweep of an incremental calculation (update() below): the weights kept from the
// previous calculation are recomputed only for the pairs of changed targets (`dirty`) and the
// pairs whose source's out-stake changed (`chg`); every other weight is read as kept. Same row
// sums as sweep_first (init * Σ w), so the same bits as a calculation from scratch.
u64 sweep_first_delta(Compressed& g, const Recip* rec, const uint8_t* dirty, const uint8_t* chg, bool any_chg, u64 init,
                      const Sweep& sw, u32 t0, u32 t1) {
  const u32* off = g.off.data();
  const u32* src = g.src.data();
  u64* w = g.w.data();
  const u64* ls = g.ls.data();
  const uint8_t* has_in = g.has_in.data();
  u64 mx = 0;
  for (u32 t = t0; t < t1; t++) {
    if (!sw.pagerank && !has_in[t]) continue;
    u128 total = 0;
    if (dirty[t]) {
      for (u64 c = off[t]; c < off[t + 1]; c++) {
        GN_PREFETCH(rec + src[c + PF]);
        total += (w[c] = weight_of(ls[c], rec[src[c]]));
      }
    } else if (any_chg) {
      for (u64 c = off[t]; c < off[t + 1]; c++) {
        GN_PREFETCH(chg + src[c + PF]);
        const u32 f = src[c];
        if (chg[f]) w[c] = weight_of(ls[c], rec[f]);
        total += w[c];
      }
    } else {
      for (u64 c = off[t]; c < off[t + 1]; c++) total += w[c];
    }
    const u64 sum = (u64)round_shr((u128)init * total, 63);
    const u64 r = mulq64(sum, sw.d) + sw.K;
    sw.next[t] = r;
    const u64 delta = r > init ? r - init : init - r;
    if (delta > mx) mx = delta;
  }
  return mx;
}

u64 run_sweep(int isa, const Sweep& sw, u32 t0, u32 t1) {
#ifdef GN_X86
  if (isa == ISA_AVX512) return sweep_avx512(sw, t0, t1);
  if (isa == ISA_AVX2) return sweep_avx2(sw, t0, t1);
#endif
  (void)isa;
  return sweep_scalar(sw, t0, t1);
}

// Renumber particles by descending out-degree (ties by number) so that the sources read most
// often share cache lines, and rebuild the compressed graph in that order. Integer sums do not
// depend on order, so ranks (mapped back) are bit-identical with or without relabelling.
// perm[old] = new.
void relabel(Compressed& g, u32 n, int T, std::vector<u32>& perm) {
  const u64 C = g.off[n];
  std::vector<u32> outdeg(n, 0);
  for (u64 c = 0; c < C; c++) outdeg[g.src[c]]++;
  u32 maxdeg = 0;
  for (u32 f = 0; f < n; f++) maxdeg = std::max(maxdeg, outdeg[f]);
  std::vector<u32> start(size_t(maxdeg) + 2, 0);
  for (u32 f = 0; f < n; f++) start[maxdeg - outdeg[f] + 1]++;
  for (u32 b = 0; b <= maxdeg; b++) start[b + 1] += start[b];
  perm.assign(n, 0);
  std::vector<u32> inv(n);
  for (u32 f = 0; f < n; f++) {
    const u32 nw = start[maxdeg - outdeg[f]]++;
    perm[f] = nw;
    inv[nw] = f;
  }
  std::vector<u32>().swap(outdeg);
  Compressed h;
  h.off.assign(size_t(n) + 1, 0);
  h.has_in.assign(n, 0);
  for (u32 t = 0; t < n; t++) {
    const u32 o = inv[t];
    h.off[t + 1] = h.off[t] + (g.off[o + 1] - g.off[o]);
    h.has_in[t] = g.has_in[o];
  }
  h.src.assign(g.src.size(), 0);
  h.w.resize(g.w.size());
  const std::vector<u32> bounds = balance(h.off.data(), n, T);
  parallel(T, [&](int i) {
    for (u32 t = bounds[i]; t < bounds[i + 1]; t++) {
      const u32 o = inv[t];
      u64 c = h.off[t];
      for (u64 k = g.off[o]; k < g.off[o + 1]; k++, c++) {
        h.src[c] = perm[g.src[k]];
        h.w[c] = g.w[k];
      }
    }
  });
  h.dang.resize(g.dang.size());
  for (size_t i = 0; i < g.dang.size(); i++) h.dang[i] = perm[g.dang[i]];
  g = std::move(h);
}

// Buffers of one calculation, kept for the next: touching fresh memory costs a page fault per
// page, which dominated preparation on the development VM (docs/performance.md). One set is kept
// (the largest); every buffer is fully rewritten before it is read, so reuse changes no bits.
struct Scratch {
  Compressed g;
  PrepScratch prep;
  big_vector<u64> a, b;
  // Kept weights (g.ls, g.w, prep.rec, prep.norm) for update(): valid when the last calculation
  // into these buffers prepared `builder`'s snapshot `gen` (over n particles, m neurons, lcnt[t]
  // links into t) from scratch or by update(), without relabelling.
  bool valid = false;
  u64 builder = 0, gen = 0;
  u32 n = 0, m = 0;
  big_vector<u32> lcnt;
  big_vector<uint8_t> dirty, chg;  // per target / per source, for sweep_first_delta
  bool any_chg = false;
};
std::mutex spare_mu;
Scratch spare;
// The buffers of the last calculation of a SnapshotBuilder's snapshot (one builder: the latest).
Scratch kept;

// Takes the buffers held in `slot` (`spare` or `kept`), leaving it empty.
Scratch take(Scratch& slot) {
  std::lock_guard<std::mutex> lock(spare_mu);
  Scratch s = std::move(slot);
  slot = Scratch();
  return s;
}

void keep_scratch(Scratch&& s) {
  std::lock_guard<std::mutex> lock(spare_mu);
  if (s.g.src.capacity() >= spare.g.src.capacity()) spare = std::move(s);
}

// Keeps the buffers of the newest build of the newest builder (an older calculation finishing
// later does not replace them); invalid ones only when nothing valid is kept.
void keep_kept(Scratch&& s) {
  std::lock_guard<std::mutex> lock(spare_mu);
  if (!kept.valid || (s.valid && (s.builder != kept.builder || s.gen >= kept.gen))) kept = std::move(s);
}

// Output arrays (ranks, published) are allocated like the kept buffers (2 MiB pages when large):
// fresh 4 KiB pages cost a fault each, and JavaScript receives them without a copy.
u64* alloc_out(size_t n) { return HugeAlloc<u64>().allocate(n == 0 ? 1 : n); }

// A snapshot's lineage: SnapshotBuilder numbers its builds, and a later build of the same
// builder holds every link of an earlier one (links are only appended; a target's links are
// the old ones plus new ones). 0 / 0 when the snapshot has none.
struct Lineage {
  u64 builder = 0, gen = 0;
  bool present = false;
};

struct Job {
  u32 n = 0, m = 0;
  const u32 *in_off = nullptr, *in_from = nullptr, *in_neuron = nullptr;
  const u64* stakes = nullptr;
  const u32 *pair_counts = nullptr, *neuron_links = nullptr;  // optional: SnapshotBuilder's counts
  int mode = 0;
  u64 d = 0, tol = 1, init = 0, konst = 0;
  u32 max_iter = 1;
  bool empty = false;
  bool relabel = false;
  Lineage lineage;  // given: the kept weights of an earlier build of the same builder may be updated
  int threads = 1;
  int isa = ISA_SCALAR;
  // outputs: handed to JavaScript without a copy (OnOK), freed by the worker otherwise
  u64* ranks = nullptr;
  u64* published = nullptr;  // floor(rank * 1e15 / 2^63): go-cyber's unit
  std::string error;
  u32 iterations = 0;
  double prep_ms = 0, iter_ms = 0, out_ms = 0;  // out: ranks and published values written out
  std::chrono::steady_clock::time_point t_end;
  u64 compressed = 0, max_delta = 0;
  double steps[5] = {0, 0, 0, 0, 0};  // compress() or update(): ms from its start to the end of each step
  bool incremental = false;            // prepared by update()
  u32 dirty = 0, chg = 0;              // update(): dirty targets, sources whose out-stake changed
};

// More dirty targets than n / kDirtyShare (n particles): recompute everything (compress), which is cheaper
// than patching most of the graph.
constexpr u32 kDirtyShare = 4;
// Likewise when the dirty targets hold more than L / kDirtyLinkShare of the L links (their pairs
// are recomputed, and their old stakes subtracted, at about the cost of the stake pass).
constexpr u64 kDirtyLinkShare = 4;

// Incremental preparation: turn the kept graph of `builder`'s snapshot S.gen into that of the
// later snapshot j (same builder), recomputing only what changed. A pair's stake changes only
// when its target got links or one of its links' neurons changed stake / neudeg (norm); a
// source's out-stake only through such pairs; a weight only through its pair's stake or its
// source's out-stake. So: (A) every link's neuron, counted (degrees, range check, and the
// builder's neuronLinks checked); norm per neuron compared with the kept one; (B) targets marked
// dirty: new, more links than before, or a link by a neuron whose norm changed; (C) dirty
// targets' pairs recounted (checked against pairCounts), offsets, and the kept pairs of clean
// targets moved to their new place; (D) out-stakes patched by the dirty pairs' old and new
// stakes (sums mod 2^64 as in compress), reciprocals of the changed ones. The weights are then
// recomputed in sweep_first_delta. Every link of a dirty target is range-checked; links of clean
// targets are the ones checked before (the builder's promise; a snapshot breaking it where it
// can be seen, fewer links or pairs for a target than before, is prepared from scratch).
// Returns 1 when update does not apply (compress from scratch), 0 when done; `err` as compress.
int update(const Job& j, int T, Scratch& S, std::string& err, double* steps, u32* dirty_count, u32* chg_count) {
  using clk = std::chrono::steady_clock;
  const auto t0 = clk::now();
  const auto mark = [&](int i) { steps[i] = std::chrono::duration<double, std::milli>(clk::now() - t0).count(); };
  Compressed& g = S.g;
  PrepScratch& s = S.prep;
  const u32 n = j.n, m = j.m, n0 = S.n, m0 = S.m;
  if (!S.valid || !j.lineage.present || j.lineage.builder != S.builder || j.lineage.gen <= S.gen || n < n0 || m < m0)
    return 1;
  const u32 *in_off = j.in_off, *in_from = j.in_from, *in_neuron = j.in_neuron;
  for (u32 t = 0; t < n0; t++)
    if (in_off[t + 1] - in_off[t] < S.lcnt[t]) return 1;
  const std::vector<u32> bounds = balance(in_off, n, T);
  if (s.deg_part.size() < size_t(T)) s.deg_part.resize(T);
  if (s.os_part.size() < size_t(T)) s.os_part.resize(T);
  std::vector<u64> bad(T, ~u64(0));
  // (A) links per neuron (and the neuron range check), from every link
  const auto degrees = [&]() -> bool {
    parallel(T, [&](int i) {
      std::vector<u32>& deg = s.deg_part[i];
      deg.assign(m, 0);
      u32* dg = deg.data();
      for (u64 k = in_off[bounds[i]], e = in_off[bounds[i + 1]]; k < e; k++) {
        const u32 u = in_neuron[k];
        if (u >= m) {
          bad[i] = k;
          return;
        }
        dg[u]++;
      }
    });
    for (int i = 0; i < T; i++)
      if (bad[i] != ~u64(0)) {
        err = "link " + std::to_string(bad[i]) + " names neuron " + std::to_string(in_neuron[bad[i]]) +
              ", out of range (neurons = " + std::to_string(m) + ")";
        return false;
      }
    return true;
  };
  const auto degree = [&](u32 u) {
    u32 d = 0;
    for (int i = 0; i < T; i++) d += s.deg_part[i][u];
    return d;
  };
  // With the builder's neuronLinks, the dirty targets are found first and the counts checked
  // only when the update goes ahead (a from-scratch preparation checks them itself): a period
  // that changes most of the graph then costs little more than the preparation from scratch.
  const bool given_deg = j.neuron_links != nullptr;
  if (!given_deg && !degrees()) return 0;
  std::vector<u64> norm(m);
  std::vector<uint8_t> changed(m, 0);
  bool any_u = false;
  for (u32 u = 0; u < m; u++) {
    const u32 d = given_deg ? j.neuron_links[u] : degree(u);
    norm[u] = d == 0 ? 0 : j.stakes[u] / d;
    changed[u] = norm[u] != (u < m0 ? s.norm[u] : 0);
    any_u |= changed[u] != 0;
  }
  mark(0);
  // (B) dirty targets and their pair counts (links range-checked)
  S.dirty.assign(n, 0);
  std::vector<u32> pcn(n);
  std::vector<u32> dirty_part(T, 0);
  std::vector<u64> shrunk(T, ~u64(0));
  const u32* old_off = g.off.data();
  std::vector<u64> links_part(T, 0);
  // stop as soon as the dirty targets are too many (the same decision as counting them all)
  const u64 max_links = in_off[n] / kDirtyLinkShare;
  std::atomic<u64> dirty_links_seen{0};
  std::atomic<u32> dirty_seen{0};
  std::atomic<bool> too_many{false};
  parallel(T, [&](int i) {
    u32 count = 0;
    u64 links = 0;
    for (u32 t = bounds[i]; t < bounds[i + 1]; t++) {
      const u64 o0 = in_off[t], o1 = in_off[t + 1];
      bool d = t >= n0 || o1 - o0 != S.lcnt[t];
      if (!d && any_u)
        for (u64 k = o0; k < o1 && !d; k++) {
          const u32 u = in_neuron[k];
          d = u >= m || changed[u] != 0;  // out of range: rejected by degrees() below
        }
      if (!d) {
        pcn[t] = old_off[t + 1] - old_off[t];
        continue;
      }
      if (too_many.load(std::memory_order_relaxed)) return;
      if (dirty_links_seen.fetch_add(o1 - o0, std::memory_order_relaxed) + (o1 - o0) > max_links ||
          dirty_seen.fetch_add(1, std::memory_order_relaxed) + 1 > n / kDirtyShare) {
        too_many.store(true, std::memory_order_relaxed);
        return;
      }
      S.dirty[t] = 1;
      count++;
      links += o1 - o0;
      u32 pairs = 0;
      for (u64 k = o0; k < o1; k++) {
        const u32 f = in_from[k];
        if (f >= n) {
          bad[i] = k;
          return;
        }
        pairs += (k == o0) | (f != in_from[k - (k > o0)]);
      }
      pcn[t] = pairs;
      if (t < n0 && pairs < old_off[t + 1] - old_off[t]) shrunk[i] = t;
    }
    dirty_part[i] = count;
    links_part[i] = links;
  });
  for (int i = 0; i < T; i++)
    if (bad[i] != ~u64(0)) {
      err = "link " + std::to_string(bad[i]) + " comes from particle " + std::to_string(in_from[bad[i]]) +
            ", out of range (particles = " + std::to_string(n) + ")";
      return 0;
    }
  if (too_many.load()) return 1;
  for (int i = 0; i < T; i++)
    if (shrunk[i] != ~u64(0)) return 1;
  u32 dirty = 0;
  for (int i = 0; i < T; i++) dirty += dirty_part[i];
  *dirty_count = dirty;
  if (given_deg) {
    if (!degrees()) return 0;
    for (u32 u = 0; u < m; u++)
      if (degree(u) != j.neuron_links[u]) {
        err = "neuronLinks[" + std::to_string(u) + "] = " + std::to_string(j.neuron_links[u]) + " but neuron " +
              std::to_string(u) + " made " + std::to_string(degree(u)) + " links";
        return 0;
      }
  }
  if (j.pair_counts != nullptr)
    for (u32 t = 0; t < n; t++)
      if (j.pair_counts[t] != pcn[t]) {
        err = "pairCounts[" + std::to_string(t) + "] = " + std::to_string(j.pair_counts[t]) +
              " disagrees with the links of particle " + std::to_string(t);
        return 0;
      }
  mark(1);
  // Nothing returns 1 from here on: the kept buffers are rewritten. (C) old stakes of dirty
  // pairs out of the out-stakes (per-thread partial sums mod 2^64), then the new layout.
  S.valid = false;
  if (dirty > 0)
    parallel(T, [&](int i) {
      big_vector<u64>& os = s.os_part[i];
      os.assign(n, 0);
      for (u32 t = bounds[i]; t < std::min(bounds[i + 1], n0); t++)
        if (S.dirty[t])
          for (u64 c = old_off[t]; c < old_off[t + 1]; c++) os[g.src[c]] -= g.ls[c];
    });
  big_vector<u32> off(size_t(n) + 1);
  off[0] = 0;
  for (u32 t = 0; t < n; t++) off[t + 1] = off[t] + pcn[t];
  const u64 pairs = off[n];
  const u64 old_pairs = old_off[n0];
  if (pairs != old_pairs || n != n0) {
    g.src.resize(pairs + PF + 16);
    g.ls.resize(pairs);
    g.w.resize(pairs);
    // clean targets move up (never down: pairs only grow), runs of them from the last one down
    u32 t = n0;
    while (t > 0) {
      u32 b = t;
      while (b > 0 && S.dirty[b - 1]) b--;
      u32 a = b;
      while (a > 0 && !S.dirty[a - 1]) a--;
      if (a < b && off[a] != old_off[a]) {
        const u64 from = old_off[a], to = off[a], len = old_off[b] - old_off[a];
        std::memmove(g.src.data() + to, g.src.data() + from, len * sizeof(u32));
        std::memmove(g.ls.data() + to, g.ls.data() + from, len * sizeof(u64));
        std::memmove(g.w.data() + to, g.w.data() + from, len * sizeof(u64));
      }
      t = a;
    }
    std::fill(g.src.begin() + pairs, g.src.end(), 0);
  }
  g.off.swap(off);
  g.has_in.resize(n);
  for (u32 t = 0; t < n; t++) g.has_in[t] = in_off[t + 1] > in_off[t];
  mark(2);
  // the dirty targets' pairs, and their stakes into the out-stake sums
  if (dirty > 0)
    parallel(T, [&](int i) {
      big_vector<u64>& os = s.os_part[i];
      u32* src = g.src.data();
      u64* lsp = g.ls.data();
      for (u32 t = bounds[i]; t < bounds[i + 1]; t++) {
        if (!S.dirty[t]) continue;
        u64 k = in_off[t], c = g.off[t];
        const u64 o1 = in_off[t + 1];
        while (k < o1) {
          const u32 f = in_from[k];
          u64 x = 0;
          while (k < o1 && in_from[k] == f) x += norm[in_neuron[k++]];
          os[f] += x;
          src[c] = f;
          lsp[c++] = x;
        }
      }
    });
  // (D) out-stakes, reciprocals of the changed ones, sources without out-stake
  s.rec.resize(n);
  S.chg.assign(n, 0);
  u32 chg = 0;
  g.dang.clear();
  for (u32 f = 0; f < n; f++) {
    const u64 was = f < n0 ? s.rec[f].o : 0;
    u64 o = was;
    if (dirty > 0)
      for (int i = 0; i < T; i++) o += s.os_part[i][f];
    if (f >= n0 || o != was) s.rec[f] = recip_of(o);
    if (f < n0 && o != was) {
      S.chg[f] = 1;
      chg++;
    }
    if (o == 0) g.dang.push_back(f);
  }
  S.any_chg = chg > 0;
  *chg_count = chg;
  s.norm.swap(norm);
  S.lcnt.resize(n);
  for (u32 t = 0; t < n; t++) S.lcnt[t] = in_off[t + 1] - in_off[t];
  S.n = n;
  S.m = m;
  S.gen = j.lineage.gen;
  S.valid = true;
  mark(3);
  steps[4] = steps[3];
  return 0;
}

void run_job(Job& j) {
  using clk = std::chrono::steady_clock;
  const u32 n = j.n;
  j.ranks = alloc_out(n);
  j.published = alloc_out(n);
  if (j.empty) {
    j.error = check_links(n, j.m, j.in_off, j.in_from, j.in_neuron);
    std::memset(j.ranks, 0, sizeof(u64) * n);
    return;
  }
  auto t_a = clk::now();
  const int T = std::max(1, std::min(j.threads, (int)std::max<u32>(1, n)));
  // without relabelling the weights are computed in the first sweep
  const bool fused = !j.relabel;
  const bool lineage = j.lineage.present && fused;
  Scratch scratch = take(lineage ? kept : spare);
  const auto keep = [&]() { lineage ? keep_kept(std::move(scratch)) : keep_scratch(std::move(scratch)); };
  Compressed& g = scratch.g;
  if (lineage) {
    j.incremental = update(j, T, scratch, j.error, j.steps, &j.dirty, &j.chg) == 0 && j.error.empty();
    if (!j.error.empty()) {
      keep();
      return;
    }
  }
  if (!j.incremental) {
    j.dirty = 0;
    j.chg = 0;
    scratch.valid = false;
    j.error = compress(n, j.m, j.in_off, j.in_from, j.in_neuron, j.stakes, j.pair_counts, j.neuron_links, T, g,
                       scratch.prep, j.steps, !fused);
    if (!j.error.empty()) {
      keep();
      return;
    }
    if (lineage) {
      scratch.lcnt.resize(n);
      for (u32 t = 0; t < n; t++) scratch.lcnt[t] = j.in_off[t + 1] - j.in_off[t];
      scratch.builder = j.lineage.builder;
      scratch.gen = j.lineage.gen;
      scratch.n = n;
      scratch.m = j.m;
      scratch.valid = true;
    }
  }
  j.compressed = g.w.size();
  std::vector<u32> perm;
  if (j.relabel) relabel(g, n, T, perm);
  // Sweeps are split into chunks of about equal (links + particles) that threads claim from a
  // shared counter, so a thread descheduled on a busy machine does not hold the others up.
  // Rows are independent and the max-delta reduction is a max: the bits do not depend on which
  // thread takes which chunk.
  const int chunks = T == 1 ? 1 : (int)std::min<u64>((u64)T * 32, std::max<u32>(1, n));
  const std::vector<u32> bounds = balance(g.off.data(), n, chunks);
  auto t_b = clk::now();
  big_vector<u64>& a = scratch.a;
  big_vector<u64>& b = scratch.b;
  a.assign(n, j.init);
  b.assign(n, j.init);
  u64* cur = a.data();
  u64* nxt = b.data();
  std::vector<u64> local(T, 0);
  const bool pagerank = j.mode == 1;
  for (;;) {
    u64 K = j.konst;
    if (pagerank) {
      u64 s = 0;
      for (u32 x : g.dang) s += cur[x];
      K += (u64)(((u128)mulq64(s, j.d) * 2 + n) / ((u128)n * 2));  // round(d * s / n)
    }
    Sweep sw{&g, cur, nxt, j.d, K, pagerank};
    std::atomic<int> next_chunk{0};
    parallel(T, [&](int i) {
      u64 mx = 0;
      for (int c = next_chunk.fetch_add(1, std::memory_order_relaxed); c < chunks;
           c = next_chunk.fetch_add(1, std::memory_order_relaxed))
        mx = std::max(mx, !fused || j.iterations > 0 ? run_sweep(j.isa, sw, bounds[c], bounds[c + 1])
                          : j.incremental ? sweep_first_delta(g, scratch.prep.rec.data(), scratch.dirty.data(), scratch.chg.data(),
                                                              scratch.any_chg, j.init, sw, bounds[c], bounds[c + 1])
                                          : sweep_first(g, scratch.prep.rec.data(), j.init, sw, bounds[c], bounds[c + 1]));
      local[i] = mx;
    });
    u64 mx = 0;
    for (int i = 0; i < T; i++) mx = std::max(mx, local[i]);
    std::swap(cur, nxt);
    j.iterations++;
    j.max_delta = mx;
    if (mx <= j.tol || j.iterations >= j.max_iter) break;
  }
  auto t_c = clk::now();
  j.t_end = t_c;
  if (j.relabel) {
    for (u32 f = 0; f < n; f++) j.ranks[f] = cur[perm[f]];
  } else {
    std::memcpy(j.ranks, cur, sizeof(u64) * n);
  }
  j.prep_ms = std::chrono::duration<double, std::milli>(t_b - t_a).count();
  j.iter_ms = std::chrono::duration<double, std::milli>(t_c - t_b).count();
  keep();
}

u64 to_u64(const Napi::Value& v) {
  bool lossless = true;
  return v.As<Napi::BigInt>().Uint64Value(&lossless);
}

class RankWorker : public Napi::AsyncWorker {
 public:
  RankWorker(Napi::Env env, Napi::Object input, Job job)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), job_(std::move(job)) {
    keep_ = Napi::Persistent(input);  // keeps the snapshot's typed arrays alive while we read them
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  ~RankWorker() override {
    std::free(job_.ranks);
    std::free(job_.published);
  }
  void Execute() override {
    // Links are range-checked while preparing (compress), off the JavaScript thread; offsets
    // were checked before queueing.
    run_job(job_);
    if (!job_.error.empty()) {
      SetError(job_.error);
      return;
    }
    for (size_t i = 0; i < job_.n; i++) job_.published[i] = (u64)(((u128)job_.ranks[i] * 1000000000000000ULL) >> 63);
    job_.out_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job_.t_end).count();
  }
  // The ranks as a BigUint64Array over the worker's buffer (ownership passes to JavaScript).
  Napi::Value Hand(Napi::Env env, u64*& p) {
    const size_t n = job_.n;
    Napi::ArrayBuffer buf = n == 0 ? Napi::ArrayBuffer::New(env, 0)
                                   : Napi::ArrayBuffer::New(env, p, n * 8, [](Napi::Env, void* q) { std::free(q); });
    if (n != 0) p = nullptr;
    return Napi::TypedArrayOf<u64>::New(env, n, buf, 0, napi_biguint64_array);
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::Object out = Napi::Object::New(env);
    out.Set("ranks", Hand(env, job_.ranks));
    out.Set("published", Hand(env, job_.published));
    out.Set("iterations", Napi::Number::New(env, job_.iterations));
    out.Set("prepareMs", Napi::Number::New(env, job_.prep_ms));
    out.Set("iterateMs", Napi::Number::New(env, job_.iter_ms));
    out.Set("outputMs", Napi::Number::New(env, job_.out_ms));
    out.Set("compressedLinks", Napi::Number::New(env, (double)job_.compressed));
    out.Set("maxDelta", Napi::BigInt::New(env, job_.max_delta));
    out.Set("isa", Napi::String::New(env, isa_name(job_.isa)));
    Napi::Array steps = Napi::Array::New(env, 5);
    for (uint32_t i = 0; i < 5; i++) steps.Set(i, Napi::Number::New(env, job_.steps[i]));
    out.Set("prepareSteps", steps);
    out.Set("threads", Napi::Number::New(env, job_.threads));
    out.Set("incremental", Napi::Boolean::New(env, job_.incremental));
    out.Set("dirtyTargets", Napi::Number::New(env, job_.dirty));
    out.Set("changedSources", Napi::Number::New(env, job_.chg));
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference keep_;
  Job job_;
};

template <typename T>
const T* typed(const Napi::Object& o, const char* key, size_t want, const char* what, std::string& err) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray()) {
    err = std::string(key) + " must be a " + what;
    return nullptr;
  }
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != (sizeof(T) == 4 ? napi_uint32_array : napi_biguint64_array)) {
    err = std::string(key) + " must be a " + what;
    return nullptr;
  }
  if (want != SIZE_MAX && ta.ElementLength() != want) {
    err = std::string(key) + " has " + std::to_string(ta.ElementLength()) + " entries, expected " +
          std::to_string(want);
    return nullptr;
  }
  return reinterpret_cast<const T*>(static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
}

// calculate(input) -> Promise<{ ranks, iterations, prepareMs, iterateMs, compressedLinks, maxDelta, isa, threads }>
Napi::Value Calculate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    Napi::TypeError::New(env, "calculate(input) needs an object").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Object o = info[0].As<Napi::Object>();
  Job j;
  std::string err;
  j.n = o.Get("particles").As<Napi::Number>().Uint32Value();
  j.m = o.Get("neurons").As<Napi::Number>().Uint32Value();
  j.in_off = typed<u32>(o, "inOffsets", size_t(j.n) + 1, "Uint32Array", err);
  const size_t L = err.empty() ? j.in_off[j.n] : 0;
  if (err.empty()) j.in_from = typed<u32>(o, "inFrom", L, "Uint32Array", err);
  if (err.empty()) j.in_neuron = typed<u32>(o, "inNeuron", L, "Uint32Array", err);
  if (err.empty()) j.stakes = typed<u64>(o, "stakes", j.m, "BigUint64Array", err);
  if (err.empty() && o.Get("pairCounts").IsTypedArray() && o.Get("neuronLinks").IsTypedArray()) {
    j.pair_counts = typed<u32>(o, "pairCounts", j.n, "Uint32Array", err);
    if (err.empty()) j.neuron_links = typed<u32>(o, "neuronLinks", j.m, "Uint32Array", err);
  }
  if (err.empty()) {
    for (u32 t = 0; t < j.n; t++)
      if (j.in_off[t + 1] < j.in_off[t]) {
        err = "inOffsets decreases at particle " + std::to_string(t);
        break;
      }
  }
  if (err.empty() && j.in_off[0] != 0) err = "inOffsets[0] must be 0";
  if (!err.empty()) {
    Napi::RangeError::New(env, err).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  j.mode = o.Get("modeCode").As<Napi::Number>().Int32Value();
  j.d = to_u64(o.Get("dampingQ64"));
  j.tol = to_u64(o.Get("toleranceQ63"));
  j.max_iter = o.Get("maxIterations").As<Napi::Number>().Uint32Value();
  j.init = to_u64(o.Get("initQ63"));
  j.konst = to_u64(o.Get("constQ63"));
  j.empty = o.Get("empty").As<Napi::Boolean>().Value();
  j.relabel = o.Get("relabel").IsBoolean() && o.Get("relabel").As<Napi::Boolean>().Value();
  j.threads = std::max(1, o.Get("threads").As<Napi::Number>().Int32Value());
  if (o.Get("lineageBuilder").IsNumber() && o.Get("lineageGeneration").IsNumber()) {
    j.lineage.present = true;
    j.lineage.builder = (u64)o.Get("lineageBuilder").As<Napi::Number>().Int64Value();
    j.lineage.gen = (u64)o.Get("lineageGeneration").As<Napi::Number>().Int64Value();
  }
  int isa = best_isa();
  Napi::Value want = o.Get("isa");
  if (want.IsString()) {
    const std::string s = want.As<Napi::String>().Utf8Value();
    const int asked = s == "avx512" ? ISA_AVX512 : s == "avx2" ? ISA_AVX2 : s == "scalar" ? ISA_SCALAR : -1;
    if (asked < 0 || asked > isa) {
      Napi::RangeError::New(env, "isa " + s + " is not available here (best: " + isa_name(isa) + ")")
          .ThrowAsJavaScriptException();
      return env.Undefined();
    }
    isa = asked;
  }
  if (j.n >= 0x80000000u) isa = ISA_SCALAR;  // gathers take signed 32-bit indices
  j.isa = isa;
  auto* w = new RankWorker(env, o, std::move(j));
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

// streamTriad(megabytesPerArray, threads, repetitions) -> bytes per second (best run), STREAM's
// count of 24 bytes per element (a[i] = b[i] + s*c[i]). Bench only: runs on the calling thread.
Napi::Value StreamTriad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t mb = info[0].As<Napi::Number>().Uint32Value();
  const int T = std::max(1, info[1].As<Napi::Number>().Int32Value());
  const int reps = std::max(1, info[2].As<Napi::Number>().Int32Value());
  const size_t n = mb * 1024 * 1024 / 8;
  std::vector<double> a(n, 0.0), b(n, 1.0), c(n, 2.0);
  double best = 0;
  for (int r = 0; r < reps; r++) {
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (int i = 0; i < T; i++)
      pool.emplace_back([&, i] {
        const size_t s = n * i / T, e = n * (i + 1) / T;
        double* __restrict pa = a.data();
        const double* __restrict pb = b.data();
        const double* __restrict pc = c.data();
        for (size_t k = s; k < e; k++) pa[k] = pb[k] + 3.0 * pc[k];
      });
    for (auto& th : pool) th.join();
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::max(best, 24.0 * n / sec);
  }
  if (a[n / 2] != 7.0) {
    Napi::Error::New(env, "triad check failed").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, best);
}

Napi::Value BestIsa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), isa_name(best_isa())); }

}  // namespace

Napi::Value MerkleLevels(const Napi::CallbackInfo& info);  // merkle.cc
Napi::Value SortLinks(const Napi::CallbackInfo& info);     // sort.cc

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("merkleLevels", Napi::Function::New(env, MerkleLevels));
  exports.Set("sortLinks", Napi::Function::New(env, SortLinks));
  exports.Set("calculate", Napi::Function::New(env, Calculate));
  exports.Set("streamTriad", Napi::Function::New(env, StreamTriad));
  exports.Set("bestIsa", Napi::Function::New(env, BestIsa));
  exports.Set("hardwareThreads", Napi::Number::New(env, std::thread::hardware_concurrency()));
  return exports;
}

}  // namespace

NODE_API_MODULE(graph_native, Init)
