/**
 * Genesis export and import of the whole graph namespace (docs/graph.md "Genesis"). JSON is the
 * genesis text only; import rebuilds exactly the canonical binary keys and values the machine
 * wrote (internal/Keys.ts), so an exported chain and the chain imported from it have equal graph
 * namespaces and roots.
 *
 * Section `app_state.graph` (every field optional; numbers as decimal strings, decimals × 1e18 as
 * sdk.Dec text):
 *
 *   {
 *     "params": { ... },                                   // GraphParams.ts paramsFromGenesis
 *     "cyberlinks": [{ "from": "Qm..", "to": "Qm..", "neuron": "cyber1.." }],   // the link log, in order
 *     "particles": ["Qm..", ...],                          // particle number = index
 *     "neurons": ["cyber1..", ...],                        // neuron number = index
 *     "bandwidth": {
 *       "neurons_bandwidth": [{ "neuron", "remained_value", "last_updated_block", "max_value" }],
 *       "price": "0.25..",                                 // absent: never adjusted (BasePrice)
 *       "block_bandwidth": [{ "height", "value" }],        // the load window, per block
 *       "window_spent": "N", "block_spent": "N"
 *     },
 *     "rank": {
 *       "current": { "snapshot_height", "links", "particles", "neurons", "merkle_root" (hex),
 *                    "published_height", "stakes": ["N", ...], "rank_params": {...} },
 *       "next":    { "snapshot_height", "links", "particles", "neurons", "stakes": [...], "rank_params": {...} }
 *     }
 *   }
 *
 * A context's `rank_params` (the `params.rank` shape) are the rank params it was computed with;
 * absent, it is recomputed with the live params (state written before governance could change them).
 *
 * Particles and neurons are numbered by first appearance in the link log, so `particles` and
 * `neurons` are derived from `cyberlinks`; when given they must equal that numbering. Links carry
 * no height here (the store keeps none; go-cyber's CompactLink has none either).
 *
 * Source: go-cyber x/graph/genesis.go (links with neuron), x/bandwidth/types (NeuronBandwidth,
 * Price), x/rank/genesis.go (params); the rank contexts follow x/rank/keeper/keeper.go.
 */
import { InvalidRequest } from "../../chain/ChainError.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { formatAddress, parseAddress } from "../auth/Address.ts"
import {
  decodeRankParams, encodeParams, encodeRankParams, formatDec, paramsFromGenesis, paramsToGenesis, parseDec, rankParamsFromJson, rankParamsToJson, type GraphParams
} from "./GraphParams.ts"
import {
  K_BLOCK_SPENT, K_COUNTS, K_PARAMS, K_PRICE, K_RANK_CURRENT, K_RANK_CURRENT_PARAMS, K_RANK_CURRENT_STAKES, K_RANK_NEXT, K_RANK_NEXT_PARAMS, K_RANK_NEXT_STAKES,
  K_WINDOW, key,
  P_BANDWIDTH, P_BLOCK_BW, P_CID, P_IN, P_LINK, P_NEUDEG, P_NEURON, P_NEURON_ADDR, P_OUT, P_PARTICLE, readU64, u64, u64s
} from "./internal/Keys.ts"
import { decodeContext, encodeContext, stakesFromBytes, stakesToBytes, type RankContext } from "./internal/RankContext.ts"

const U64_MAX = (1n << 64n) - 1n
const te = new TextEncoder()
const td = new TextDecoder()
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex")

/** A rank context in genesis JSON. */
interface ContextJson {
  snapshot_height: string
  links: string
  particles: string
  neurons: string
  merkle_root?: string
  published_height?: string
  stakes?: string[]
  rank_params?: unknown
}

const contextJson = (c: RankContext, stakes: Uint8Array | undefined, params: Uint8Array | undefined): ContextJson => ({
  snapshot_height: c.snapshotHeight.toString(),
  links: c.links.toString(),
  particles: c.particles.toString(),
  neurons: c.neurons.toString(),
  ...(c.root ? { merkle_root: hex(c.root), published_height: (c.publishedHeight ?? 0n).toString() } : {}),
  ...(stakes ? { stakes: [...stakesFromBytes(stakes)].map((s) => s.toString()) } : {}),
  ...(params ? { rank_params: rankParamsToJson(decodeRankParams(params)) } : {})
})

/**
 * The graph namespace as genesis JSON (shape in the module docstring). Reads every key family of
 * internal/Keys.ts; `params` are the machine's current params (the stored ones).
 */
export const exportGraphGenesis = (store: KVStore, prefix: string, params: GraphParams): unknown => {
  const u = (k: Uint8Array): string | undefined => {
    const v = store.get(k)
    return v ? readU64(v).toString() : undefined
  }
  const range = (p: number) => store.iterate(Uint8Array.of(p), Uint8Array.of(p + 1))
  const particles: string[] = []
  for (const [, v] of range(P_PARTICLE)) particles.push(td.decode(v))
  const neurons: string[] = []
  for (const [, v] of range(P_NEURON_ADDR)) neurons.push(formatAddress(v, prefix))
  const cyberlinks: Array<{ from: string; to: string; neuron: string }> = []
  for (const [, v] of range(P_LINK)) {
    cyberlinks.push({ from: particles[Number(readU64(v, 0))]!, to: particles[Number(readU64(v, 8))]!, neuron: neurons[Number(readU64(v, 16))]! })
  }
  const neuronsBandwidth: Array<Record<string, string>> = []
  for (const [k, v] of range(P_BANDWIDTH)) {
    neuronsBandwidth.push({
      neuron: formatAddress(k.subarray(1), prefix),
      remained_value: readU64(v, 0).toString(),
      last_updated_block: readU64(v, 16).toString(),
      max_value: readU64(v, 8).toString()
    })
  }
  const blockBandwidth: Array<{ height: string; value: string }> = []
  for (const [k, v] of range(P_BLOCK_BW)) blockBandwidth.push({ height: readU64(k, 1).toString(), value: readU64(v).toString() })
  const price = store.get(K_PRICE)
  const window = u(K_WINDOW)
  const blockSpent = u(K_BLOCK_SPENT)
  const cur = store.get(K_RANK_CURRENT)
  const next = store.get(K_RANK_NEXT)
  return {
    ...(paramsToGenesis(params) as object),
    cyberlinks,
    particles,
    neurons,
    bandwidth: {
      neurons_bandwidth: neuronsBandwidth,
      ...(price ? { price: formatDec(readU64(price)) } : {}),
      block_bandwidth: blockBandwidth,
      ...(window !== undefined ? { window_spent: window } : {}),
      ...(blockSpent !== undefined ? { block_spent: blockSpent } : {})
    },
    rank: {
      ...(cur ? { current: contextJson(decodeContext(cur), store.get(K_RANK_CURRENT_STAKES), store.get(K_RANK_CURRENT_PARAMS)) } : {}),
      ...(next ? { next: contextJson(decodeContext(next), store.get(K_RANK_NEXT_STAKES), store.get(K_RANK_NEXT_PARAMS)) } : {})
    }
  }
}

const bad = (where: string, what: string): never => {
  throw new InvalidRequest({ log: `graph genesis: ${where}: ${what}` })
}

type Obj = Record<string, unknown>

const object = (v: unknown, where: string): Obj =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : bad(where, "must be an object")

const array = (v: unknown, where: string): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : bad(where, "must be an array"))

const string = (v: unknown, where: string): string => (typeof v === "string" && v !== "" ? v : bad(where, "must be a non-empty string"))

/** A u64 as a decimal string (or a safe non-negative integer number). */
const u64Of = (v: unknown, where: string): bigint => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v !== "string" || !/^\d{1,20}$/.test(v)) return bad(where, `must be an unsigned integer string, got ${show(v)}`)
  const n = BigInt(v)
  return n > U64_MAX ? bad(where, "exceeds the u64 range") : n
}

/** Only the listed fields (the first unknown one in sorted order is named). */
const fields = (o: Obj, allowed: ReadonlyArray<string>, where: string): void => {
  const unknown: string[] = []
  for (const k in o) if (!allowed.includes(k)) unknown.push(k) // determinism-ok: genesis input check; the names are sorted before use
  unknown.sort()
  if (unknown.length > 0) bad(`${where}.${unknown[0]}`, `unknown field (allowed: ${allowed.join(", ")})`)
}

/** A short rendering of a JSON value for error messages. */
const show = (v: unknown): string => (typeof v === "string" ? `"${v}"` : v === null || typeof v !== "object" ? String(v) : Array.isArray(v) ? "an array" : "an object")

const addressOf = (v: unknown, prefix: string, where: string): Uint8Array => {
  const s = string(v, where)
  try {
    return parseAddress(s, prefix)
  } catch (e) {
    return bad(where, `invalid bech32 address "${s}": ${(e as { log?: string }).log ?? String(e)}`)
  }
}

/**
 * Write the graph section into an empty namespace: params always (missing fields from
 * `defaults`), then links, particles, neurons, bandwidth and rank contexts exactly as the machine
 * stores them. `validateParticle` checks each CID as MsgCyberlink does. Every malformed entry is
 * InvalidRequest naming it (`graph genesis: cyberlinks[3].to: ...`); nothing is written then,
 * because all checks run before the first write.
 */
export const importGraphGenesis = (
  store: KVStore,
  genesis: unknown,
  prefix: string,
  defaults: GraphParams,
  validateParticle: (cid: string) => void
): void => {
  const params = paramsFromGenesis(genesis, defaults)
  const writes: Array<readonly [Uint8Array, Uint8Array]> = [[K_PARAMS, encodeParams(params)]]
  if (genesis === undefined || genesis === null) {
    for (const [k, v] of writes) store.set(k, v)
    return
  }
  const g = object(genesis, "section")
  fields(g, ["params", "cyberlinks", "particles", "neurons", "bandwidth", "rank"], "section")
  const set = (k: Uint8Array, v: Uint8Array) => writes.push([k, v])

  // links; particles and neurons numbered by first appearance
  const particleNum = new Map<string, number>()
  const particleList: string[] = []
  const neuronNum = new Map<string, number>()
  const neuronList: Uint8Array[] = []
  const degree: bigint[] = []
  const seen = new Set<string>()
  const links = array(g["cyberlinks"], "cyberlinks")
  const particleOf = (text: string): number => {
    let n = particleNum.get(text)
    if (n === undefined) {
      n = particleList.length
      particleNum.set(text, n)
      particleList.push(text)
    }
    return n
  }
  /** Particles and neurons among the first `i` links (numbers grow by first appearance). */
  const prefixCounts: Array<{ particles: number; neurons: number }> = [{ particles: 0, neurons: 0 }]
  links.forEach((raw, i) => {
    const where = `cyberlinks[${i}]`
    const l = object(raw, where)
    fields(l, ["from", "to", "neuron"], where)
    const from = string(l["from"], `${where}.from`)
    const to = string(l["to"], `${where}.to`)
    for (const [text, f] of [[from, "from"], [to, "to"]] as const) {
      try {
        validateParticle(text)
      } catch (e) {
        bad(`${where}.${f}`, (e as { log?: string }).log ?? String(e))
      }
    }
    if (from === to) bad(where, `loop cyberlink not allowed: ${from} links to itself`)
    const addr = addressOf(l["neuron"], prefix, `${where}.neuron`)
    const addrHex = hex(addr)
    let neuron = neuronNum.get(addrHex)
    if (neuron === undefined) {
      neuron = neuronList.length
      neuronNum.set(addrHex, neuron)
      neuronList.push(addr)
      degree.push(0n)
    }
    const f = particleOf(from)
    const t = particleOf(to)
    const id = `${f} ${t} ${neuron}`
    if (seen.has(id)) bad(where, `duplicate cyberlink ${from} -> ${to} by ${String(l["neuron"])}`)
    seen.add(id)
    degree[neuron]!++
    set(key(P_LINK, u64(i)), u64s(f, t, neuron))
    set(key(P_OUT, u64(f), u64(t), u64(neuron)), new Uint8Array())
    set(key(P_IN, u64(t), u64(f), u64(neuron)), new Uint8Array())
    prefixCounts.push({ particles: particleList.length, neurons: neuronList.length })
  })
  if (g["particles"] !== undefined) {
    const given = array(g["particles"], "particles")
    if (given.length !== particleList.length) bad("particles", `${given.length} particles, but the cyberlinks number ${particleList.length} (particles are numbered by first appearance in the links)`)
    given.forEach((p, i) => {
      if (p !== particleList[i]) bad(`particles[${i}]`, `${show(p)} is not particle ${i} of the cyberlinks (${particleList[i]})`)
    })
  }
  if (g["neurons"] !== undefined) {
    const given = array(g["neurons"], "neurons")
    if (given.length !== neuronList.length) bad("neurons", `${given.length} neurons, but the cyberlinks have ${neuronList.length} (neurons are numbered by their first link)`)
    given.forEach((n, i) => {
      if (hex(addressOf(n, prefix, `neurons[${i}]`)) !== hex(neuronList[i]!)) bad(`neurons[${i}]`, `${String(n)} is not neuron ${i} of the cyberlinks (${formatAddress(neuronList[i]!, prefix)})`)
    })
  }
  particleList.forEach((text, n) => {
    set(key(P_CID, te.encode(text)), u64(n))
    set(key(P_PARTICLE, u64(n)), te.encode(text))
  })
  neuronList.forEach((addr, n) => {
    set(key(P_NEURON, addr), u64(n))
    set(key(P_NEURON_ADDR, u64(n)), addr)
    set(key(P_NEUDEG, u64(n)), u64(degree[n]!))
  })
  if (links.length > 0) set(K_COUNTS, u64s(particleList.length, links.length, neuronList.length))

  // bandwidth
  if (g["bandwidth"] !== undefined) {
    const b = object(g["bandwidth"], "bandwidth")
    fields(b, ["neurons_bandwidth", "price", "block_bandwidth", "window_spent", "block_spent"], "bandwidth")
    const seenBw = new Set<string>()
    array(b["neurons_bandwidth"], "bandwidth.neurons_bandwidth").forEach((raw, i) => {
      const where = `bandwidth.neurons_bandwidth[${i}]`
      const r = object(raw, where)
      fields(r, ["neuron", "remained_value", "last_updated_block", "max_value"], where)
      const addr = addressOf(r["neuron"], prefix, `${where}.neuron`)
      if (seenBw.has(hex(addr))) bad(where, `second record of neuron ${String(r["neuron"])}`)
      seenBw.add(hex(addr))
      const remained = u64Of(r["remained_value"], `${where}.remained_value`)
      const max = u64Of(r["max_value"], `${where}.max_value`)
      if (remained > max) bad(where, `remained_value ${remained} exceeds max_value ${max}`)
      set(key(P_BANDWIDTH, addr), u64s(remained, max, u64Of(r["last_updated_block"], `${where}.last_updated_block`)))
    })
    if (b["price"] !== undefined) {
      const text = string(b["price"], "bandwidth.price")
      let price: bigint
      try {
        price = parseDec(text, "bandwidth.price")
      } catch {
        price = bad("bandwidth.price", `must be a decimal string such as "0.25", got "${text}"`)
      }
      if (price <= 0n || price > 10n ** 18n) bad("bandwidth.price", `must be in (0, 1], got ${text}`)
      set(K_PRICE, u64(price))
    }
    let sum = 0n
    const heights = new Set<bigint>()
    array(b["block_bandwidth"], "bandwidth.block_bandwidth").forEach((raw, i) => {
      const where = `bandwidth.block_bandwidth[${i}]`
      const r = object(raw, where)
      fields(r, ["height", "value"], where)
      const h = u64Of(r["height"], `${where}.height`)
      const v = u64Of(r["value"], `${where}.value`)
      if (v === 0n) bad(`${where}.value`, "must be positive (blocks that spent nothing are not stored)")
      if (heights.has(h)) bad(`${where}.height`, `height ${h} appears twice`)
      heights.add(h)
      sum += v
      set(key(P_BLOCK_BW, u64(h)), u64(v))
    })
    const window = b["window_spent"] === undefined ? undefined : u64Of(b["window_spent"], "bandwidth.window_spent")
    if ((window ?? 0n) !== sum) bad("bandwidth.window_spent", `${window ?? "absent"} differs from the sum of block_bandwidth (${sum})`)
    if (window !== undefined) set(K_WINDOW, u64(window))
    if (b["block_spent"] !== undefined) set(K_BLOCK_SPENT, u64(u64Of(b["block_spent"], "bandwidth.block_spent")))
  }

  // rank contexts
  if (g["rank"] !== undefined) {
    const r = object(g["rank"], "rank")
    fields(r, ["current", "next"], "rank")
    const context = (name: "current" | "next", published: boolean): void => {
      if (r[name] === undefined) return
      const where = `rank.${name}`
      const c = object(r[name], where)
      fields(c, published ? ["snapshot_height", "links", "particles", "neurons", "merkle_root", "published_height", "stakes", "rank_params"] : ["snapshot_height", "links", "particles", "neurons", "stakes", "rank_params"], where)
      const ctx: RankContext = {
        snapshotHeight: u64Of(c["snapshot_height"], `${where}.snapshot_height`),
        links: u64Of(c["links"], `${where}.links`),
        particles: u64Of(c["particles"], `${where}.particles`),
        neurons: u64Of(c["neurons"], `${where}.neurons`),
        ...(published
          ? {
              root: (() => {
                const h = string(c["merkle_root"], `${where}.merkle_root`)
                return /^[0-9a-f]{64}$/.test(h) ? Uint8Array.from(Buffer.from(h, "hex")) : bad(`${where}.merkle_root`, "must be 32 bytes as 64 lowercase hex digits")
              })(),
              publishedHeight: u64Of(c["published_height"], `${where}.published_height`)
            }
          : {})
      }
      if (ctx.links === 0n || ctx.links > BigInt(links.length)) bad(`${where}.links`, `must be in [1, ${links.length}] (the cyberlinks given)`)
      const at = prefixCounts[Number(ctx.links)]!
      if (ctx.particles !== BigInt(at.particles)) bad(`${where}.particles`, `${ctx.particles}, but the first ${ctx.links} cyberlinks have ${at.particles} particles`)
      if (ctx.neurons !== BigInt(at.neurons)) bad(`${where}.neurons`, `${ctx.neurons}, but the first ${ctx.links} cyberlinks have ${at.neurons} neurons`)
      if (published && ctx.publishedHeight! < ctx.snapshotHeight) bad(`${where}.published_height`, "is below snapshot_height")
      set(published ? K_RANK_CURRENT : K_RANK_NEXT, encodeContext(ctx))
      if (c["stakes"] !== undefined) {
        const stakes = array(c["stakes"], `${where}.stakes`)
        if (BigInt(stakes.length) !== ctx.neurons) bad(`${where}.stakes`, `${stakes.length} stakes for ${ctx.neurons} neurons`)
        const s = new BigUint64Array(stakes.length)
        stakes.forEach((v, i) => (s[i] = u64Of(v, `${where}.stakes[${i}]`)))
        set(published ? K_RANK_CURRENT_STAKES : K_RANK_NEXT_STAKES, stakesToBytes(s))
      }
      if (c["rank_params"] !== undefined) {
        let rp
        try {
          rp = rankParamsFromJson(object(c["rank_params"], `${where}.rank_params`), params)
        } catch (e) {
          return bad(`${where}.rank_params`, (e as { log?: string }).log ?? String(e))
        }
        set(published ? K_RANK_CURRENT_PARAMS : K_RANK_NEXT_PARAMS, encodeRankParams(rp))
      }
    }
    context("current", true)
    context("next", false)
  }

  for (const [k, v] of writes) store.set(k, v)
}
