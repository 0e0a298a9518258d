// Heap kept per tx in auth's decode cache (modules/auth/internal/DecodedTxs.ts), ANTE=1 with the
// ante step's signer and sign-digest memos: heapUsed / external after full GCs, before and after
// decoding 10,000 distinct MsgSends from sign.ts ($OUT: txs, -warm, -node, -warm4, -warm5 sets).
//   ROOT=<checkout> [ANTE=1] npx node --expose-gc bench/txpath/decoded-heap.ts
import { readFileSync } from "node:fs"
const ROOT = process.env.ROOT!
const OUT = process.env.OUT ?? "bench/out/txpath"
const { AuthMachine } = await import(`${ROOT}/modules/auth/Auth.ts`)
// the ante memos: signDigestOf since 9b32b74, signBytesOf (bytes and digest) before it
const A = await import(`${ROOT}/modules/auth/Ante.ts`); const txSigners = A.txSigners; const signBytesOf = A.signBytesOf ?? A.signDigestOf
const load = (file: string) => {
  const buf = readFileSync(file); const out: Uint8Array[] = []
  for (let o = 0; o < buf.length;) { const l = buf.readUInt32BE(o); out.push(new Uint8Array(buf.subarray(o + 4, o + 4 + l))); o += 4 + l }
  return out
}
const txs = ["", "-warm", "-node", "-warm4", "-warm5"].flatMap((t) => load(`${OUT}/txs${t}-2000.bin`))
const auth = new AuthMachine({ bech32Prefix: "cyber" })
// the bench txs are all signed by one key (sign.ts); the memo keeps its address per tx
const ALICE = "cyber1lsagfzrm4gz28he4wunt63sts5xzmczwq233lt"
const signersOf = (m: any) => [m.typeUrl === "/cosmos.bank.v1beta1.MsgSend" ? ALICE : ""]
const gc = (globalThis as any).gc
const mem = () => { gc(); gc(); const m = process.memoryUsage(); return { heap: m.heapUsed, ext: m.external } }
auth.decode(txs[0]!)
const a = mem()
for (const tx of txs) { const d = auth.decode(tx); if (process.env.ANTE) { txSigners(d, signersOf, "cyber"); signBytesOf(d, "test-chain", 6n) } }
const b = mem()
const n = txs.length - 1
console.log(JSON.stringify({ root: ROOT, ante: !!process.env.ANTE, txs: n, heapPerTx: Math.round((b.heap - a.heap) / n), externalPerTx: Math.round((b.ext - a.ext) / n) }))
