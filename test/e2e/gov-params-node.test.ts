/**
 * Acceptance: a governance proposal carrying two MsgUpdateParams (run as the gov authority)
 * changes the graph's rank calculation period (3 -> 5 blocks) and CyberWasm's upload limit
 * (max_code_bytes 64,000 -> 32,000) on a node started by the CLI (graph, cyberwasm, staking and
 * gov on; genesis edited for a 15 s voting period, a 3-block rank period and a 64,000-byte limit).
 * The proposal is submitted with `tx gov submit-proposal <file.json> --from dev` (SDK JSON
 * messages, modules/gov/MsgJson.ts) and voted yes with `tx gov vote`; the dev account
 * self-delegates the only validator, so its vote decides. P = the block whose end block passed it
 * (its `active_proposal` event; the Proposal query says PASSED at P, VOTING_PERIOD at P - 1).
 *
 * Checked:
 * - Params queries (ABCI over RPC, at explicit heights): graph, go-cyber rank and cyberwasm Params
 *   hold the old values in the state of P - 1 and the new ones in the state of P and later.
 * - Uploads: 48,000-byte programs (between the limits) sent one after another while the proposal
 *   is voted on; every one executed in a block <= P succeeds, every one in a block > P (or
 *   checked against the state of P or later) is refused naming the new limit; at least one
 *   succeeds before P. After P: 32,001 bytes and 48,000 bytes are refused with
 *   `binary is N bytes, limit 32000`; exactly 32,000 bytes is stored, in a block > P.
 * - Rank period: the observable is the graph's `rank` end-block event (block_results), emitted in
 *   exactly the blocks that publish a rank context (docs/graph.md "Rank publishing schedule":
 *   publishing happens only at heights divisible by the calculation period in force for that
 *   block). The dev account is a neuron (one cyberlink) and its fees change its stake between
 *   boundaries (uploads before P, small sends for 30 blocks after it), so a context is
 *   snapshotted and published at (nearly) every boundary. The Params query only shows stored
 *   values; the event heights show the schedule the machine really uses: every publication at a
 *   height <= P is on a multiple of 3 (block P itself still runs on the old period), every one
 *   in (P, P + 30] on a multiple of 5 (at least 3 of them), with at least one before P off the
 *   new grid and one after P off the old grid (so the two schedules are told apart), and the
 *   contexts snapshotted after P were snapshotted on multiples of 5 (the new period's
 *   boundaries; the first publication after P is the context pending from the old schedule).
 * No timing is asserted: everything polls a deadline and judges by block heights.
 */
import { spawn } from "node:child_process"
import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { toBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov"
import { QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { cyberwasmRegistryTypes } from "../../modules/cyberwasm/Client.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { MSG_CYBERLINK_URL, MsgCyberlink } from "../../modules/graph/Messages.ts"
import { GRAPH_PARAMS_QUERY, QueryParamsResponse, QueryRankParamsResponse, RANK_PARAMS_QUERY } from "../../modules/graph/ParamsMessages.ts"
import { programOfSize } from "../cyberwasm/fixtures/wat.ts"
import { editGenesis, makeHome, rpc, startNode, type NodeProcess } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname
const GOV = toBech32("cyber", moduleAccountBytes("gov"))
const SINK = toBech32("cyber", new Uint8Array(20).fill(7))
const OLD_PERIOD = 3
const NEW_PERIOD = 5
const OLD_LIMIT = 64_000
const NEW_LIMIT = 32_000
const MID = 48_000

const cli = (args: ReadonlyArray<string>, timeoutMs = 90_000): Promise<{ code: number | null; out: string; stdout: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "cli/main.ts"), ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    let stdout = ""
    child.stdout.on("data", (d) => { out += d; stdout += d })
    child.stderr.on("data", (d) => (out += d))
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error(`cli ${args.join(" ")} ran over ${timeoutMs} ms:\n${out}`)) }, timeoutMs)
    child.once("exit", (code) => { clearTimeout(timer); resolve({ code, out, stdout }) })
  })

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test("a gov MsgUpdateParams changes the rank period and the upload limit, both from the block after the proposal passes", async () => {
  const h = await makeHome(200, { modules: ["graph", "cyberwasm"] })
  const genesis = editGenesis(h.home, (g) => {
    g.app_state.gov = { params: { voting_period: "15s", max_deposit_period: "120s" } }
    g.app_state.graph.params.rank.calculation_period = String(OLD_PERIOD)
    g.app_state.cyberwasm.params.max_code_bytes = String(OLD_LIMIT)
  })
  const graphParams = genesis.app_state.graph.params
  const maxCallGas = genesis.app_state.cyberwasm.params.max_call_gas as string

  let node: NodeProcess | undefined
  let client: SigningStargateClient | undefined
  try {
    node = await startNode(h)
    const url = h.rpcUrl
    const dev = h.devAddress
    const common = ["--home", h.home, "--node", url, "--output", "json"]
    const tip = async (): Promise<number> => Number((await rpc(url, "status")).sync_info.latest_block_height)
    const waitHeight = async (target: number) => {
      const until = performance.now() + 60_000
      while ((await tip()) < target) {
        assert.ok(performance.now() < until, `height ${target} within 60 s`)
        await sleep(100)
      }
    }
    const query = async (path: string, data: Uint8Array, height = 0): Promise<Uint8Array> => {
      const r = await rpc(url, "abci_query", { path: JSON.stringify(path), data: "0x" + Buffer.from(data).toString("hex"), height: String(height) })
      assert.is(r.response.code, 0, `${path} at ${height}: ${r.response.log}`)
      return new Uint8Array(Buffer.from(r.response.value ?? "", "base64"))
    }
    const paramsAt = async (height: number) => ({
      period: QueryParamsResponse.decode(await query(GRAPH_PARAMS_QUERY, new Uint8Array(), height)).params!.rank!.calculationPeriod,
      rankPeriod: QueryRankParamsResponse.decode(await query(RANK_PARAMS_QUERY, new Uint8Array(), height)).params!.calculationPeriod,
      maxCode: M.ChainParamsProto.decode(M.QueryParamsResponse.decode(await query(M.QueryPath.params, new Uint8Array(), height)).params).maxCodeBytes
    })
    const statusAt = async (height = 0) =>
      QueryProposalResponse.decode(await query("/cosmos.gov.v1.Query/Proposal", QueryProposalRequest.encode({ proposalId: 1n }).finish(), height)).proposal!

    // end-block events by height, read once per height from block_results
    const events = new Map<number, Array<{ type: string; attributes: Array<{ key: string; value: string }> }>>()
    const scanTo = async (to: number) => {
      for (let k = 1; k <= to; k++) {
        if (!events.has(k)) events.set(k, (await rpc(url, "block_results", { height: String(k) })).finalize_block_events ?? [])
      }
    }
    const rankEvents = () => [...events].flatMap(([k, es]) => es.filter((e) => e.type === "rank").map((e) => ({
      height: k, snapshot: Number(e.attributes.find((a) => a.key === "snapshot_height")?.value)
    }))).sort((a, b) => a.height - b.height)

    const before = await paramsAt(0)
    assert.equal(before, { period: BigInt(OLD_PERIOD), rankPeriod: BigInt(OLD_PERIOD), maxCode: BigInt(OLD_LIMIT) }, "genesis params")

    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    client = await SigningStargateClient.connectWithSigner(url, wallet, {
      registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes, [MSG_CYBERLINK_URL, MsgCyberlink as never]]), broadcastPollIntervalMs: 100
    })
    const c = client
    // dev becomes a neuron: from now on every fee it pays changes a stake, so each boundary snapshots
    const linked = await c.signAndBroadcast(dev, [{ typeUrl: MSG_CYBERLINK_URL, value: { neuron: dev, links: [{ from: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", to: "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn" }] } }], { amount: [{ denom: "boot", amount: "5000" }], gas: "500000" })
    assert.is(linked.code, 0, linked.rawLog)

    let uploads = 0
    /**
     * Upload a program; the tx's height and code, or its CheckTx refusal (no height). Signed and
     * broadcast by hand: CosmJS's signAndBroadcast leaves a 60 s timer behind on a CheckTx refusal.
     */
    const upload = async (size: number) => {
      const code = programOfSize(size, { prefix: `u${uploads++}-`, pages: 2 })
      assert.is(code.length, size)
      const fee = { amount: [{ denom: "boot", amount: "80000" }], gas: "8000000" }
      const signed = await c.sign(dev, [{ typeUrl: M.TypeUrl.storeCode, value: { sender: dev, wasmByteCode: code } }], fee, "")
      let hash: string
      try {
        hash = await c.broadcastTxSync(TxRaw.encode(signed).finish())
      } catch (e) {
        return { height: undefined as number | undefined, code: -1, log: (e as Error).message }
      }
      const until = performance.now() + 60_000
      for (;;) {
        const r = await c.getTx(hash)
        if (r) return { height: r.height as number | undefined, code: r.code, log: r.rawLog ?? "" }
        assert.ok(performance.now() < until, `upload ${hash} not in a block within 60 s`)
        await sleep(100)
      }
    }

    // one proposal, two messages, through the CLI
    const file = join(h.home, "params-proposal.json")
    writeFileSync(file, JSON.stringify({
      messages: [
        { "@type": "/cyber.graph.v1beta1.MsgUpdateParams", authority: GOV, params: { ...graphParams, rank: { ...graphParams.rank, calculation_period: String(NEW_PERIOD) } } },
        { "@type": "/cyber.cyberwasm.v1.MsgUpdateParams", authority: GOV, params: { max_code_bytes: String(NEW_LIMIT), max_call_gas: maxCallGas } }
      ],
      deposit: "10000000boot",
      title: "Rank period 5, upload limit 32000",
      summary: "graph rank calculation_period 3 -> 5; cyberwasm max_code_bytes 64000 -> 32000",
      metadata: ""
    }, null, 2))
    const submitted = await cli(["tx", "gov", "submit-proposal", file, "--from", "dev", ...common])
    assert.is(submitted.code, 0, submitted.out)
    assert.is(JSON.parse(submitted.stdout).proposal_id, "1")
    const voted = await cli(["tx", "gov", "vote", "1", "yes", "--from", "dev", ...common])
    assert.is(voted.code, 0, voted.out)
    assert.is((await statusAt()).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, "still voting after the vote (voting period 15 s)")

    // while the vote runs: uploads between the two limits, one after another
    const mids: Array<{ height: number | undefined; code: number; log: string }> = []
    let deadline = performance.now() + 120_000
    for (;;) {
      mids.push(await upload(MID))
      const s = (await statusAt()).status
      if (s === ProposalStatus.PROPOSAL_STATUS_PASSED) break
      assert.is(s, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD, `proposal ended as ${s}: ${(await statusAt()).failedReason}`)
      assert.ok(performance.now() < deadline, "the proposal did not pass within 120 s")
    }

    // P: the block whose end block passed the proposal
    const latest = await tip()
    await scanTo(latest)
    const passedAt = [...events].filter(([, es]) => es.some((e) => e.type === "active_proposal" &&
      e.attributes.some((a) => a.key === "proposal_id" && a.value === "1") && e.attributes.some((a) => a.key === "proposal_result" && a.value === "proposal_passed"))).map(([k]) => k)
    assert.is(passedAt.length, 1, `one active_proposal passed event: ${passedAt}`)
    const P = passedAt[0]!
    const atP = await statusAt(P)
    assert.is(atP.status, ProposalStatus.PROPOSAL_STATUS_PASSED, `PASSED in the state of ${P}: ${atP.failedReason}`)
    assert.is((await statusAt(P - 1)).status, ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD)

    // Params: old in the state of P - 1, new from the state of P (what block P + 1 runs on)
    assert.equal(await paramsAt(P - 1), { period: BigInt(OLD_PERIOD), rankPeriod: BigInt(OLD_PERIOD), maxCode: BigInt(OLD_LIMIT) }, `params at ${P - 1}`)
    const changed = { period: BigInt(NEW_PERIOD), rankPeriod: BigInt(NEW_PERIOD), maxCode: BigInt(NEW_LIMIT) }
    assert.equal(await paramsAt(P), changed, `params at ${P}`)
    await waitHeight(P + 1)
    assert.equal(await paramsAt(P + 1), changed, `params at ${P + 1}`)
    assert.equal(await paramsAt(0), changed, "params at the tip")

    // uploads during the vote: stored in blocks <= P, refused after
    const limitLog = (size: number) => new RegExp(`binary is ${size} bytes, limit ${NEW_LIMIT}\\b`)
    assert.ok(mids.some((m) => m.code === 0 && m.height !== undefined && m.height <= P), `a ${MID}-byte upload stored before P=${P}: ${JSON.stringify(mids)}`)
    for (const m of mids) {
      if (m.code === 0) assert.ok(m.height! <= P, `a ${MID}-byte upload stored at ${m.height}, after P=${P}`)
      else {
        assert.ok(m.height === undefined || m.height > P, `a ${MID}-byte upload refused at ${m.height}, not after P=${P}: ${m.log}`)
        assert.match(m.log, limitLog(MID))
      }
    }

    // after P: over the new limit refused naming it, the new limit itself stored
    const over = await upload(NEW_LIMIT + 1)
    assert.is.not(over.code, 0, "an upload over the new limit")
    assert.match(over.log, limitLog(NEW_LIMIT + 1))
    assert.not.match(over.log, /internal|413|body exceeds/)
    const mid = await upload(MID)
    assert.is.not(mid.code, 0, "an upload between the limits after P")
    assert.match(mid.log, limitLog(MID))
    const at = await upload(NEW_LIMIT)
    assert.is(at.code, 0, at.log)
    assert.ok(at.height! > P, `stored at ${at.height} > P=${P}`)

    // rank: keep stakes changing (fees) for six new periods after P, then read the publications
    const end = P + 6 * NEW_PERIOD
    deadline = performance.now() + 120_000
    for (let i = 0; (await tip()) < end; i++) {
      assert.ok(performance.now() < deadline, `height ${end} within 120 s`)
      const sent = await c.sendTokens(dev, SINK, [{ denom: "boot", amount: String(1 + i) }], { amount: [{ denom: "boot", amount: "5000" }], gas: "500000" })
      assert.is(sent.code, 0, sent.rawLog)
    }
    await scanTo(end)
    const all = rankEvents().filter((e) => e.height <= end)
    const beforeP = all.filter((e) => e.height <= P)
    const afterP = all.filter((e) => e.height > P)
    assert.ok(afterP.length >= 3, `at least 3 publications in the ${6 * NEW_PERIOD} blocks after P=${P}: ${JSON.stringify(all)}`)
    for (const e of beforeP) assert.is(e.height % OLD_PERIOD, 0, `published at ${e.height} <= P=${P}: not on the old period ${OLD_PERIOD} (${JSON.stringify(all)})`)
    for (const e of afterP) assert.is(e.height % NEW_PERIOD, 0, `published at ${e.height} > P=${P}: not on the new period ${NEW_PERIOD} (${JSON.stringify(all)})`)
    assert.ok(beforeP.some((e) => e.height % NEW_PERIOD !== 0), `a publication before P off the new grid: ${JSON.stringify(beforeP)}`)
    assert.ok(afterP.some((e) => e.height % OLD_PERIOD !== 0), `a publication after P off the old grid: ${JSON.stringify(afterP)}`)
    const fresh = afterP.filter((e) => e.snapshot > P)
    assert.ok(fresh.length > 0 && fresh.every((e) => e.snapshot % NEW_PERIOD === 0), `contexts snapshotted after P on the new boundaries: ${JSON.stringify(afterP)}`)
  } finally {
    client?.disconnect()
    await node?.kill("SIGTERM")
    rmSync(h.home, { recursive: true, force: true })
  }
})

test.run()
