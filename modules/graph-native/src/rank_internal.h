// Internal declarations shared by the files of the cyber•rank native engine (no API of its own:
// the addon's exports are registered in rank_module.cc). Same integer algorithm, bit for bit, as
// the TypeScript fallback in modules/graph/rank/internal/fallback.ts; semantics of go-cyber
// x/rank/keeper/calculate_cpu.go (cyber mode) and x/rank/cuda/rank.cu (compressed in-links), plus
// standard PageRank (pagerank mode). See docs/graph-rank.md.
//
// Fixed point (modules/graph/rank/internal/fixed.ts): ranks and weights u64 in 2^-63 units,
// damping u64 in 2^-64 units. A row sum T = Σ prev[src] * w is exact in 128 bits (modulo 2^128);
// then next = round(round(T / 2^63) * d / 2^64) + K, rounding to nearest with ties up. All
// arithmetic is integer and sums are exact, so the result does not depend on ISA (scalar / AVX2 /
// AVX-512) or thread count, and the max-delta reduction is a max.
//
// The calculation runs in a Napi::AsyncWorker (libuv thread pool) and fans out to std::threads;
// the JavaScript thread is never blocked.
//
// Files: rank_prepare.cc (compress: a snapshot's compressed in-links and weights from scratch;
// relabel), rank_update.cc (update: incremental preparation from the kept weights of an earlier
// build), rank_sweep.cc (row kernels per ISA and the sweeps), rank_job.cc (one calculation: kept
// buffers, preparation, iteration), rank_napi.cc (calculate, streamTriad, bestIsa: argument
// checks and the AsyncWorker), rank_module.cc (the addon's module init).
#ifndef GRAPH_NATIVE_RANK_INTERNAL_H
#define GRAPH_NATIVE_RANK_INTERNAL_H

#include <napi.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__x86_64__) || defined(_M_X64)
#define GN_X86 1
#endif

// Hidden: nothing here is exported from the shared object (the addon's only entry is the module
// init), and calls between these files need no PLT.
namespace gn __attribute__((visibility("hidden"))) {

using u64 = uint64_t;
using u32 = uint32_t;
using u128 = unsigned __int128;

// x / 2^s rounded to nearest, ties up (1 <= s <= 127), as a u128.
inline u128 round_shr(u128 x, int s) { return (x >> s) + ((x >> (s - 1)) & 1); }
// round(x * d / 2^64) for a Q64 damping d: below 2^64 since d < 2^64.
inline u64 mulq64(u64 x, u64 d) { return (u64)round_shr((u128)x * d, 64); }
constexpr u64 ONE_Q63 = 1ULL << 63;

enum Isa { ISA_SCALAR = 0, ISA_AVX2 = 1, ISA_AVX512 = 2 };

// The widest kernel this CPU runs (ISA_AVX512, ISA_AVX2 or ISA_SCALAR), detected at run time
// (rank_sweep.cc).
int best_isa();
// "avx512", "avx2" or "scalar" for an Isa value (rank_sweep.cc).
const char* isa_name(int isa);

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

// Split [0, n) into T ranges of about equal (links + particles) by a prefix array `off` of n + 1
// entries: bounds[0] = 0, bounds[T] = n (rank_prepare.cc).
std::vector<u32> balance(const u32* off, u32 n, int T);

// Per-calculation temporaries of compress(), kept with the other buffers for the next one.
struct PrepScratch {
  std::vector<std::vector<u32>> deg_part;  // links per neuron, one array per thread
  std::vector<big_vector<u64>> os_part;    // out-stake partial sums, one array per thread
  big_vector<u32> pc;                      // pairs per target
  std::vector<u64> norm;                   // stake / links per neuron (go-cyber's getNormalizedStake)
  big_vector<Recip> rec;                   // per source: out-stake and its reciprocal
};

// A snapshot's compressed in-links and weights from scratch (rank_prepare.cc, which has the
// passes). given_pc / given_deg: SnapshotBuilder's pair and link counts or nullptr (checked
// against the links when given); steps[0..4]: ms from the start to the end of each step;
// weights false: the weights are left to sweep_first. Returns "" or what is wrong with the
// snapshot (as the JavaScript validator words it).
std::string compress(u32 n, u32 m, const u32* in_off, const u32* in_from, const u32* in_neuron, const u64* stakes,
                     const u32* given_pc, const u32* given_deg, int T, Compressed& g, PrepScratch& s, double* steps,
                     bool weights);

// The snapshot's links range-checked without preparing: "" or the first bad link, worded as
// compress words it (rank_prepare.cc).
std::string check_links(u32 n, u32 m, const u32* in_off, const u32* in_from, const u32* in_neuron);

// Renumber particles by descending out-degree and rebuild `g` in that order; perm[old] = new
// (rank_prepare.cc).
void relabel(Compressed& g, u32 n, int T, std::vector<u32>& perm);

// One sweep's inputs: ranks `prev` (2^-63 units) to `next`, damping d (2^-64 units), constant K
// added to every row, pagerank: particles without in-links are updated too.
struct Sweep {
  const Compressed* g;
  const u64* prev;
  u64* next;
  u64 d, K;
  bool pagerank;
};

// Update particles [t0, t1) with the kernel of `isa` (an Isa value this CPU runs); returns the
// largest |next - prev| among them (rank_sweep.cc).
u64 run_sweep(int isa, const Sweep& sw, u32 t0, u32 t1);
// The first sweep from ranks all `init`, computing the weights g.w from g.ls and `rec` as it goes
// (rank_sweep.cc).
u64 sweep_first(Compressed& g, const Recip* rec, u64 init, const Sweep& sw, u32 t0, u32 t1);
// The first sweep after update(): recomputes the weights of dirty targets' pairs and of pairs
// whose source is marked in `chg` (any_chg: some is), reads the others as kept (rank_sweep.cc).
u64 sweep_first_delta(Compressed& g, const Recip* rec, const uint8_t* dirty, const uint8_t* chg, bool any_chg, u64 init,
                      const Sweep& sw, u32 t0, u32 t1);

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

// Incremental preparation of j into the kept buffers S of an earlier build of the same builder
// (rank_update.cc, which has the steps). Returns 1 when it does not apply (prepare from scratch),
// 0 when done or when the snapshot is bad (`err` then says why, as compress words it).
int update(const Job& j, int T, Scratch& S, std::string& err, double* steps, u32* dirty_count, u32* chg_count);

// One calculation (rank_job.cc): prepares j's snapshot (update or compress), relabels when asked,
// sweeps until the largest change is at most j.tol or j.max_iter sweeps; fills j.ranks and the
// counters, or j.error. Runs off the JavaScript thread; j.published is left to the caller.
void run_job(Job& j);

// calculate(input) -> Promise of the ranks and counters (rank_napi.cc; input and output as
// modules/graph/rank/internal/native.ts declares them). Bad input: a thrown TypeError or
// RangeError, or a rejected promise for a snapshot whose links are bad.
Napi::Value Calculate(const Napi::CallbackInfo& info);
// streamTriad(megabytesPerArray, threads, repetitions) -> bytes per second (rank_napi.cc; bench only).
Napi::Value StreamTriad(const Napi::CallbackInfo& info);
// bestIsa() -> "avx512" | "avx2" | "scalar" (rank_napi.cc).
Napi::Value BestIsa(const Napi::CallbackInfo& info);

}  // namespace gn

#endif  // GRAPH_NATIVE_RANK_INTERNAL_H
