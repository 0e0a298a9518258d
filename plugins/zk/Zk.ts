/**
 * The zk plugin machine: Groth16 proof verification over BN254 (circom + snarkjs keys and proofs).
 *
 * - `/cyberkernel.zk.v1.MsgStoreVerifyingKey` {sender, key (snarkjs verification_key.json bytes,
 *   at most `max_key_bytes`)}: checks the key (every point on its curve, G2 points in the subgroup,
 *   at most `max_public_inputs` inputs) and stores its canonical bytes (internal/Groth16.ts) under
 *   their sha256. Response `MsgStoreVerifyingKeyResponse` {hash (64 hex)}. Storing a key that is
 *   already stored is a no-op answering the same hash (same gas, no write, no event); a new key
 *   emits `zk_key_stored` {hash, sender, n_public}.
 * - `/cyberkernel.zk.v1.MsgVerifyProof` {sender, key_hash, proof (snarkjs proof.json bytes),
 *   public_inputs (decimal strings)}: verifies the proof; on success records the public inputs under
 *   the key (the first verification's height and sender are kept) and emits `zk_proof_verified`
 *   {key_hash, inputs_hash, sender, first}. A proof that fails the pairing check is refused with
 *   ZkInvalidProof (code 3, codespace zk) and nothing is written. Response {inputs_hash (64 hex)}.
 * - Queries `/cyberkernel.zk.v1.Query/` VerifyingKey {key_hash} -> {found, key (JSON), n_public};
 *   Verified {key_hash, public_inputs} -> {verified, height, sender}; Params {} -> Params.
 * - Interface `zk` (wit/zk.wit): `verify` (read-only) {key_hash, proof, public_inputs} -> {valid}:
 *   false when the pairing check fails; unknown key, malformed proof, wrong input count and inputs
 *   outside the field are errors, as for the message. Nothing is written.
 * - Gas (on top of the metered store): a verification costs 4 x gas_per_pairing + n x
 *   gas_per_public_input (n the key's nPublic), charged right after the key is read from state and
 *   before it is prepared or anything else is checked; storing a new or known key gas_store_key +
 *   (n + 1) x gas_per_public_input.
 *   Defaults from bench/zk.bench.ts (docs/zk.md "Gas").
 * - Genesis `{ "params": {...}, "keys": [{"hash", "key"}], "verified": [{"key_hash",
 *   "public_inputs", "height", "sender"}] }`; export lists keys in hash order and verified records
 *   in (key hash, inputs hash) order.
 * - Grants: `program:*` and `contract:*` may call `zk.verify` (read-only, priced by gas), so every
 *   CyberWasm program and EVM contract can verify proofs; the machine itself calls no other machine.
 *
 * State: `p` -> Params; `k/<key hash 32>` -> canonical key bytes; `v/<key hash 32><inputs hash 32>`
 * -> VerifiedRecord (internal/Codecs.ts), where inputs hash = sha256 of the inputs as 32-byte
 * big-endian field elements.
 *
 * Prepared keys (pairing precomputes, e(alpha, beta)) are kept in a bounded in-memory cache keyed
 * by key hash: content-addressed, so a hit gives exactly what recomputing would; every lookup
 * reads the key from state first and the verification gas (which covers a preparation) is charged
 * before it, so gas never depends on the cache.
 *
 * The entry point of the plugin package (package.json "cyberkernel".entry).
 */
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { Grant } from "../../chain/Capabilities.ts"
import type { InterfaceSpec } from "../../chain/Interface.ts"
import type { ExecContext, Machine, MsgContext, MsgResult, QueryContext } from "../../chain/Machine.ts"
import type { KVStore } from "../../store/KVStore.ts"
import type { PluginFactory, PluginHost, PluginOptions } from "../Host.ts"
import { zkCodecs, type MsgStoreVerifyingKey, type MsgVerifyProof, type Params, type VerifiedRecord, type ZkCodecs } from "./internal/Codecs.ts"
import { zkErrors, type ZkErrors } from "./internal/Errors.ts"
import {
  canonicalKeyInputs, decimalBelow, decodeKey, encodeKey, FIELD_R, keyJson, parseKey, parseProofJson, prepareKey, readKeyJson, verifyPrepared,
  type PreparedKey, type Refusals, type VerifyingKey
} from "./internal/Groth16.ts"

/** Type URL of MsgStoreVerifyingKey. */
export const MSG_STORE_KEY = "/cyberkernel.zk.v1.MsgStoreVerifyingKey"
/** Type URL of its response. */
export const MSG_STORE_KEY_RESPONSE = "/cyberkernel.zk.v1.MsgStoreVerifyingKeyResponse"
/** Type URL of MsgVerifyProof. */
export const MSG_VERIFY_PROOF = "/cyberkernel.zk.v1.MsgVerifyProof"
/** Type URL of its response. */
export const MSG_VERIFY_PROOF_RESPONSE = "/cyberkernel.zk.v1.MsgVerifyProofResponse"
/** Query path prefix (methods VerifyingKey, Verified, Params). */
export const ZK_QUERY = "/cyberkernel.zk.v1.Query/"
/** Plugin version (must equal package.json "version"). */
export const ZK_VERSION = "0.1.0"
/** Pairings a Groth16 verification is charged for (e(A,B), e(alpha,beta), e(vk_x,gamma), e(C,delta)). */
export const PAIRINGS_PER_VERIFY = 4

/**
 * Default parameters. Gas from bench/zk.bench.ts (docs/performance.md "Groth16 verification
 * (plugins/zk)"): measured milliseconds times the gas per millisecond of a secp256k1 verification
 * (node:crypto, which the SDK prices at 1,000 gas; about 2,100 to 2,500 gas/ms there), the largest
 * of three runs rounded up: a pairing about 8.3 ms (a verification whose prepared key missed the
 * cache, 4 pairings), a full-size public input 1.4 to 2.0 ms, key checks (3 G2 subgroup checks)
 * about 4.5 ms beyond the per-point part.
 */
export const DEFAULT_PARAMS: Params = Object.freeze({
  maxKeyBytes: 32_768,
  maxProofBytes: 4_096,
  maxPublicInputs: 64,
  gasPerPairing: 20_000n,
  gasPerPublicInput: 4_500n,
  gasStoreKey: 11_000n
})

/** What the chain grants at activation: every program and contract may call `zk.verify`. */
export const ZK_GRANTS: ReadonlyArray<Grant> = Object.freeze([
  { principal: "program:*", capability: { interface: "zk", method: "verify", constraints: [] } },
  { principal: "contract:*", capability: { interface: "zk", method: "verify", constraints: [] } }
])

/** Most prepared keys kept in memory (first in, first out). */
const PREPARED_CACHE = 64

const PARAMS_KEY = Uint8Array.of(0x70) // "p"
const KEY_PREFIX = Uint8Array.of(0x6b, 0x2f) // "k/"
const KEY_END = Uint8Array.of(0x6b, 0x30)
const VERIFIED_PREFIX = Uint8Array.of(0x76, 0x2f) // "v/"
const VERIFIED_END = Uint8Array.of(0x76, 0x30)
const HEX64 = /^[0-9a-fA-F]{64}$/
const enc = new TextEncoder()

const concat = (...parts: Uint8Array[]): Uint8Array => {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
const toHex = (b: Uint8Array): string => {
  let s = ""
  for (const x of b) s += x.toString(16).padStart(2, "0")
  return s
}
const fromHex = (h: string): Uint8Array => {
  const out = new Uint8Array(h.length >>> 1)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Field elements and their canonical forms. */
interface Inputs {
  readonly values: ReadonlyArray<bigint>
  readonly decimals: ReadonlyArray<string>
  readonly hash: Uint8Array
}

/** The zk machine (see module doc). */
export class ZkMachine implements Machine {
  readonly name = "zk"
  readonly version = ZK_VERSION
  readonly msgTypeUrls = [MSG_STORE_KEY, MSG_VERIFY_PROOF]
  readonly queryPrefixes = [ZK_QUERY]
  readonly grants = ZK_GRANTS
  readonly interface: InterfaceSpec
  /** The codecs (also for clients and tests). */
  readonly codecs: ZkCodecs
  /** The error classes (codespace zk). */
  readonly errors: ZkErrors
  private readonly host: PluginHost
  private readonly prefix: string
  private readonly refusals: Refusals
  private readonly prepared = new Map<string, PreparedKey>()

  constructor(opts: PluginOptions) {
    this.host = opts.host
    this.prefix = opts.bech32Prefix
    this.codecs = zkCodecs(opts.host)
    this.errors = zkErrors(opts.host)
    const E = this.errors
    this.refusals = {
      malformedKey: (field, why) => new E.ZkMalformedKey({ log: `malformed verifying key: ${field}: ${why}` }),
      malformedProof: (field, why) => new E.ZkMalformedProof({ log: `malformed proof: ${field}: ${why}` })
    }
    this.interface = {
      name: "zk",
      methods: {
        verify: { name: "verify", readOnly: true, request: this.codecs.verifyRequest, response: this.codecs.verifyResponse }
      }
    }
  }

  // ------------------------------------------------------------ state

  /** The params in state, or the defaults when none were written. */
  params(store: KVStore): Params {
    const v = store.get(PARAMS_KEY)
    return v === undefined ? DEFAULT_PARAMS : this.codecs.params.decode(v)
  }

  private keyHash(text: string, field: string): Uint8Array {
    if (!HEX64.test(text)) throw new this.errors.ZkMalformedKey({ log: `${field}: expected 64 hex characters (sha256 of the canonical key), got ${JSON.stringify(text.slice(0, 80))}` }) // determinism-ok: a string
    return fromHex(text.toLowerCase())
  }

  /** The stored canonical key bytes under `hash`; ZkUnknownKey when none. A plain store read. */
  private keyBytes(store: KVStore, hash: Uint8Array): Uint8Array {
    const bytes = store.get(concat(KEY_PREFIX, hash))
    if (bytes === undefined) throw new this.errors.ZkUnknownKey({ log: `unknown verifying key ${toHex(hash)}: store it with MsgStoreVerifyingKey first` })
    return bytes
  }

  /**
   * The stored key `bytes` (under `hash`) prepared for verification, from the cache or computed (a
   * pairing and two G2 line tables: the caller has charged the verification gas, which covers it).
   * A stored key that cannot be prepared (written before the infinity checks) is ZkMalformedKey.
   */
  private prepare(hash: Uint8Array, bytes: Uint8Array): PreparedKey {
    const hex = toHex(hash)
    const hit = this.prepared.get(hex)
    if (hit) return hit
    const pk = this.guard(() => prepareKey(decodeKey(bytes)), (why) => new this.errors.ZkMalformedKey({ log: `malformed verifying key: stored key ${hex} cannot be used: ${why}` }))
    if (this.prepared.size >= PREPARED_CACHE) this.prepared.delete(this.prepared.keys().next().value!)
    this.prepared.set(hex, pk)
    return pk
  }

  /**
   * Run `f` (parsing or curve arithmetic on input): a chain error passes through, anything else
   * (an exception out of noble or JSON handling) becomes the typed error `typed(message)`, so no
   * input can raise a non-chain error (a host fault).
   */
  private guard<T>(f: () => T, typed: (why: string) => Error): T {
    try {
      return f()
    } catch (e) {
      if (this.host.errors.isChainError(e)) throw e
      throw typed(e instanceof Error ? e.message.slice(0, 200) : "unexpected failure")
    }
  }

  /** Check count and range of `inputs` against a key with `nPublic` inputs. */
  private inputs(texts: ReadonlyArray<string>, nPublic: number | undefined): Inputs {
    if (nPublic !== undefined && texts.length !== nPublic) {
      throw new this.errors.ZkWrongInputCount({ log: `wrong number of public inputs: the key has ${nPublic}, got ${texts.length}` })
    }
    const values = texts.map((t, i) => {
      const v = decimalBelow(t, FIELD_R)
      if (v === undefined) {
        throw new this.errors.ZkInputNotField({ log: `public input ${i} (${JSON.stringify(t.slice(0, 100))}) is not a decimal string below the BN254 scalar field modulus r` }) // determinism-ok: a string
      }
      return v
    })
    const bytes = new Uint8Array(32 * values.length)
    values.forEach((v, i) => {
      let n = v
      for (let j = 31; j >= 0; j--) {
        bytes[32 * i + j] = Number(n & 0xffn)
        n >>= 8n
      }
    })
    return { values, decimals: values.map((v) => v.toString()), hash: this.host.sha256(bytes) }
  }

  /**
   * Verify under the stored key: returns the pairing check's result and the inputs. The
   * verification gas (4 pairings + the key's n_public inputs) is charged right after the key is
   * read from state, before it is prepared and before any other check, so it is the same whether
   * the prepared key is cached or not and every refusal after it has paid for the work done.
   */
  private check(ctx: ExecContext, keyHash: string, proof: Uint8Array, publicInputs: ReadonlyArray<string>): { valid: boolean; inputs: Inputs; hash: Uint8Array } {
    const params = this.params(ctx.store)
    const hash = this.keyHash(keyHash, "key_hash")
    const bytes = this.keyBytes(ctx.store, hash)
    const nPublic = canonicalKeyInputs(bytes)
    ctx.gas.consume(Number(BigInt(PAIRINGS_PER_VERIFY) * params.gasPerPairing + BigInt(nPublic) * params.gasPerPublicInput), "zk groth16 verify")
    const pk = this.prepare(hash, bytes)
    const inputs = this.inputs(publicInputs, pk.key.nPublic)
    if (proof.length > params.maxProofBytes) {
      throw new this.errors.ZkMalformedProof({ log: `malformed proof: proof: ${proof.length} bytes, more than the limit of ${params.maxProofBytes} bytes` })
    }
    const malformed = (why: string) => this.refusals.malformedProof("proof", why)
    const parsed = this.guard(() => parseProofJson(proof, this.refusals), malformed)
    const valid = this.guard(() => verifyPrepared(pk, parsed, inputs.values), (why) => malformed(`the pairing check cannot be computed: ${why}`))
    return { valid, inputs, hash }
  }

  /**
   * Check and store a key (no-op when stored); returns its hash. Charges gas before the point checks.
   * `limits` false (genesis import) skips max_key_bytes and max_public_inputs: an exported key
   * re-imports under any params.
   */
  private storeKey(ctx: ExecContext, params: Params, bytes: Uint8Array, limits: boolean): { hash: Uint8Array; key: VerifyingKey; created: boolean } {
    if (limits && bytes.length > params.maxKeyBytes) {
      throw new this.errors.ZkKeyTooLarge({ log: `verifying key is ${bytes.length} bytes, more than the limit of ${params.maxKeyBytes} bytes` })
    }
    const malformed = (why: string) => this.refusals.malformedKey("key", why)
    const draft = this.guard(() => readKeyJson(bytes, limits ? params.maxPublicInputs : Number.MAX_SAFE_INTEGER, this.refusals), malformed)
    ctx.gas.consume(Number(params.gasStoreKey + BigInt(draft.nPublic + 1) * params.gasPerPublicInput), "zk verifying key checks")
    const key = this.guard(() => parseKey(draft, this.refusals), malformed)
    const canonical = this.guard(() => encodeKey(key), malformed)
    const hash = this.host.sha256(canonical)
    const k = concat(KEY_PREFIX, hash)
    if (ctx.store.has(k)) return { hash, key, created: false }
    ctx.store.set(k, canonical)
    return { hash, key, created: true }
  }

  // ------------------------------------------------------------ messages

  private decodeMsg(msg: Any): MsgStoreVerifyingKey | MsgVerifyProof {
    try {
      if (msg.typeUrl === MSG_STORE_KEY) return this.codecs.msgStoreKey.decode(msg.value)
      if (msg.typeUrl === MSG_VERIFY_PROOF) return this.codecs.msgVerifyProof.decode(msg.value)
    } catch (e) {
      throw new this.host.errors.TxDecodeError({ log: `${(e as { log?: string }).log ?? String(e)}: tx parse error` })
    }
    throw new this.host.errors.UnknownRequest({ log: `zk has no message ${msg.typeUrl}` })
  }

  signers(msg: Any): ReadonlyArray<string> {
    return [this.host.address.canonical(this.decodeMsg(msg).sender, this.prefix, "invalid sender")]
  }

  handle(ctx: MsgContext, msg: Any): MsgResult {
    const m = this.decodeMsg(msg)
    const sender = this.host.address.format(this.host.address.parse(m.sender, this.prefix, "invalid sender"), this.prefix)
    if (msg.typeUrl === MSG_STORE_KEY) {
      const { hash, key, created } = this.storeKey(ctx, this.params(ctx.store), (m as MsgStoreVerifyingKey).key, true)
      const hex = toHex(hash)
      if (created) {
        ctx.emit({
          type: "zk_key_stored",
          attributes: [{ key: "hash", value: hex, index: true }, { key: "sender", value: sender, index: true }, { key: "n_public", value: String(key.nPublic), index: false }]
        })
      }
      return { typeUrl: MSG_STORE_KEY_RESPONSE, value: this.codecs.storeKeyResponse.encode({ hash: hex }) }
    }
    const v = m as MsgVerifyProof
    const { valid, inputs, hash } = this.check(ctx, v.keyHash, v.proof, v.publicInputs)
    if (!valid) {
      throw new this.errors.ZkInvalidProof({ log: `invalid proof: the Groth16 pairing check fails for key ${toHex(hash)} and the ${inputs.values.length} public inputs given` })
    }
    const rk = concat(VERIFIED_PREFIX, hash, inputs.hash)
    const first = !ctx.store.has(rk)
    if (first) ctx.store.set(rk, this.codecs.record.encode({ height: BigInt(ctx.height), sender, publicInputs: inputs.decimals }))
    const inputsHash = toHex(inputs.hash)
    ctx.emit({
      type: "zk_proof_verified",
      attributes: [
        { key: "key_hash", value: toHex(hash), index: true },
        { key: "inputs_hash", value: inputsHash, index: true },
        { key: "sender", value: sender, index: true },
        { key: "first", value: first ? "true" : "false", index: false }
      ]
    })
    return { typeUrl: MSG_VERIFY_PROOF_RESPONSE, value: this.codecs.verifyProofResponse.encode({ inputsHash }) }
  }

  // ------------------------------------------------------------ calls and queries

  onCall(ctx: ExecContext, _caller: string, method: string, body: Uint8Array, request?: unknown): Uint8Array {
    if (method !== "verify") throw new this.host.errors.UnknownRequest({ log: `zk has no method "${method}"` })
    const req = (request as ReturnType<ZkCodecs["verifyRequest"]["decode"]> | undefined) ?? this.codecs.verifyRequest.decode(body)
    return this.codecs.verifyResponse.encode({ valid: this.check(ctx, req.keyHash, req.proof, req.publicInputs).valid })
  }

  query(ctx: QueryContext, path: string, data: Uint8Array): Uint8Array {
    if (path === ZK_QUERY + "VerifyingKey") {
      const hash = this.keyHash(this.codecs.keyRequest.decode(data).keyHash, "key_hash")
      const bytes = ctx.store.get(concat(KEY_PREFIX, hash))
      if (bytes === undefined) return this.codecs.keyResponse.encode({ found: false, key: new Uint8Array(0), nPublic: 0 })
      const key = decodeKey(bytes)
      return this.codecs.keyResponse.encode({ found: true, key: enc.encode(keyJson(key)), nPublic: key.nPublic })
    }
    if (path === ZK_QUERY + "Verified") {
      const req = this.codecs.verifiedRequest.decode(data)
      const hash = this.keyHash(req.keyHash, "key_hash")
      const v = ctx.store.get(concat(VERIFIED_PREFIX, hash, this.inputs(req.publicInputs, undefined).hash))
      if (v === undefined) return this.codecs.verifiedResponse.encode({ verified: false, height: 0n, sender: "" })
      const r = this.codecs.record.decode(v)
      return this.codecs.verifiedResponse.encode({ verified: true, height: r.height, sender: r.sender })
    }
    if (path === ZK_QUERY + "Params") {
      this.codecs.empty.decode(data)
      return this.codecs.params.encode(this.params(ctx.store))
    }
    throw new this.host.errors.UnknownRequest({ log: `unknown query path ${path}` })
  }

  // ------------------------------------------------------------ genesis

  private genesisParams(v: unknown): Params {
    if (v === undefined) return DEFAULT_PARAMS
    const bad = (why: string) => new this.host.errors.InvalidRequest({ log: `zk genesis params: ${why}` })
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("expected an object")
    const o = v as Record<string, unknown>
    const limit = (name: string, d: number): number => {
      const x = o[name]
      if (x === undefined) return d
      const n = typeof x === "string" && /^[0-9]{1,10}$/.test(x) ? Number(x) : x
      if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1 || n > 0xffffffff) throw bad(`${name} must be an integer in 1..4294967295`)
      return n
    }
    const gas = (name: string, d: bigint): bigint => {
      const x = o[name]
      if (x === undefined) return d
      // at most 10^12: 64 inputs' worth stays a safe integer for the gas meter
      if (typeof x === "number" && Number.isSafeInteger(x) && x >= 0 && x <= 1e12) return BigInt(x)
      if (typeof x === "string" && /^[0-9]{1,12}$/.test(x) && BigInt(x) <= 1_000_000_000_000n) return BigInt(x)
      throw bad(`${name} must be an integer in 0..1000000000000`)
    }
    return {
      maxKeyBytes: limit("max_key_bytes", DEFAULT_PARAMS.maxKeyBytes),
      maxProofBytes: limit("max_proof_bytes", DEFAULT_PARAMS.maxProofBytes),
      maxPublicInputs: limit("max_public_inputs", DEFAULT_PARAMS.maxPublicInputs),
      gasPerPairing: gas("gas_per_pairing", DEFAULT_PARAMS.gasPerPairing),
      gasPerPublicInput: gas("gas_per_public_input", DEFAULT_PARAMS.gasPerPublicInput),
      gasStoreKey: gas("gas_store_key", DEFAULT_PARAMS.gasStoreKey)
    }
  }

  initGenesis(ctx: ExecContext, genesis: unknown): void {
    const g = (genesis ?? {}) as { params?: unknown; keys?: unknown; verified?: unknown }
    const bad = (log: string) => new this.host.errors.InvalidRequest({ log })
    if (typeof g !== "object" || Array.isArray(g)) throw bad("zk genesis: expected {\"params\", \"keys\", \"verified\"}")
    const params = this.genesisParams(g.params)
    ctx.store.set(PARAMS_KEY, this.codecs.params.encode(params))
    const keys = g.keys ?? []
    const verified = g.verified ?? []
    if (!Array.isArray(keys) || !Array.isArray(verified)) throw bad("zk genesis: keys and verified must be lists")
    keys.forEach((e: unknown, i: number) => {
      const where = `zk genesis keys[${i}]`
      const k = e as { hash?: unknown; key?: unknown } | null
      const text = typeof k?.key === "string" ? k.key : typeof k?.key === "object" && k.key !== null ? JSON.stringify(k.key) : undefined // determinism-ok: re-encoded, then canonicalized
      if (text === undefined) throw bad(`${where}: needs key (a verification_key.json object or its text)`)
      let stored: { hash: Uint8Array; created: boolean }
      try {
        stored = this.storeKey(ctx, params, enc.encode(text), false)
      } catch (err) {
        const log = (err as { log?: string }).log
        throw log === undefined ? err : bad(`${where}: ${log}`)
      }
      if (!stored.created) throw bad(`${where}: key listed twice`)
      if (k!.hash !== undefined && (typeof k!.hash !== "string" || k!.hash.toLowerCase() !== toHex(stored.hash))) {
        throw bad(`${where}: hash ${String(k!.hash)} differs from the key's ${toHex(stored.hash)}`)
      }
    })
    verified.forEach((e: unknown, i: number) => {
      const where = `zk genesis verified[${i}]`
      const r = e as { key_hash?: unknown; public_inputs?: unknown; height?: unknown; sender?: unknown } | null
      if (typeof r?.key_hash !== "string" || !Array.isArray(r.public_inputs) || r.public_inputs.some((x) => typeof x !== "string")) {
        throw bad(`${where}: needs key_hash and public_inputs (decimal strings)`)
      }
      const height = typeof r.height === "string" && /^[0-9]{1,19}$/.test(r.height) ? BigInt(r.height) : typeof r.height === "number" && Number.isSafeInteger(r.height) && r.height >= 0 ? BigInt(r.height) : undefined
      if (height === undefined) throw bad(`${where}: height must be a non-negative integer`)
      if (typeof r.sender !== "string") throw bad(`${where}: needs sender`)
      let hash: Uint8Array
      let inputs: Inputs
      let sender: string
      try {
        hash = this.keyHash(r.key_hash, "key_hash")
        const bytes = ctx.store.get(concat(KEY_PREFIX, hash))
        if (bytes === undefined) throw new this.errors.ZkUnknownKey({ log: `unknown verifying key ${toHex(hash)} (list it under keys)` })
        inputs = this.inputs(r.public_inputs as string[], decodeKey(bytes).nPublic)
        sender = this.host.address.format(this.host.address.parse(r.sender, this.prefix, "sender"), this.prefix)
      } catch (err) {
        const log = (err as { log?: string }).log
        throw log === undefined ? err : bad(`${where}: ${log}`)
      }
      const rk = concat(VERIFIED_PREFIX, hash, inputs.hash)
      if (ctx.store.has(rk)) throw bad(`${where}: listed twice`)
      ctx.store.set(rk, this.codecs.record.encode({ height, sender, publicInputs: inputs.decimals }))
    })
  }

  exportGenesis(ctx: QueryContext): unknown {
    const p = this.params(ctx.store)
    const keys: Array<{ hash: string; key: unknown }> = []
    for (const [k, v] of ctx.store.iterate(KEY_PREFIX, KEY_END)) {
      keys.push({ hash: toHex(k.subarray(KEY_PREFIX.length)), key: JSON.parse(keyJson(decodeKey(v))) as unknown })
    }
    const verified: Array<{ key_hash: string; public_inputs: ReadonlyArray<string>; height: string; sender: string }> = []
    for (const [k, v] of ctx.store.iterate(VERIFIED_PREFIX, VERIFIED_END)) {
      const r: VerifiedRecord = this.codecs.record.decode(v)
      verified.push({ key_hash: toHex(k.subarray(VERIFIED_PREFIX.length, VERIFIED_PREFIX.length + 32)), public_inputs: r.publicInputs, height: r.height.toString(), sender: r.sender })
    }
    return {
      params: {
        max_key_bytes: p.maxKeyBytes,
        max_proof_bytes: p.maxProofBytes,
        max_public_inputs: p.maxPublicInputs,
        gas_per_pairing: p.gasPerPairing.toString(),
        gas_per_public_input: p.gasPerPublicInput.toString(),
        gas_store_key: p.gasStoreKey.toString()
      },
      keys,
      verified
    }
  }
}

/** The plugin's factory (package.json "cyberkernel".entry, default export). */
const createMachine: PluginFactory = (opts) => new ZkMachine(opts)
export default createMachine
