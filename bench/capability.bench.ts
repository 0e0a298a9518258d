/**
 * Cost of the chain-plane capability model (issue "Chain capabilities per principal").
 *
 * Part 1, in process: one constrained check (`checkCapability` of `program:<addr>` calling
 * `bank.send {from: self}`, request already decoded) with the committed-grant cache blocks use,
 * and reading the capabilities namespace of an in-memory IAVL snapshot (four keys), against a
 * bare `Map.get` of the same key text, in the same run.
 *
 * Part 2, A/B in one process: the TestChain of this tree and of a base commit (a git worktree)
 * run the same CosmJS-signed MsgSend txs (CheckTx, then FinalizeBlock + Commit with the
 * verification cache warm), alternating round by round; best of `rounds` CPU time per tx. Each MsgSend pays its fee
 * through `bank.send {from: signer}` and creates the recipient's account through
 * `auth.ensure-account`: two checked calls per tx.
 *
 * Run: `npx node bench/capability.bench.ts [base-commit] [txs] [rounds]`
 *      (defaults: 8b4b9b5, the commit before the change; 2000 txs; 3 rounds).
 */
// Both trees share one cosmjs-types instance: make its writer allocate exact-size buffers for both
// (lib/ProtobufAlloc.ts), so the comparison isolates the capability model's own cost.
import "../lib/ProtobufAlloc.ts"
import { execFileSync } from "node:child_process"
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { CAPABILITIES_NAMESPACE, CapabilityCache, checkCapability, grantCapability } from "../chain/Capabilities.ts"
import { MemoryStorage, openCommitMultiStore } from "../store/IavlMultiStore.ts"

const root = new URL("..", import.meta.url).pathname
const base = process.argv[2] ?? "8b4b9b5"
const txs = process.argv[3] ?? "2000"
const rounds = Number(process.argv[4] ?? 3)

// ---- part 1: one check vs a Map lookup ----
const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: [CAPABILITIES_NAMESPACE] })
const caps = ms.store(CAPABILITIES_NAMESPACE)
for (let i = 0; i < 200; i++) grantCapability(caps, { principal: `machine:m${i}`, capability: { interface: "bank", method: "balance", constraints: [] } })
grantCapability(caps, { principal: "program:*", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "self", value: "" }] } })
await ms.commit()
const store = (await ms.snapshot()).branch().store(CAPABILITIES_NAMESPACE)
const self = "cyber1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu"
const request = { from: self, to: "cyber1other", amount: [{ denom: "boot", amount: "5" }] }
const scope = { self, signers: [] }
const map = new Map<string, number>()
for (let i = 0; i < 200; i++) map.set(`g/machine:m${i}/bank.balance`, i)
map.set("g/program:*/bank.send", 1)
const N = 200_000
const time = (f: () => void): number => {
  let best = Infinity
  for (let r = 0; r < 5; r++) {
    const t = performance.now()
    f()
    best = Math.min(best, performance.now() - t)
  }
  return (best * 1e6) / N
}
let sink = 0
const mapNs = time(() => {
  for (let i = 0; i < N; i++) sink += map.get(i % 2 ? "g/program:*/bank.send" : `g/program:${self}/bank.send`) ?? 0
})
const checkNs = time(() => {
  for (let i = 0; i < N; i++) checkCapability(store, `program:${self}`, "bank", "send", request, scope)
})
const cache = new CapabilityCache()
cache.committed()
const cachedNs = time(() => {
  for (let i = 0; i < N; i++) checkCapability(store, `program:${self}`, "bank", "send", request, scope, cache)
})
console.log(`Map.get: ${mapNs.toFixed(1)} ns`)
console.log(`capability check, committed-grant cache (what blocks use): ${cachedNs.toFixed(0)} ns, ${(cachedNs / mapNs).toFixed(1)}x Map.get`)
console.log(`capability check, store reads (after a grant, until the next commit): ${checkNs.toFixed(0)} ns, ${(checkNs / mapNs).toFixed(0)}x Map.get (sink ${sink > 0})`)

// ---- part 2: MsgSend pipeline, this tree vs base, in one process ----
// Both trees' TestChain (real Application, auth, bank, IAVL in memory) are imported side by side
// from a worktree of `base`, and run the same CosmJS-signed txs alternately, round by round, so
// machine load hits both alike. CPU time (process.cpuUsage) per tx is the figure; wall time too.
const dir = mkdtempSync(join(tmpdir(), "ck-bench-base-"))
try {
  execFileSync("git", ["worktree", "add", "--detach", dir, base], { cwd: root, stdio: "ignore" })
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))
  type Tree = { readonly name: string; readonly Chain: typeof import("../test/auth/support/Chain.ts"); readonly sig: typeof import("../modules/auth/internal/Secp256k1.ts") }
  const load = async (name: string, at: string): Promise<Tree> => ({
    name, Chain: await import(join(at, "test/auth/support/Chain.ts")), sig: await import(join(at, "modules/auth/internal/Secp256k1.ts"))
  })
  const trees = [await load("head", root), await load("base", dir)]
  const { DirectSecp256k1HdWallet } = await import("@cosmjs/proto-signing")
  const { SigningStargateClient } = await import("@cosmjs/stargate")
  const { TxRaw } = await import("cosmjs-types/cosmos/tx/v1beta1/tx")
  const { CheckTxType } = await import("cosmjs-types/tendermint/abci/types")
  const { toBech32 } = await import("@cosmjs/encoding")
  const { createHash } = await import("node:crypto")
  const { MNEMONIC, CHAIN_ID } = trees[0]!.Chain
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cyber" })
  const alice = (await wallet.getAccounts())[0]!.address
  const client = await SigningStargateClient.offline(wallet)
  const recipients = Array.from({ length: 100 }, (_, i) => toBech32("cyber", createHash("sha256").update(`r${i}`).digest().subarray(0, 20)))
  const n = Number(txs)
  const signed: Uint8Array[] = []
  for (let i = 0; i < n; i++) {
    const raw = await client.sign(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: recipients[i % 100], amount: [{ denom: "boot", amount: "1" }] } }],
      { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", { accountNumber: 2n, sequence: i, chainId: CHAIN_ID })
    signed.push(TxRaw.encode(raw).finish())
  }
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000 }
  const best: Record<string, { check: number; fin: number; checkWall: number; finWall: number }> = {}
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 === 0 ? trees : [...trees].reverse()) {
      const chain = await t.Chain.TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }] })
      t.sig.clearVerifyCache()
      let c0 = cpu(), w0 = performance.now()
      for (const tx of signed) {
        const res = await chain.app.checkTx({ tx, type: CheckTxType.NEW })
        if (res.code !== 0) throw new Error(`${t.name} CheckTx: ${res.log}`)
      }
      const check = cpu() - c0, checkWall = performance.now() - w0
      c0 = cpu(); w0 = performance.now()
      const out = await chain.block(signed)
      if (out.some((x) => x.code !== 0)) throw new Error(`${t.name} FinalizeBlock: ${out.find((x) => x.code !== 0)!.log}`)
      const fin = cpu() - c0, finWall = performance.now() - w0
      const b = best[t.name]
      best[t.name] = b ? { check: Math.min(b.check, check), fin: Math.min(b.fin, fin), checkWall: Math.min(b.checkWall, checkWall), finWall: Math.min(b.finWall, finWall) } : { check, fin, checkWall, finWall }
    }
  }
  const h = best.head!, b = best.base!
  const us = (ms: number) => ((ms * 1000) / n).toFixed(0)
  console.log(`MsgSend CheckTx (verifies): head ${us(h.check)} µs CPU/tx, base ${us(b.check)} µs CPU/tx, head/base ${(h.check / b.check).toFixed(3)} (wall ${(h.checkWall / b.checkWall).toFixed(3)})`)
  console.log(`MsgSend FinalizeBlock + Commit (warm cache): head ${us(h.fin)} µs CPU/tx, base ${us(b.fin)} µs CPU/tx, head/base ${(h.fin / b.fin).toFixed(3)} (wall ${(h.finWall / b.finWall).toFixed(3)})`)
} finally {
  try {
    execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: root, stdio: "ignore" })
  } catch {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
  }
}
