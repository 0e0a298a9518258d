// cyber•rank native engine: the N-API functions calculate (argument checks, then run_job in a
// Napi::AsyncWorker on the libuv thread pool), streamTriad and bestIsa. Registered by
// rank_module.cc; declarations: rank_internal.h.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "rank_internal.h"

namespace gn __attribute__((visibility("hidden"))) {

namespace {

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

}  // namespace

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

}  // namespace gn
