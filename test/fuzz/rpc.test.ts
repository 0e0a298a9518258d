/**
 * Fuzzer of the JSON-RPC layer (node/rpc), through its public entry point only: the real server
 * (`startRpcServer`) on a free port over a memory block store and the RPC tests' engine/app doubles
 * (test/rpc/fixtures/doubles.ts). Method names and their parameter names come from the server's
 * own endpoint list (GET /). Random JSON-RPC requests (known methods with random params, random
 * methods, ids and versions), random JSON values, batches and raw garbage bodies: every reply must
 * be a well-formed JSON-RPC 2.0 response (or array of them, or empty for notifications) with error
 * codes in the standard ranges, and the server must keep answering. See docs/fuzzing.md.
 */
import { test } from "uvu"
import fc from "fast-check"
import { openMemoryBlockStore } from "../../node/blockstore/index.ts"
import { startRpcServer } from "../../node/rpc/index.ts"
import { fakeApp, FakeEngine, GENESIS, VALIDATOR_KEY } from "../rpc/fixtures/doubles.ts"
import { bytesUpTo, fuzz, printTotals } from "./support/Fuzz.ts"

const FILE = "test/fuzz/rpc.test.ts"
const store = await openMemoryBlockStore()
const engine = new FakeEngine(store)
const server = await startRpcServer({
  address: "127.0.0.1:0",
  app: fakeApp(engine),
  engine,
  blockStore: store,
  nodeInfo: { nodeId: "a".repeat(40), moniker: "fuzz-node", listenAddr: "tcp://0.0.0.0:26656", validatorPubKeyEd25519: VALIDATOR_KEY },
  genesis: GENESIS,
  commitTimeoutMs: 20
})
await engine.produceBlock()
await engine.broadcastTx(new TextEncoder().encode("send:cyber1alice:cyber1bob:5"))
await engine.produceBlock()

/** Methods and their parameter names, from the server's endpoint list (`/name?p=_&q=_`). */
const listing = await (await fetch(server.url + "/")).text()
const methods = [...listing.matchAll(/href="\/([a-z_]+)">\/[a-z_]+(?:\?([^<]*))?</g)].map((m) => ({ name: m[1]!, params: (m[2] ?? "").split("&").filter(Boolean).map((p) => p.split("=")[0]!) }))
if (methods.length < 10 || !methods.some((m) => m.params.length > 0)) throw new Error(`endpoint list has only ${methods.length} methods:\n${listing}`)

const STANDARD = new Set([-32700, -32600, -32601, -32602, -32603])
/** JSON-RPC 2.0: the predefined codes, or the implementation-defined server-error range. */
const standardCode = (c: unknown): boolean => typeof c === "number" && Number.isInteger(c) && (STANDARD.has(c) || (c <= -32000 && c >= -32099))

const checkResponse = (r: unknown, where: string): void => {
  if (typeof r !== "object" || r === null || Array.isArray(r)) throw new Error(`${where}: response is not an object: ${JSON.stringify(r)}`)
  const o = r as Record<string, unknown>
  if (o.jsonrpc !== "2.0") throw new Error(`${where}: jsonrpc is ${JSON.stringify(o.jsonrpc)}`)
  if (!("id" in o)) throw new Error(`${where}: no id`)
  if (!(o.id === null || typeof o.id === "string" || typeof o.id === "number")) throw new Error(`${where}: id ${JSON.stringify(o.id)}`)
  const hasResult = "result" in o
  const hasError = "error" in o
  if (hasResult === hasError) throw new Error(`${where}: needs exactly one of result/error: ${JSON.stringify(o).slice(0, 300)}`)
  if (hasError) {
    const e = o.error as Record<string, unknown> | null
    if (typeof e !== "object" || e === null) throw new Error(`${where}: error is not an object`)
    if (!standardCode(e.code)) throw new Error(`${where}: error code ${JSON.stringify(e.code)} outside the JSON-RPC ranges`)
    if (typeof e.message !== "string") throw new Error(`${where}: error message ${JSON.stringify(e.message)}`)
    if ("data" in e && typeof e.data !== "string") throw new Error(`${where}: error data is not a string`)
  }
}

/** Random scalar-ish parameter values in the shapes CometBFT clients send (strings of numbers, hex, base64, bools). */
const paramValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("1", "0", "-1", "2", "999999999999", "18446744073709551616", "0x", "0xzz", "0x0a0b", "true", "false", "", "\"\"", "null", "tx.height=1", "tx.hash='AB'", "asc", "desc", "AA==", "!!"),
  fc.string({ maxLength: 24 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.base64String({ maxLength: 40 }),
  bytesUpTo(20).map((b) => "0x" + Buffer.from(b).toString("hex")),
  fc.jsonValue({ maxDepth: 2 })
)
const id: fc.Arbitrary<unknown> = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null), fc.double(), fc.constant({ a: 1 }), fc.constant([1]), fc.boolean())

const request: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    jsonrpc: fc.oneof({ weight: 9, arbitrary: fc.constant("2.0") }, fc.constantFrom("1.0", 2, null, "")),
    id,
    method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods.map((m) => m.name)) }, fc.constantFrom("", "subscribe", "__proto__", "constructor", "toString"), fc.string({ maxLength: 12 }), fc.integer()),
    params: fc.constant(undefined)
  },
  { requiredKeys: ["method"] }
).chain((req) => {
  const m = methods.find((x) => x.name === req.method)
  const named = m === undefined || m.params.length === 0
    ? fc.constant({})
    : fc.subarray(m.params).chain((keys) => fc.tuple(...keys.map(() => paramValue)).map((vals) => Object.fromEntries(keys.map((k, i) => [k, vals[i]]))))
  const params = fc.oneof(
    { weight: 6, arbitrary: named },
    { weight: 1, arbitrary: fc.array(paramValue, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    { weight: 1, arbitrary: fc.constant(undefined) }
  )
  return params.map((p) => (p === undefined ? req : { ...req, params: p }))
})

const body: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: request.map((r) => JSON.stringify(r)) },
  { weight: 2, arbitrary: fc.array(request, { maxLength: 6 }).map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: request.map((r) => JSON.stringify(r)).chain((s) => fc.nat({ max: s.length }).map((n) => s.slice(0, n))) }
)

test("JSON-RPC over HTTP POST: well-formed responses with standard error codes, server stays up", async () => {
  await fuzz(FILE, "rpc post", fc.asyncProperty(body, async (text) => {
    let res: Response
    try {
      res = await fetch(server.url, { method: "POST", body: text, headers: { "content-type": "application/json" } })
    } catch (e) {
      throw new Error(`transport failure (server crashed or hung up) on ${JSON.stringify(text).slice(0, 400)}: ${String(e)}`)
    }
    const out = await res.text()
    const where = `POST ${JSON.stringify(text).slice(0, 300)} -> ${res.status}`
    if (out === "") return // notifications only
    if ((res.headers.get("content-type") ?? "").startsWith("text/html")) {
      if (text.trim() !== "") throw new Error(`${where}: HTML for a non-empty body`)
      return
    }
    let json: unknown
    try {
      json = JSON.parse(out)
    } catch {
      throw new Error(`${where}: body is not JSON: ${out.slice(0, 300)}`)
    }
    if (Array.isArray(json)) {
      let parsed: unknown
      try { parsed = JSON.parse(text) } catch { parsed = undefined }
      if (!Array.isArray(parsed)) throw new Error(`${where}: array response to a non-batch`)
      json.forEach((r, i) => checkResponse(r, `${where} [${i}]`))
    } else checkResponse(json, where)
  }), 1000, { timeout: 5000 })
})

test("URI GET with random parameters: JSON-RPC responses or 404, server stays up", async () => {
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...new Set(methods.flatMap((m) => m.params))), fc.string({ maxLength: 6 })), paramValue.map((v) => typeof v === "string" ? v : JSON.stringify(v) ?? "")), { maxLength: 4 })
  await fuzz(FILE, "rpc get", fc.asyncProperty(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...methods.map((m) => m.name)) }, fc.string({ maxLength: 10 })), query, async (method, q) => {
    const path = `/${encodeURIComponent(method)}?${new URLSearchParams(q).toString()}`
    let res: Response
    try {
      res = await fetch(server.url + path)
    } catch (e) {
      throw new Error(`transport failure on GET ${path}: ${String(e)}`)
    }
    const out = await res.text()
    if (res.status === 404) return
    // The endpoint list (HTML) answers "/", which "/." and "/.." normalize to.
    if (res.status === 200 && (res.headers.get("content-type") ?? "").startsWith("text/html") && new URL(server.url + path).pathname === "/") return
    let json: unknown
    try {
      json = JSON.parse(out)
    } catch {
      throw new Error(`GET ${path} -> ${res.status}: not JSON: ${out.slice(0, 200)}`)
    }
    checkResponse(json, `GET ${path} -> ${res.status}`)
  }), 500, { timeout: 5000 })
})

test.after(async () => {
  await server.close()
  await store.close()
  printTotals(FILE)
})
test.run()
