/**
 * Denom metadata end to end: a home made by `init` (node/home initHome) and a node started by the
 * real CLI; CosmJS's QueryClient with the bank extension reads the bond denom's metadata, as a
 * wallet does, instead of NotFound.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { QueryClient, setupBankExtension } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { makeHome, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

const test = suite<{ h: TestHome; node: NodeProcess; comet: Comet38Client }>("metadata-node")
const bondDenom = defaultConfig.chain.feeDenom

test.before(async (ctx) => {
  ctx.h = await makeHome(200)
  ctx.node = await startNode(ctx.h)
  ctx.comet = await Comet38Client.connect(ctx.h.rpcUrl)
})

test.after(async (ctx) => {
  ctx.comet?.disconnect()
  await ctx.node?.kill("SIGTERM")
})

test("bank.denomMetadata(bond denom) and denomsMetadata() through CosmJS against a CLI node", async ({ comet, h }) => {
  const q = QueryClient.withExtensions(comet, setupBankExtension)
  const md = await q.bank.denomMetadata(bondDenom)
  assert.is(md.base, bondDenom)
  assert.is(md.display, bondDenom)
  assert.is(md.symbol, bondDenom.toUpperCase())
  assert.equal(md.denomUnits.map((u) => [u.denom, u.exponent]), [[bondDenom, 0]])
  assert.match(md.description, new RegExp(`fee, staking and governance coin of ${h.chainId}`))
  const all = await q.bank.denomsMetadata()
  assert.equal(all.map((m) => m.base), [bondDenom], "one entry: the only coin the dev genesis funds")
  // an unknown denom is still a NotFound the client reports, and the node goes on
  await q.bank.denomMetadata("uosmo").then(
    () => assert.unreachable("uosmo has no metadata"),
    (e: Error) => assert.match(e.message, /client metadata for denom uosmo/)
  )
  assert.is((await q.bank.denomMetadata(bondDenom)).base, bondDenom)
})

test.run()
