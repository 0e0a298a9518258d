/**
 * Cost of the chain-plane capability model (issue "Chain capabilities per principal").
 *
 * Part 1, in process: one constrained check (`checkCapability` of `program:<addr>` calling
 * `bank.send {from: self}`, request already decoded) with the committed-grant cache blocks use,
 * and reading the capabilities namespace of an in-memory IAVL snapshot (four keys), against a
 * bare `Map.get` of the same key text, in the same run.
 *
 * Part 2, A/B: `bench/tx.bench.ts` (CosmJS-signed MsgSend through the real multiplexer) run on this
 * tree and on a base commit checked out as a git worktree, alternating, best of `rounds`; reports
 * CheckTx and warm-cache FinalizeBlock tx/s of both and their ratio. Each MsgSend pays its fee
 * through `bank.send {from: signer}` and creates the recipient's account through
 * `auth.ensure-account`: two checked calls per tx.
 *
 * Run: `npx node bench/capability.bench.ts [base-commit] [txs] [rounds]`
 *      (defaults: 8b4b9b5, the commit before the change; 2000 txs; 3 rounds).
 */
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

// ---- part 2: MsgSend pipeline, this tree vs base ----
const dir = mkdtempSync(join(tmpdir(), "ck-bench-base-"))
try {
  execFileSync("git", ["worktree", "add", "--detach", dir, base], { cwd: root, stdio: "ignore" })
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"))
  const run = (cwd: string) => {
    const out = execFileSync(process.execPath, ["bench/tx.bench.ts", txs], { cwd, encoding: "utf8" })
    const rate = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN)
    return { check: rate(/CheckTx: (\d+) tx\/s/), warm: rate(/FinalizeBlock, warm cache: (\d+) tx\/s/) }
  }
  const best = { head: { check: 0, warm: 0 }, base: { check: 0, warm: 0 } }
  for (let r = 0; r < rounds; r++) {
    for (const [name, cwd] of [["base", dir], ["head", root]] as const) {
      const x = run(cwd)
      best[name] = { check: Math.max(best[name].check, x.check), warm: Math.max(best[name].warm, x.warm) }
    }
  }
  console.log(`MsgSend CheckTx: head ${best.head.check} tx/s, base ${best.base.check} tx/s, head/base ${(best.head.check / best.base.check).toFixed(3)}`)
  console.log(`MsgSend FinalizeBlock (warm cache): head ${best.head.warm} tx/s, base ${best.base.warm} tx/s, head/base ${(best.head.warm / best.base.warm).toFixed(3)}`)
} finally {
  try {
    execFileSync("git", ["worktree", "remove", "--force", dir], { cwd: root, stdio: "ignore" })
  } catch {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true })
  }
}
