/*
 * secp256k1 ECDSA verification for the auth machine, over libsecp256k1 (bitcoin-core/secp256k1), exposed to Node through N-API (plain C, no node-addon-api).
 *
 * verify(pubkey: Uint8Array(33), digest: Uint8Array(32), sig: Uint8Array(64)) -> boolean
 *   pubkey: compressed SEC1 point; digest: sha256 of the sign bytes; sig: r||s (compact).
 *   false for an invalid key, an unparsable (overflowing) signature, a high-S signature or a
 *   failed verification; throws TypeError only on wrong argument types or lengths.
 *
 * Built from the libsecp256k1 source vendored by the npm package secp256k1 (build.mjs).
 *
 * Source: bitcoin-core/secp256k1 include/secp256k1.h (ec_pubkey_parse,
 * ecdsa_signature_parse_compact, ecdsa_verify: lower-S only), cosmos-sdk
 * crypto/keys/secp256k1 (VerifySignature semantics).
 */
#include <node_api.h>
#include <secp256k1.h>
#include <pthread.h>
#include <stddef.h>

/* One verification context per process, shared by every thread that loads the addon (the
 * VerifierPool's workers): libsecp256k1 contexts are read-only once built, so sharing is safe;
 * pthread_once makes the build itself race-free when workers load the addon together. */
static secp256k1_context *verify_ctx = NULL;
static pthread_once_t verify_once = PTHREAD_ONCE_INIT;
static void create_context(void) { verify_ctx = secp256k1_context_create(SECP256K1_CONTEXT_VERIFY); }

static int bytes_arg(napi_env env, napi_value v, size_t want, const unsigned char **out) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value ab;
  size_t offset;
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return 0;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok) return 0;
  if (type != napi_uint8_array || length != want) return 0;
  *out = (const unsigned char *)data; /* N-API: already adjusted by byte_offset */
  return 1;
}

static napi_value verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_value result;
  const unsigned char *pub, *digest, *sig;
  secp256k1_pubkey pk;
  secp256k1_ecdsa_signature s;
  int ok = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 ||
      !bytes_arg(env, argv[0], 33, &pub) || !bytes_arg(env, argv[1], 32, &digest) || !bytes_arg(env, argv[2], 64, &sig)) {
    napi_throw_type_error(env, NULL, "verify(pubkey: Uint8Array(33), digest: Uint8Array(32), sig: Uint8Array(64))");
    return NULL;
  }
  if (secp256k1_ec_pubkey_parse(verify_ctx, &pk, pub, 33) && secp256k1_ecdsa_signature_parse_compact(verify_ctx, &s, sig)) {
    ok = secp256k1_ecdsa_verify(verify_ctx, &s, digest, &pk);
  }
  napi_get_boolean(env, ok == 1, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  pthread_once(&verify_once, create_context);
  napi_create_function(env, "verify", NAPI_AUTO_LENGTH, verify, NULL, &fn);
  napi_set_named_property(env, exports, "verify", fn);
  return exports;
}
