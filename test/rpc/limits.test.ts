/**
 * Hostile input against a real node (test/e2e/harness: `cyberkernel start` in a child process,
 * default config): a 10 MB batch, 100,000-deep nesting and a 900 KB hash are each refused with a
 * small error and the node answers `status` after; the largest tx max_tx_bytes allows (a signed
 * MsgSend padded to exactly 1 MiB with a non-critical extension option) is accepted over
 * broadcast_tx_sync and committed, one byte more passes the HTTP layer and is refused by CheckTx
 * with the SDK's code 21; two clients flooding batches leave the node's RSS (read from /proc) within 20% of
 * where it started once the flood stops.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { readFileSync, rmSync } from "node:fs"
import { fromBase64 } from "@cosmjs/encoding"
import { encodePubkey, makeAuthInfoBytes, makeSignDoc, DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { encodeSecp256k1Pubkey } from "@cosmjs/amino"
import { StargateClient } from "@cosmjs/stargate"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { makeHome, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const MAX_TX_BYTES = 1_048_576
const SMALL = 4096

const test = suite<{ h: TestHome; node: NodeProcess }>("rpc limits (node)")

test.before(async (ctx) => {
  ctx.h = await makeHome(200)
  ctx.node = await startNode(ctx.h, 60_000)
})

test.after(async (ctx) => {
  await ctx.node?.kill()
  if (ctx.h) rmSync(ctx.h.home, { recursive: true, force: true })
})

const post = async (url: string, body: string | Uint8Array) => {
  const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json" } })
  const text = await res.text()
  return { status: res.status, bytes: Buffer.byteLength(text), json: text === "" ? undefined : JSON.parse(text) }
}

const call = (method: string, id: number, params: unknown = {}) => ({ jsonrpc: "2.0", id, method, params })

const answersStatus = async (url: string) => {
  const r = await post(url, JSON.stringify(call("status", 1)))
  assert.ok(Number(r.json.result.sync_info.latest_block_height) >= 1, "node still answers status")
}

test("a 10 MB batch is refused by the body limit with a small error", async ({ h }) => {
  const one = JSON.stringify(call("status", 1))
  const n = Math.ceil(10_000_000 / (one.length + 1))
  const body = "[" + Array.from({ length: n }, () => one).join(",") + "]"
  assert.ok(body.length >= 10_000_000)
  const r = await post(h.rpcUrl, body)
  assert.is(r.status, 413)
  assert.is(r.json.error.code, -32600)
  assert.match(r.json.error.message, /max_body_bytes \(\d+\)/)
  assert.ok(r.bytes < SMALL, `error is ${r.bytes} bytes`)
  // A batch under the body limit but over max_batch_requests (100).
  const many = await post(h.rpcUrl, JSON.stringify(Array.from({ length: 5000 }, (_, i) => call("health", i))))
  assert.match(many.json.error.message, "max_batch_requests (100)")
  assert.ok(many.bytes < SMALL)
  await answersStatus(h.rpcUrl)
})

test("100,000-deep nesting is refused before parsing with a small error", async ({ h }) => {
  const r = await post(h.rpcUrl, "[".repeat(100_000) + "]".repeat(100_000))
  assert.is(r.json.error.code, -32600)
  assert.match(r.json.error.message, "max_json_depth (64)")
  assert.ok(r.bytes < SMALL, `error is ${r.bytes} bytes`)
  const inParams = await post(h.rpcUrl, `{"jsonrpc":"2.0","id":1,"method":"tx","params":{"hash":${"[".repeat(100_000)}${"]".repeat(100_000)}}}`)
  assert.match(inParams.json.error.message, "max_json_depth (64)")
  await answersStatus(h.rpcUrl)
})

test("a 900 KB hash is not echoed back", async ({ h }) => {
  const hash = Buffer.alloc(900_000, 0x5a).toString("base64")
  const r = await post(h.rpcUrl, JSON.stringify(call("tx", 1, { hash })))
  assert.is(r.json.error.code, -32603)
  assert.match(r.json.error.data, /^tx \(5A5A5A/)
  assert.ok(r.bytes < SMALL, `error is ${r.bytes} bytes`)
  await answersStatus(h.rpcUrl)
})

/** A MsgSend from the dev account to itself, padded to exactly `size` bytes. */
const paddedTx = async (h: TestHome, size: number): Promise<Uint8Array> => {
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
  const [account] = await wallet.getAccounts()
  const client = await StargateClient.connect(h.rpcUrl)
  const onChain = await client.getAccount(account!.address)
  client.disconnect()
  assert.ok(onChain, "dev account exists")
  const gas = 12_000_000n
  const authInfoBytes = makeAuthInfoBytes(
    [{ pubkey: encodePubkey(encodeSecp256k1Pubkey(account!.pubkey)), sequence: onChain!.sequence }],
    [{ denom: "boot", amount: String(gas / 100n + 1n) }], Number(gas), undefined, undefined, SignMode.SIGN_MODE_DIRECT)
  const msg = { typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: account!.address, toAddress: account!.address, amount: [{ denom: "boot", amount: "1" }] }).finish() }
  const build = async (pad: number) => {
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [msg], nonCriticalExtensionOptions: [{ typeUrl: "/cyberkernel.test.Padding", value: new Uint8Array(pad) }] })).finish()
    const { signature } = await wallet.signDirect(account!.address, makeSignDoc(bodyBytes, authInfoBytes, h.chainId, Number(onChain!.accountNumber)))
    return TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish()
  }
  let pad = size - (await build(0)).length
  for (let i = 0; i < 8; i++) {
    const tx = await build(pad)
    if (tx.length === size) return tx
    pad += size - tx.length
  }
  throw new Error(`could not pad a tx to ${size} bytes`)
}

test("the largest tx max_tx_bytes allows is accepted over broadcast_tx_sync and committed", async ({ h }) => {
  const tx = await paddedTx(h, MAX_TX_BYTES)
  assert.is(tx.length, MAX_TX_BYTES)
  const r = await post(h.rpcUrl, JSON.stringify(call("broadcast_tx_sync", 1, { tx: Buffer.from(tx).toString("base64") })))
  assert.is(r.status, 200)
  assert.is(r.json.result?.code, 0, `CheckTx accepted the ${MAX_TX_BYTES}-byte tx: ${JSON.stringify(r.json).slice(0, 300)}`)
  const hash = Buffer.from(r.json.result.hash, "hex").toString("base64")
  let committed: any
  for (let i = 0; i < 100 && committed === undefined; i++) {
    const q = await post(h.rpcUrl, JSON.stringify(call("tx", 2, { hash })))
    if (q.json.result !== undefined) committed = q.json.result
    else await new Promise((res) => setTimeout(res, 100))
  }
  assert.ok(committed, "the 1 MiB tx is in a block")
  assert.is(committed.tx_result.code, 0)
})

// Needs the mempool to leave the size check to CheckTx (modules/consensus/producer: Mempool.settle
// checks size after CheckTx, Producer maps its "too-large" to MempoolCode.TooLarge); until then the
// mempool refuses first with code 1, codespace "mempool", and this test fails on the code.
test("one byte over max_tx_bytes fits the body limit and is refused by CheckTx with the SDK's code 21", async ({ h }) => {
  const over = await paddedTx(h, MAX_TX_BYTES + 1)
  const o = await post(h.rpcUrl, JSON.stringify(call("broadcast_tx_sync", 3, { tx: Buffer.from(over).toString("base64") })))
  assert.is(o.status, 200, "the HTTP layer lets it through")
  assert.ok(o.bytes < SMALL)
  assert.match(o.json.result.log, `max ${MAX_TX_BYTES}`)
  assert.is(o.json.result.code, 21, `refused by CheckTx with the SDK's TxTooLarge: ${JSON.stringify(o.json.result)}`)
  assert.is(o.json.result.codespace, "sdk")
})

const rssBytes = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  if (!m) throw new Error("no VmRSS")
  return Number(m[1]) * 1024
}

/**
 * Two clients, each looping over a hostile batch (16,000 `status` calls, 0.93 MB: under the old
 * 1,000,000-byte body limit, it drew a 15 MB reply) that must be refused with a small error, and
 * a full allowed batch (100 `status` / `block` calls) that must be served.
 */
const flood = async (url: string, ms: number): Promise<number> => {
  const hostile = JSON.stringify(Array.from({ length: 16_000 }, (_, i) => call("status", i)))
  const allowed = JSON.stringify(Array.from({ length: 100 }, (_, i) => call(i % 2 === 0 ? "status" : "block", i)))
  const deadline = performance.now() + ms
  let requests = 0
  const client = async () => {
    while (performance.now() < deadline) {
      const refused = await post(url, hostile)
      if (refused.bytes >= SMALL || refused.json?.error === undefined) throw new Error(`hostile batch answered with ${refused.bytes} bytes`)
      const ok = await post(url, allowed)
      if (!Array.isArray(ok.json)) throw new Error(`allowed batch refused: ${JSON.stringify(ok.json).slice(0, 200)}`)
      requests += 2
    }
  }
  await Promise.all([client(), client()])
  return requests
}

/** Flood length, ms (SOAK_MS; the recorded 60 s run in docs/operators.md used SOAK_MS=60000). */
const SOAK_MS = Number(process.env.SOAK_MS ?? 15_000)

test(`RSS soak: two clients flood batches for ${SOAK_MS / 1000} s; RSS returns within 20% of the start`, async ({ h, node }) => {
  const pid = node.child.pid!
  // warm-up long enough for the heap and the allocator to reach their working size (with 2 s, a
  // loaded CI machine measured the start before the plateau and read fragmentation as growth)
  await flood(h.rpcUrl, 6_000)
  await new Promise((res) => setTimeout(res, 2_000))
  const start = rssBytes(pid)
  let peak = start
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 250)
  const requests = await flood(h.rpcUrl, SOAK_MS)
  clearInterval(sampler)
  let now = rssBytes(pid)
  for (let i = 0; i < 40 && now > start * 1.2; i++) {
    await new Promise((res) => setTimeout(res, 500))
    now = rssBytes(pid)
  }
  const mb = (b: number) => (b / 1048576).toFixed(0)
  console.log(`  rss: start ${mb(start)} MB, peak ${mb(peak)} MB, after ${mb(now)} MB (${requests} requests)`)
  assert.ok(now <= start * 1.2, `RSS ${mb(now)} MB is more than 20% above the start ${mb(start)} MB`)
  await answersStatus(h.rpcUrl)
})

test.run()
