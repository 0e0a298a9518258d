// The first link index of a SnapshotBuilder (modules/graph/rank/Snapshot.ts) sorted natively:
// the links (from, to, neuron) in CSR by target, each target's links sorted by (from, neuron),
// duplicate triples removed, and the distinct sources per target. The same total order on the
// same key as the builder's TypeScript counting sorts, so the arrays are byte-identical
// (test/graph/rank-snapshot.test.ts builds both and compares them).
//
// A counting pass by target, a scatter of 64-bit keys (from << 32 | neuron) into the target
// buckets, then each bucket sorted and deduplicated on std::threads over target ranges of
// about equal link counts. Synchronous: SnapshotBuilder.build is; the point is that this takes
// a fraction of the JavaScript sort's time (docs/graph-rank.md, "Snapshot and memory").
#include <napi.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

using u32 = uint32_t;
using u64 = uint64_t;

template <typename F>
void runThreads(int T, F&& f) {
  std::vector<std::thread> pool;
  for (int i = 1; i < T; i++) pool.emplace_back([&f, i] { f(i); });
  f(0);
  for (auto& th : pool) th.join();
}

// Fresh memory costs a page fault on first touch (13 us per 4 KiB page on the development VM,
// most of this sort's time before): blocks of 4 MiB and more are 2 MiB aligned and marked for
// transparent huge pages, as HugeAlloc (rank_internal.h) does. Freed with std::free.
void* hugeBlock(size_t bytes) {
  const size_t huge = size_t(2) << 20;
  if (bytes < (size_t(4) << 20)) return std::malloc(bytes == 0 ? 1 : bytes);
  const size_t rounded = (bytes + huge - 1) / huge * huge;
  void* p = std::aligned_alloc(huge, rounded);
#ifdef MADV_HUGEPAGE
  if (p != nullptr) madvise(p, rounded, MADV_HUGEPAGE);
#endif
  return p;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// A Uint32Array of `count` entries over a fresh huge-page block, uninitialised (every entry is
// written before JavaScript sees it), owned by the ArrayBuffer from then on.
Napi::Uint32Array hugeU32(Napi::Env env, size_t count, u32** data) {
  if (count == 0) {
    Napi::Uint32Array a = Napi::Uint32Array::New(env, 0);
    *data = nullptr;
    return a;
  }
  void* p = hugeBlock(count * 4);
  if (p == nullptr) NAPI_THROW(Napi::Error::New(env, "sortLinks: out of memory"), Napi::Uint32Array());
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, p, count * 4, [](Napi::Env, void* q) { std::free(q); });
  *data = static_cast<u32*>(p);
  return Napi::Uint32Array::New(env, count, buf, 0);
}

bool u32Array(const Napi::Value& v, const u32** data, size_t* length) {
  if (!v.IsTypedArray()) return false;
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint32_array) return false;
  *data = reinterpret_cast<const u32*>(static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  *length = ta.ElementLength();
  return true;
}

}  // namespace

// sortLinks(from, to, neuron: Uint32Array, count, particles, neurons, threads)
//   -> { inOffsets (particles + 1), inFrom, inNeuron (distinct triples), pairCounts (particles) }
// Throws TypeError / RangeError on bad arguments or a link out of range; nothing is written then.
Napi::Value SortLinks(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const u32 *from = nullptr, *to = nullptr, *neuron = nullptr;
  size_t lf = 0, lt = 0, ln = 0;
  if (info.Length() < 7 || !u32Array(info[0], &from, &lf) || !u32Array(info[1], &to, &lt) ||
      !u32Array(info[2], &neuron, &ln) || !info[3].IsNumber() || !info[4].IsNumber() || !info[5].IsNumber() ||
      !info[6].IsNumber()) {
    Napi::TypeError::New(env, "sortLinks(from, to, neuron: Uint32Array, count, particles, neurons, threads: number)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double countD = info[3].As<Napi::Number>().DoubleValue();
  const double nD = info[4].As<Napi::Number>().DoubleValue();
  const double mD = info[5].As<Napi::Number>().DoubleValue();
  const double tD = info[6].As<Napi::Number>().DoubleValue();
  const double maxLen = (double)std::min(lf, std::min(lt, ln));
  if (!(countD >= 0 && countD <= maxLen && countD < 4294967296.0 && countD == (double)(u64)countD)) {
    Napi::RangeError::New(env, "count must be an integer no larger than the arrays (and below 2^32)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!(nD >= 0 && nD < 4294967295.0 && nD == (double)(u64)nD) || !(mD >= 0 && mD < 4294967296.0 && mD == (double)(u64)mD)) {
    Napi::RangeError::New(env, "particles must be in [0, 2^32 - 1) and neurons in [0, 2^32)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t L = (size_t)countD;
  const u32 n = (u32)nD;
  const u64 m = (u64)mD;
  int T = (tD >= 1 && tD <= 64) ? (int)tD : 1;

  // counting pass by target, with the range checks (the arrays come from JavaScript)
  std::vector<u32> start((size_t)n + 1, 0);
  for (size_t i = 0; i < L; i++) {
    const u32 f = from[i], t = to[i], u = neuron[i];
    if (f >= n || t >= n || u >= m) {
      std::string what = "link " + std::to_string(i) + " (" + std::to_string(f) + " -> " + std::to_string(t) +
                         ", neuron " + std::to_string(u) + ") is out of range (particles = " + std::to_string(n) +
                         ", neurons = " + std::to_string(m) + ")";
      Napi::RangeError::New(env, what).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    start[(size_t)t + 1]++;
  }
  for (u32 t = 0; t < n; t++) start[(size_t)t + 1] += start[t];
  std::unique_ptr<u64[], FreeDeleter> keys(static_cast<u64*>(hugeBlock((L > 0 ? L : 1) * 8)));
  if (!keys) {
    Napi::Error::New(env, "sortLinks: out of memory").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // scatter; with many targets in two steps (the targets' write positions no longer fit the
  // caches): by coarse target range (at most 1024 of them) with the target alongside, then
  // within each range, in parallel (ranges are disjoint slices of `keys`)
  int shift = 0;
  while (((u64)(n > 0 ? n - 1 : 0) >> shift) >= 1024) shift++;
  std::vector<u32> at(start.begin(), start.end() - 1);
  if (n <= 4096 || L == 0) {
    for (size_t i = 0; i < L; i++) keys[at[to[i]]++] = ((u64)from[i] << 32) | neuron[i];
  } else {
    const u32 B = ((n - 1) >> shift) + 1;
    std::vector<u32> cstart(B + 1);
    for (u32 c = 0; c < B; c++) cstart[c] = start[(size_t)c << shift];
    cstart[B] = (u32)L;
    std::unique_ptr<u64[], FreeDeleter> tmpKey(static_cast<u64*>(hugeBlock(L * 8)));
    std::unique_ptr<u32[], FreeDeleter> tmpTo(static_cast<u32*>(hugeBlock(L * 4)));
    if (!tmpKey || !tmpTo) {
      Napi::Error::New(env, "sortLinks: out of memory").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    {
      std::vector<u32> cat(cstart.begin(), cstart.end() - 1);
      for (size_t i = 0; i < L; i++) {
        const u32 p = cat[to[i] >> shift]++;
        tmpKey[p] = ((u64)from[i] << 32) | neuron[i];
        tmpTo[p] = to[i];
      }
    }
    int S = std::max(1, std::min(T, (int)(L / 65536)));
    std::vector<u32> cb(S + 1, B);
    cb[0] = 0;
    for (int k = 1; k < S; k++) {
      cb[k] = (u32)(std::lower_bound(cstart.begin(), cstart.end() - 1, (u32)((u64)L * k / S)) - cstart.begin());
      if (cb[k] < cb[k - 1]) cb[k] = cb[k - 1];
    }
    runThreads(S, [&](int k) {
      for (u32 p = cstart[cb[k]]; p < cstart[cb[k + 1]]; p++) keys[at[tmpTo[p]]++] = tmpKey[p];
    });
  }

  // sort and deduplicate each bucket; target ranges of about equal links per thread
  if ((u64)L < (u64)T * 65536) T = std::max<int>(1, (int)(L / 65536));
  std::vector<u32> bounds(T + 1, n);
  bounds[0] = 0;
  for (int k = 1; k < T; k++) {
    const u64 goal = (u64)L * k / T;
    bounds[k] = (u32)(std::lower_bound(start.begin(), start.end() - 1, goal) - start.begin());
    if (bounds[k] < bounds[k - 1]) bounds[k] = bounds[k - 1];
  }
  std::vector<u32> kept(n), pairs(n);
  runThreads(T, [&](int k) {
    for (u32 t = bounds[k]; t < bounds[k + 1]; t++) {
      u64* b = keys.get() + start[t];
      u64* e = keys.get() + start[(size_t)t + 1];
      if (e - b > 1) std::sort(b, e);
      u32 w = 0, p = 0;
      for (u64* q = b; q < e; q++) {
        if (w > 0 && b[w - 1] == *q) continue;  // duplicate (from, to, neuron)
        if (w == 0 || (b[w - 1] >> 32) != (*q >> 32)) p++;
        b[w++] = *q;
      }
      kept[t] = w;
      pairs[t] = p;
    }
  });

  u32* off = nullptr;
  Napi::Uint32Array inOffsets = hugeU32(env, (size_t)n + 1, &off);
  if (env.IsExceptionPending()) return env.Undefined();
  off[0] = 0;
  for (u32 t = 0; t < n; t++) off[(size_t)t + 1] = off[t] + kept[t];
  const size_t W = off[n];
  u32 *of = nullptr, *on = nullptr, *pc = nullptr;
  Napi::Uint32Array inFrom = hugeU32(env, W, &of);
  Napi::Uint32Array inNeuron = hugeU32(env, W, &on);
  Napi::Uint32Array pairCounts = hugeU32(env, n, &pc);
  if (env.IsExceptionPending()) return env.Undefined();  // out of memory
  runThreads(T, [&](int k) {
    for (u32 t = bounds[k]; t < bounds[k + 1]; t++) {
      const u64* b = keys.get() + start[t];
      u32 o = off[t];
      for (u32 j = 0; j < kept[t]; j++) {
        of[o + j] = (u32)(b[j] >> 32);
        on[o + j] = (u32)b[j];
      }
      pc[t] = pairs[t];
    }
  });
  Napi::Object out = Napi::Object::New(env);
  out.Set("inOffsets", inOffsets);
  out.Set("inFrom", inFrom);
  out.Set("inNeuron", inNeuron);
  out.Set("pairCounts", pairCounts);
  return out;
}
