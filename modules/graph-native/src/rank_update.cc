// cyber•rank native engine: incremental preparation (update) of a SnapshotBuilder's later build
// from the weights kept for an earlier one. Declarations and the fixed-point conventions:
// rank_internal.h.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "rank_internal.h"

namespace gn __attribute__((visibility("hidden"))) {

namespace {

// More dirty targets than n / kDirtyShare (n particles): recompute everything (compress), which is cheaper
// than patching most of the graph.
constexpr u32 kDirtyShare = 4;
// Likewise when the dirty targets hold more than L / kDirtyLinkShare of the L links (their pairs
// are recomputed, and their old stakes subtracted, at about the cost of the stake pass).
constexpr u64 kDirtyLinkShare = 4;

}  // namespace

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

}  // namespace gn
