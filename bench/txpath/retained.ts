// Heap kept alive per CheckTx'd MsgSend (the decode cache, the ante step's memos, the check state):
// heapUsed after full GCs before and after one CheckTx pass over N txs from sign.ts ($OUT), after a
// warm-up pass on another chain. ROOT=<checkout> npx node --expose-gc bench/txpath/retained.ts N
// (the young-generation GC copies what a pass keeps: docs/performance.md "CheckTx's first pass").
import { readFileSync } from "node:fs"
const ROOT = process.env.ROOT!
const load = (file: string) => { const buf = readFileSync(file); const out: Uint8Array[] = []; for (let o = 0; o < buf.length;) { const l = buf.readUInt32BE(o); out.push(new Uint8Array(buf.subarray(o + 4, o + 4 + l))); o += 4 + l } return out }
const OUT = process.env.OUT ?? "bench/out/txpath"
const N = Number(process.argv[2] ?? 2000)
const txs = load(`${OUT}/txs-${N}.bin`), warm = load(`${OUT}/txs-warm-${N}.bin`)
const { TestChain, MNEMONIC } = await import(`${ROOT}/test/auth/support/Chain.ts`)
const S = await import(`${ROOT}/modules/auth/internal/Secp256k1.ts`)
S.selectVerifier("libsecp256k1")
const { DirectSecp256k1HdWallet } = await import("@cosmjs/proto-signing")
const alice = (await (await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cyber" })).getAccounts())[0]!.address
const start = () => TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
{ const c = await start(); for (const t of warm) await c.checkTx(t) }
const gc = (globalThis as any).gc
const chain = await start()
gc(); gc(); const a = process.memoryUsage()
for (const t of txs) { const r = await chain.checkTx(t); if (r.code !== 0) throw new Error(r.log) }
gc(); gc(); const b = process.memoryUsage()
console.log(JSON.stringify({ root: ROOT, heapPerTx: Math.round((b.heapUsed - a.heapUsed) / txs.length), extPerTx: Math.round((b.external - a.external) / txs.length) }))
