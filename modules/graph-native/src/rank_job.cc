// cyber•rank native engine: one calculation (run_job) and the buffers kept between calculations.
// Declarations and the fixed-point conventions: rank_internal.h.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>
#include <vector>

#include "rank_internal.h"

namespace gn __attribute__((visibility("hidden"))) {

namespace {

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

}  // namespace

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

}  // namespace gn
