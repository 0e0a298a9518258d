// The graph_native addon's module init: registers cyber•rank's functions (rank_napi.cc) and the
// other files' exports (merkle.cc, sort.cc). The exports are declared for JavaScript in
// modules/graph/rank/internal/native.ts.
#include <thread>

#include "rank_internal.h"

Napi::Value MerkleLevels(const Napi::CallbackInfo& info);  // merkle.cc
Napi::Value SortLinks(const Napi::CallbackInfo& info);     // sort.cc

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("merkleLevels", Napi::Function::New(env, MerkleLevels));
  exports.Set("sortLinks", Napi::Function::New(env, SortLinks));
  exports.Set("calculate", Napi::Function::New(env, gn::Calculate));
  exports.Set("streamTriad", Napi::Function::New(env, gn::StreamTriad));
  exports.Set("bestIsa", Napi::Function::New(env, gn::BestIsa));
  exports.Set("hardwareThreads", Napi::Number::New(env, std::thread::hardware_concurrency()));
  return exports;
}

}  // namespace

NODE_API_MODULE(graph_native, Init)
