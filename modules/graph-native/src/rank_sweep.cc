// cyber•rank native engine: run-time ISA choice, the row kernels (scalar, AVX2, AVX-512: the same
// integer sums) and the sweeps built on them. Declarations and the fixed-point conventions:
// rank_internal.h.
#include "rank_internal.h"

#ifdef GN_X86
#include <immintrin.h>
#endif

namespace gn __attribute__((visibility("hidden"))) {

int best_isa() {
#ifdef GN_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return ISA_AVX512;
  if (__builtin_cpu_supports("avx2")) return ISA_AVX2;
#endif
  return ISA_SCALAR;
}

const char* isa_name(int isa) { return isa == ISA_AVX512 ? "avx512" : isa == ISA_AVX2 ? "avx2" : "scalar"; }

namespace {

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

}  // namespace

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

// The first sweep of an incremental calculation (update(), rank_update.cc): the weights kept from the
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

}  // namespace gn
