// Rank Merkle tree hashing for modules/graph/rank/RankMerkleTree.ts (go-cyber package merkle:
// leaf = sha256(u64 LE), node = sha256(left || right)), off the JavaScript thread. SHA-256 is
// OpenSSL's, exported by the Node binary itself (headers under include/node/openssl).
//
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 but exported, and measured 3.2x faster per
// 70-byte input than the one-shot SHA256() (80 against 258 ns, sha256batch.cc), which goes
// through EVP; same digests.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <napi.h>
#include <openssl/sha.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

// SHA-256 of in[0, len) into out[0, 32). out may equal in (the digest is written after every
// input byte is read), as the in-place levels below need.
inline void sha256(const uint8_t* in, size_t len, uint8_t* out) {
  SHA256_CTX c;
  SHA256_Init(&c);
  SHA256_Update(&c, in, len);
  SHA256_Final(out, &c);
}

// Hash every level of the perfect subtrees over n leaves. full: the output holds all levels,
// level k (floor(n / 2^k) hashes) after level k-1. Not full: only the subtree roots, largest
// (leftmost) first, each as 32-byte hash.
class MerkleWorker : public Napi::AsyncWorker {
 public:
  MerkleWorker(Napi::Env env, Napi::Object keep, const uint8_t* values, size_t n, bool full)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), values_(values), n_(n), full_(full) {
    keep_ = Napi::Persistent(keep);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    const size_t n = n_;
    size_t total = 0;
    for (size_t c = n; c > 0; c /= 2) total += c;
    std::vector<uint8_t> level(n * 32);
    for (size_t i = 0; i < n; i++) sha256(values_ + 8 * i, 8, level.data() + 32 * i);
    if (full_) out_.reserve(total * 32);
    std::vector<std::vector<uint8_t>> roots;
    size_t count = n;
    for (;;) {
      if (full_) out_.insert(out_.end(), level.begin(), level.begin() + count * 32);
      if (count & 1) roots.emplace_back(level.begin() + (count - 1) * 32, level.begin() + count * 32);
      if (count < 2) break;
      const size_t next = count / 2;
      for (size_t i = 0; i < next; i++) sha256(level.data() + 64 * i, 64, level.data() + 32 * i);  // in place: reads 2i, 2i+1 >= i
      count = next;
    }
    if (!full_) {
      for (size_t r = roots.size(); r-- > 0;) out_.insert(out_.end(), roots[r].begin(), roots[r].end());
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, out_.size());
    if (!out_.empty()) std::memcpy(buf.Data(), out_.data(), out_.size());
    deferred_.Resolve(Napi::Uint8Array::New(env, out_.size(), buf, 0));
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference keep_;
  const uint8_t* values_;
  size_t n_;
  bool full_;
  std::vector<uint8_t> out_;
};

}  // namespace

// merkleLevels(values: BigUint64Array, full: boolean) -> Promise<Uint8Array>
Napi::Value MerkleLevels(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsBoolean()) {
    Napi::TypeError::New(env, "merkleLevels(values: BigUint64Array, full: boolean)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  auto ta = info[0].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_biguint64_array) {
    Napi::TypeError::New(env, "values must be a BigUint64Array").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const uint8_t* data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  Napi::Object keep = Napi::Object::New(env);
  keep.Set("values", ta);
  auto* w = new MerkleWorker(env, keep, data, ta.ElementLength(), info[1].As<Napi::Boolean>().Value());
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}
