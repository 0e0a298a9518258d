// cyber•rank native engine: a snapshot's compressed in-links and weights from scratch (compress),
// the range check of an empty snapshot (check_links), and relabelling by out-degree (relabel).
// Declarations and the fixed-point conventions: rank_internal.h.
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "rank_internal.h"

namespace gn __attribute__((visibility("hidden"))) {

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

}  // namespace gn
