/**
 * Governance end to end on a node started by the CLI (staking and gov on, voting period 12 s, the
 * dev account holds all the stake through the genesis validator): three proposals at once.
 * 1. `plugin proposal` activating plugins/hello at height H, submitted below min_deposit with
 *    `tx gov submit-proposal`, completed with `tx gov deposit`, passed with `tx gov vote yes`:
 *    before H a MsgHello (CosmJS) is refused as unknown (code 6), from H it is accepted and
 *    hello's greeting query answers.
 * 2. A gov MsgUpdateParams (quorum 0.9) voted no: REJECTED and the params are unchanged.
 * 3. A MsgSend from the gov module account of more than it holds, voted yes (a v1beta1 MsgVote from
 *    CosmJS's default registry): FAILED, and the failure (insufficient funds, message 0) is
 *    recorded as failed_reason.
 * CosmJS's gov extension (v1beta1 query paths) reads the outcomes.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DirectSecp256k1HdWallet, Registry, type GeneratedType } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, QueryClient, setupGovExtension, SigningStargateClient } from "@cosmjs/stargate"
import { Comet38Client } from "@cosmjs/tendermint-rpc"
import { toBech32 } from "@cosmjs/encoding"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmos/gov/v1/query"
import { MsgSubmitProposal, MsgUpdateParams, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx"
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov"
import { Effect } from "effect"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { defaultGovParams } from "../../modules/gov/GovParams.ts"
import { defaultConfig } from "../../node/config/ConfigFile.ts"
import { initHome } from "../../node/home/Home.ts"
import { pluginHost } from "../../plugins/Host.ts"
import { helloCodecs, type MsgHello } from "../../plugins/hello/Codecs.ts"
import { MSG_HELLO } from "../../plugins/hello/Hello.ts"
import { freePort, rpc, setGovParams, startNode, type NodeProcess, type TestHome } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname
const PLUGIN = join(root, "plugins/hello")
const codecs = helloCodecs(pluginHost)
const GOV = toBech32("cyber", moduleAccountBytes("gov"))

const cli = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<{ code: number | null; out: string; stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let stdout = ""
    child.stdout.on("data", (d) => { out += d; stdout += d })
    child.stderr.on("data", (d) => (out += d))
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`cli ${args.join(" ")} ran over ${timeoutMs} ms:\n${out}`)) }, timeoutMs)
    child.once("exit", (code) => { clearTimeout(timer); resolve({ code, out, stdout }) })
  })

const makeGovHome = async (): Promise<TestHome> => {
  const home = mkdtempSync(join(tmpdir(), "ck-e2e-gov-"))
  const port = await freePort()
  const config = {
    ...defaultConfig,
    rpc: { ...defaultConfig.rpc, listen: `127.0.0.1:${port}` },
    consensus: { ...defaultConfig.consensus, blockTimeMs: 200 },
    modules: { ...defaultConfig.modules, staking: { ...defaultConfig.modules.staking, enabled: true }, gov: { ...defaultConfig.modules.gov, enabled: true } }
  }
  const init = await Effect.runPromise(initHome({ home, config }))
  setGovParams(home, { voting_period: "12s", max_deposit_period: "120s" })
  return { home, rpcUrl: `http://127.0.0.1:${port}`, chainId: init.chainId, mnemonic: init.devAccount!.mnemonic!, devAddress: init.devAccount!.address }
}

const height = async (url: string): Promise<number> => Number((await rpc(url, "status")).sync_info.latest_block_height)
const waitHeight = async (url: string, h: number, timeoutMs = 90_000): Promise<void> => {
  const deadline = performance.now() + timeoutMs
  while ((await height(url)) < h) {
    if (performance.now() > deadline) throw new Error(`height ${h} not reached within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
const abci = async (url: string, path: string, data: Uint8Array) => {
  const r = await rpc(url, "abci_query", { path: JSON.stringify(path), data: "0x" + Buffer.from(data).toString("hex") })
  return { code: r.response.code as number, log: r.response.log as string, value: new Uint8Array(Buffer.from(r.response.value ?? "", "base64")) }
}

const MsgHelloType = {
  encode: (m: MsgHello) => ({ finish: () => codecs.msgHello.encode(m) }),
  decode: (b: Uint8Array) => codecs.msgHello.decode(b),
  fromPartial: (o: Partial<MsgHello>) => ({ sender: o.sender ?? "", text: o.text ?? "" })
} as unknown as GeneratedType

/** Proposal statuses and failed reasons by id, from `query gov proposals --output json`. */
const proposals = async (common: ReadonlyArray<string>) => {
  const r = await cli(["query", "gov", "proposals", ...common])
  assert.is(r.code, 0, r.out)
  const j = JSON.parse(r.stdout) as { proposals: Array<{ id: string; status: string; failed_reason: string; final_tally_result: Record<string, string> }> }
  return new Map(j.proposals.map((p) => [p.id, p]))
}

test("proposals on a real node: a plugin activated at its height, a rejected update that changes nothing, a failing message recorded", async () => {
  const h = await makeGovHome()
  const installed = await cli(["plugin", "install", PLUGIN, "--home", h.home])
  assert.is(installed.code, 0, installed.out)
  let node: NodeProcess | undefined
  let client: SigningStargateClient | undefined
  try {
    node = await startNode(h)
    const common = ["--home", h.home, "--node", h.rpcUrl, "--output", "json"]
    const at = (await height(h.rpcUrl)) + 200
    const prop = await cli(["plugin", "proposal", PLUGIN, "--height", String(at), "--deposit", "1000000boot", "--home", h.home])
    assert.is(prop.code, 0, prop.out)
    const file = join(h.home, "proposal.json")
    writeFileSync(file, prop.stdout)

    // 1: submitted below min_deposit, completed by a deposit, voted yes: all through the CLI
    const submitted = await cli(["tx", "gov", "submit-proposal", file, "--from", "dev", ...common])
    assert.is(submitted.code, 0, submitted.out)
    assert.is(JSON.parse(submitted.stdout).proposal_id, "1")
    assert.is((await proposals(common)).get("1")?.status, "PROPOSAL_STATUS_DEPOSIT_PERIOD")
    const deposited = await cli(["tx", "gov", "deposit", "1", "9000000boot", "--from", "dev", ...common])
    assert.is(deposited.code, 0, deposited.out)
    const voted = await cli(["tx", "gov", "vote", "1", "yes", "--from", "dev", ...common])
    assert.is(voted.code, 0, voted.out)

    // 2 and 3 through CosmJS
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const registry = new Registry([
      ...defaultRegistryTypes, [MsgSubmitProposal.typeUrl, MsgSubmitProposal as never], [MsgVote.typeUrl, MsgVote as never], [MSG_HELLO, MsgHelloType]
    ])
    client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, { registry, gasPrice: GasPrice.fromString("0.01boot"), broadcastPollIntervalMs: 100 })
    const dev = h.devAddress
    const submit = (messages: Array<{ typeUrl: string; value: Uint8Array }>, title: string) =>
      client!.signAndBroadcast(dev, [{ typeUrl: MsgSubmitProposal.typeUrl, value: { messages, initialDeposit: [{ denom: "boot", amount: "10000000" }], proposer: dev, metadata: "", title, summary: title, expedited: false } }], "auto")
    const quorum = MsgUpdateParams.encode({ authority: GOV, params: { ...defaultGovParams("boot"), quorum: "0.900000000000000000" } }).finish()
    const r2 = await submit([{ typeUrl: MsgUpdateParams.typeUrl, value: quorum }], "raise quorum")
    assert.is(r2.code, 0, r2.rawLog)
    const r3 = await submit([{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: GOV, toAddress: dev, amount: [{ denom: "boot", amount: "1000000000000000000" }] }).finish() }], "overdraw")
    assert.is(r3.code, 0, r3.rawLog)
    const vote = (id: bigint, option: VoteOption) => client!.signAndBroadcast(dev, [{ typeUrl: MsgVote.typeUrl, value: { proposalId: id, voter: dev, option, metadata: "" } }], "auto")
    assert.is((await vote(2n, VoteOption.VOTE_OPTION_NO)).code, 0)
    // CosmJS's default registry signs the v1beta1 vote
    const v1beta1 = await client.signAndBroadcast(dev, [{ typeUrl: "/cosmos.gov.v1beta1.MsgVote", value: { proposalId: 3n, voter: dev, option: VoteOption.VOTE_OPTION_YES } }], "auto")
    assert.is(v1beta1.code, 0, v1beta1.rawLog)

    // before H: hello's message has no route
    const hello = { typeUrl: MSG_HELLO, value: { sender: dev, text: "gm" } }
    const refused = await client.signAndBroadcast(dev, [hello], { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }).then((r) => r, (e: Error) => e)
    const text = refused instanceof Error ? refused.message : `code ${refused.code}: ${refused.rawLog}`
    assert.match(text, /code 6/, `MsgHello before height ${at}: ${text}`)
    assert.ok((await height(h.rpcUrl)) < at, "the test reached the activation height too early")

    // the voting periods end (12 s of block time after each activation)
    const deadline = performance.now() + 60_000
    let statuses = await proposals(common)
    while ([...statuses.values()].some((p) => p.status === "PROPOSAL_STATUS_VOTING_PERIOD") && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      statuses = await proposals(common)
    }
    assert.is(statuses.get("1")?.status, "PROPOSAL_STATUS_PASSED", statuses.get("1")?.failed_reason)
    assert.is(statuses.get("2")?.status, "PROPOSAL_STATUS_REJECTED")
    assert.is(statuses.get("3")?.status, "PROPOSAL_STATUS_FAILED")
    assert.match(statuses.get("3")!.failed_reason, /message 0 \(\/cosmos\.bank\.v1beta1\.MsgSend\): .*insufficient/i)
    const tally2 = await cli(["query", "gov", "tally", "2", ...common])
    assert.is(tally2.code, 0, tally2.out)
    assert.is(JSON.parse(tally2.stdout).yes_count, "0")
    assert.ok(BigInt(JSON.parse(tally2.stdout).no_count) > 0n, tally2.stdout)
    // CosmJS's gov extension (v1beta1 query paths)
    const comet = await Comet38Client.connect(h.rpcUrl)
    try {
      const q = QueryClient.withExtensions(comet, setupGovExtension)
      assert.is((await q.gov.proposal(1)).proposal?.status, 3, "PROPOSAL_STATUS_PASSED through the gov extension")
      assert.is((await q.gov.tally(2)).tally?.yes, "0")
      assert.is((await q.gov.proposals(0, "", "")).proposals.length, 3)
    } finally {
      comet.disconnect()
    }
    const params = QueryParamsResponse.decode((await abci(h.rpcUrl, "/cosmos.gov.v1.Query/Params", QueryParamsRequest.encode({ paramsType: "" }).finish())).value)
    assert.is(params.params?.quorum, "0.334000000000000000", "the rejected update changed nothing")

    // from H: hello runs
    await waitHeight(h.rpcUrl, at)
    const accepted = await client.signAndBroadcast(dev, [hello], "auto")
    assert.is(accepted.code, 0, accepted.rawLog)
    const g = await abci(h.rpcUrl, "/cyberkernel.hello.v1.Query/Greeting", codecs.greetingRequest.encode({ address: dev }))
    assert.is(g.code, 0, g.log)
    assert.equal(codecs.greetingResponse.decode(g.value), { found: true, text: "gm" })
  } finally {
    client?.disconnect()
    await node?.kill("SIGTERM")
  }
})

test.run()
