/**
 * Issue 13's IBC acceptance: two chains started by the CLI with cyberwasm and ibc enabled, wasmd's
 * published ibc_reflect_send uploaded and instantiated on A and ibc_reflect (with reflect 2.0 as
 * its per-channel account) on B with CosmJS's SigningCosmWasmClient, and @confio/relayer 0.12 from
 * npm, unchanged, between them: it creates the clients, a connection and an ORDERED channel
 * `wasm.<A>` <-> `wasm.<B>` with version `ibc-reflect-v1`; B instantiates a reflect account for the
 * channel (submessage + reply); `relayAll` carries A's WhoAmI and its ack, then a Dispatch that the
 * reflect account executes on B (a bank send of its own coins) and its `{"ok":null}` ack. Then the
 * real-world case: wasmd's cw20_ics20 with cw20_base on A and B's ICS-20 `transfer` module, a cw20
 * token arriving on B as a voucher, and a send timed out by the relayer refunded by the contract's
 * ibc_packet_timeout (an UNORDERED channel, which the relayer can time out).
 * Timeouts on ORDERED channels are in process (test/cosmwasm/ibc-reflect.test.ts): the relayer
 * proves timeouts by receipt absence, which ordered channels do not accept.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { stringToPath } from "@cosmjs/crypto"
import { SigningCosmWasmClient } from "@cosmjs/cosmwasm-stargate"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { readFileSync } from "node:fs"
import { gunzipSync } from "node:zlib"
import { toBase64 } from "@cosmjs/encoding"
import { sha256 } from "@noble/hashes/sha2.js"
import { createRequire } from "node:module"
import { Link, nodesOutput, ORDER_ORDERED, ORDER_UNORDERED, relayerChain, type RelayerChain } from "../ibc/relayer-support.ts"

// @cosmjs/cosmwasm-stargate 0.39 runs @cosmjs/cosmwasm 0.38, whose client wants its own stargate's GasPrice
const stargate038 = createRequire(createRequire(import.meta.url).resolve("@cosmjs/cosmwasm"))("@cosmjs/stargate") as typeof import("@cosmjs/stargate")
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/cosmwasm/${name}`, import.meta.url)))

interface Chain extends RelayerChain {
  readonly wasm: SigningCosmWasmClient
}

const test = suite<{ a: Chain; b: Chain; link: Link; send: string; reflect: string; channelA: string; channelB: string }>("CosmWasm contracts on IBC between two CLI chains")

const chain = async (chainId: string): Promise<Chain> => {
  const c = await relayerChain(chainId, ["cyberwasm", "ibc"], { userFunds: "100000000" })
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(c.h.mnemonic, { prefix: "cyber", hdPaths: [stringToPath("m/44'/118'/0'/0/1")] })
  const wasm = await SigningCosmWasmClient.connectWithSigner(c.h.rpcUrl, wallet, { gasPrice: stargate038.GasPrice.fromString("0.01boot") as never, broadcastPollIntervalMs: 100 })
  return { ...c, wasm }
}

test.before(async (ctx) => {
  try {
    ctx.a = await chain("wasm-a-1")
    ctx.b = await chain("wasm-b-1")
    const { a, b } = ctx
    const sendCode = await a.wasm.upload(a.user, fixture("ibc_reflect_send.wasm"), "auto")
    ctx.send = (await a.wasm.instantiate(a.user, sendCode.codeId, {}, "ibc-reflect-send", "auto")).contractAddress
    const reflectCode = await b.wasm.upload(b.user, fixture("reflect_2_0.wasm"), "auto")
    const ibcReflectCode = await b.wasm.upload(b.user, fixture("ibc_reflect.wasm"), "auto")
    ctx.reflect = (await b.wasm.instantiate(b.user, ibcReflectCode.codeId, { reflect_code_id: reflectCode.codeId }, "ibc-reflect", "auto")).contractAddress
    ctx.link = await Link.createWithNewConnections(a.ibc, b.ibc, undefined, 600, 600)
    const channel = await ctx.link.createChannel("A", `wasm.${ctx.send}`, `wasm.${ctx.reflect}`, ORDER_ORDERED as never, "ibc-reflect-v1")
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

test("the contracts' ports are in ContractInfo; the relayer opened an ORDERED ibc-reflect-v1 channel; B made a reflect account for it", async ({ a, b, send, reflect, channelA, channelB }) => {
  assert.is((await a.wasm.getContract(send)).ibcPortId, `wasm.${send}`)
  assert.is((await b.wasm.getContract(reflect)).ibcPortId, `wasm.${reflect}`)
  const { channel } = await a.ibc.query.ibc.channel.channel(`wasm.${send}`, channelA)
  assert.is(channel!.ordering, ORDER_ORDERED)
  assert.is(channel!.version, "ibc-reflect-v1")
  assert.equal(channel!.counterparty, { portId: `wasm.${reflect}`, channelId: channelB })
  const accounts = await b.wasm.queryContractSmart(reflect, { list_accounts: {} }) as { accounts: Array<{ account: string; channel_id: string }> }
  assert.is(accounts.accounts.length, 1)
  assert.is(accounts.accounts[0]!.channel_id, channelB)
  assert.is((await b.wasm.getContract(accounts.accounts[0]!.account)).label, `ibc-reflect-${channelB}`)
})

test("relayAll: A's WhoAmI reaches B and A records the reflect account; a Dispatch runs on B and is acknowledged", async ({ a, b, link, send, reflect, channelA, channelB }) => {
  await link.relayAll()
  const [account] = (await b.wasm.queryContractSmart(reflect, { list_accounts: {} }) as { accounts: Array<{ account: string }> }).accounts
  const remote = await a.wasm.queryContractSmart(send, { account: { channel_id: channelA } }) as { remote_addr: string | null }
  assert.is(remote.remote_addr, account!.account)
  // fund the reflect account on B; A asks it to pay a recipient
  const funded = await b.client.sendTokens(b.user, account!.account, [{ denom: "boot", amount: "1000" }], "auto")
  assert.is(funded.code, 0, funded.rawLog)
  const recipient = (await (await DirectSecp256k1HdWallet.fromMnemonic(b.h.mnemonic, { prefix: "cyber", hdPaths: [stringToPath("m/44'/118'/0'/0/7")] })).getAccounts())[0]!.address
  const sent = await a.wasm.execute(a.user, send, { send_msgs: { channel_id: channelA, msgs: [{ bank: { send: { to_address: recipient, amount: [{ denom: "boot", amount: "250" }] } } }] } }, "auto")
  assert.ok(sent.events.some((e) => e.type === "send_packet"))
  const relayed = await link.relayAll()
  assert.is(relayed.packetsFromA, 1)
  assert.is(relayed.acksFromB.length, 1)
  assert.is(new TextDecoder().decode(relayed.acksFromB[0]!.acknowledgement), `{"ok":null}`)
  assert.is((await b.query.getBalance(recipient, "boot")).amount, "250")
  assert.is((await b.query.getBalance(account!.account, "boot")).amount, "750")
  assert.ok(channelB)
})

test("a cw20 token over ICS-20: cw20-ics20 on A, B's transfer module, relayAll; a timed-out send refunded by ibc_packet_timeout", async ({ a, b, link }) => {
  const tokenCode = await a.wasm.upload(a.user, fixture("cw20_base.wasm"), "auto")
  const token = (await a.wasm.instantiate(a.user, tokenCode.codeId, {
    name: "Cyber Token", symbol: "CYT", decimals: 6, initial_balances: [{ address: a.user, amount: "1000000" }], mint: null
  }, "cw20", "auto")).contractAddress
  // CosmJS gzips what it uploads: give it the raw module
  const icsCode = await a.wasm.upload(a.user, new Uint8Array(gunzipSync(fixture("cw20_ics20.wasm.gz"))), "auto")
  const ics20 = (await a.wasm.instantiate(a.user, icsCode.codeId, { default_timeout: 3600, gov_contract: a.user, allowlist: [{ contract: token, gas_limit: null }] }, "cw20-ics20", "auto")).contractAddress
  const channel = await link.createChannel("A", `wasm.${ics20}`, "transfer", ORDER_UNORDERED as never, "ics20-1")
  const cw20 = async (address: string) => ((await a.wasm.queryContractSmart(token, { balance: { address } })) as { balance: string }).balance
  const send = (amount: string, timeout?: number) =>
    a.wasm.execute(a.user, token, { send: { contract: ics20, amount, msg: toBase64(new TextEncoder().encode(JSON.stringify({ channel: channel.src.channelId, remote_address: b.user, ...(timeout ? { timeout } : {}) }))) } }, "auto")
  await send("4000")
  assert.is(await cw20(a.user), "996000")
  const relayed = await link.relayAll()
  assert.is(relayed.packetsFromA, 1)
  const voucher = `ibc/${Buffer.from(sha256(new TextEncoder().encode(`transfer/${channel.dest.channelId}/cw20:${token}`))).toString("hex").toUpperCase()}`
  assert.is((await b.query.getBalance(b.user, voucher)).amount, "4000")
  assert.is(await cw20(ics20), "4000", "escrowed by the contract")
  // a send whose 2 s timeout passes on B before the relayer runs: the relayer times it out on A
  const seconds = async () => BigInt(Math.floor((await b.ibc.currentTime()).getTime() / 1000))
  const start = await seconds()
  await send("500", 2)
  assert.is(await cw20(a.user), "995500")
  while ((await seconds()) <= start + 4n) await b.ibc.waitOneBlock()
  await link.relayAll()
  assert.is(await cw20(a.user), "996000", "ibc_packet_timeout refunded the sender")
  assert.is((await b.query.getBalance(b.user, voucher)).amount, "4000")
})

test.run()
