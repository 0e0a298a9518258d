/**
 * Issue 12's acceptance: two chains started by the CLI on this machine (different chain ids, homes
 * and ports) and @confio/relayer 0.12 from npm, unchanged, between them. The relayer creates a
 * 07-tendermint client of each chain on the other, a connection and an unordered `transfer`
 * channel; tokens go A -> B as the ICS-20 voucher `ibc/<sha256(transfer/<channel>/boot)>` and come
 * back; a transfer whose timeout passes before the relayer delivers it is refunded on A.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { sha256 } from "@noble/hashes/sha2.js"
import { Link, nodesOutput, ORDER_UNORDERED, relayerChain, type RelayerChain } from "./relayer-support.ts"

type Chain = RelayerChain

const test = suite<{ a: Chain; b: Chain; link: Link; channelA: string; channelB: string }>("relayer between two CLI chains")

/** ibc-go's voucher denom for `denom` received over `channel` on port transfer. */
const voucher = (channel: string, denom: string): string =>
  `ibc/${Buffer.from(sha256(new TextEncoder().encode(`transfer/${channel}/${denom}`))).toString("hex").toUpperCase()}`

const balance = async (c: Chain, address: string, denom: string): Promise<bigint> => BigInt((await c.query.getBalance(address, denom)).amount)

test.before(async (ctx) => {
  try {
    ctx.a = await relayerChain("chain-a-1", ["ibc"])
    ctx.b = await relayerChain("chain-b-1", ["ibc"])
    ctx.link = await Link.createWithNewConnections(ctx.a.ibc, ctx.b.ibc, undefined, 600, 600)
    const channel = await ctx.link.createChannel("A", "transfer", "transfer", ORDER_UNORDERED as never, "ics20-1")
    ctx.channelA = channel.src.channelId
    ctx.channelB = channel.dest.channelId
  } catch (e) {
    process.stderr.write(`setting up the link failed: ${(e as Error).stack}\n${nodesOutput(ctx.a, ctx.b)}`)
    throw e
  }
})

test.after(async (ctx) => {
  await Promise.all([ctx.a?.node.kill("SIGTERM"), ctx.b?.node.kill("SIGTERM")])
})

test("the relayer made clients, a connection and an unordered transfer channel on both chains", async ({ link, channelA, channelB }) => {
  assert.match(link.endA.clientID, /^07-tendermint-\d+$/)
  assert.match(link.endB.clientID, /^07-tendermint-\d+$/)
  assert.match(link.endA.connectionID, /^connection-\d+$/)
  assert.match(channelA, /^channel-\d+$/)
  assert.match(channelB, /^channel-\d+$/)
})

test("boot goes A -> B as the ICS-20 voucher and comes back", async ({ a, b, link, channelA, channelB }) => {
  const denomB = voucher(channelB, "boot")
  const startA = await balance(a, a.relayer, "boot")
  await a.ibc.transferTokens("transfer", channelA, { denom: "boot", amount: "1000" }, b.relayer, await b.ibc.timeoutHeight(500))
  await link.relayAll()
  assert.is(await balance(b, b.relayer, denomB), 1000n, `voucher ${denomB} on B`)
  await b.ibc.transferTokens("transfer", channelB, { denom: denomB, amount: "1000" }, a.relayer, await a.ibc.timeoutHeight(500))
  await link.relayAll()
  assert.is(await balance(b, b.relayer, denomB), 0n, "the voucher was burnt")
  const endA = await balance(a, a.relayer, "boot")
  assert.ok(startA - endA < 100_000n, `A got its 1000 back, less the fees (${startA - endA})`)
})

test("a transfer whose timeout height passes before the relayer delivers it is refunded to its sender", async ({ a, b, link, channelA, channelB }) => {
  const before = await balance(a, a.user, "boot")
  const timeout = await b.ibc.timeoutHeight(2)
  const sent = await a.client.sendIbcTokens(a.user, b.user, { denom: "boot", amount: "5000" }, "transfer", channelA, { revisionNumber: timeout.revisionNumber, revisionHeight: timeout.revisionHeight }, undefined, "auto")
  assert.is(sent.code, 0, sent.rawLog)
  const afterSend = await balance(a, a.user, "boot")
  assert.ok(before - afterSend > 5000n, "escrowed, and the fee paid")
  while ((await b.ibc.currentHeight()) <= Number(timeout.revisionHeight) + 1) await b.ibc.waitOneBlock()
  await link.relayAll()
  assert.is(await balance(a, a.user, "boot"), afterSend + 5000n, "the 5000 came back")
  assert.is(await balance(b, b.user, voucher(channelB, "boot")), 0n, "nothing reached B")
})

test.run()
