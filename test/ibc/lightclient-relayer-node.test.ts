/**
 * Our node's blocks through a real relayer's eyes: @confio/relayer (unchanged, from npm) builds the
 * MsgCreateClient arguments and the update headers from a node started by the CLI, reading the
 * `block`, `blockchain`, `commit` and `validators` RPC methods as it does against CometBFT; the
 * 07-tendermint client accepts them (adjacent and non-adjacent), and a bank balance's abci_query
 * proof verifies against the client's root. A header the relayer built with a flipped signature
 * byte is refused.
 */
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { fromBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { GasPrice } from "@cosmjs/stargate"
import relayerClient from "@confio/relayer/build/lib/ibcclient.js"
import { CommitmentProof } from "cosmjs-types/cosmos/ics23/v1/proofs"
import { MerkleProof } from "cosmjs-types/ibc/core/commitment/v1/commitment"
import { ClientState, ConsensusState, Header } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { Height } from "../../modules/ibc/LightClient.ts"
import { TypeUrl } from "../../modules/ibc/lightclients/tendermint/ClientState.ts"
import { tendermintClient as tm } from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { makeHome, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"
import { host, MemClientStore, refused } from "./lightclient-support.ts"

// the package index pulls in its test helpers (sinon); the client module is what a relayer runs
const { buildCreateClientArgs, IbcClient } = relayerClient
type IbcClient = Awaited<ReturnType<typeof IbcClient.connectWithSigner>>

const ctxT = suite<{ h: TestHome; node: NodeProcess; src: IbcClient; alice: string; store: MemClientStore }>("07-tendermint over a CLI node, headers built by @confio/relayer")
const enc = new TextEncoder()
const nowNs = () => BigInt(Date.now()) * 1_000_000n
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const anyOf = (typeUrl: string, value: Uint8Array) => ({ typeUrl, value })

const waitHeight = async (src: IbcClient, h: number) => { while ((await src.currentHeight()) < h) await sleep(100) }

/** The relayer's own header for `height`, trusting `trusted` (its building blocks, as buildHeader uses them). */
const relayerHeader = async (src: IbcClient, height: number, trusted: number): Promise<Header> => Header.fromPartial({
  signedHeader: await src.getSignedHeader(height),
  validatorSet: await src.getValidatorSet(height),
  trustedHeight: src.revisionHeight(trusted),
  trustedValidators: await src.getValidatorSet(trusted + 1)
})

const update = (store: MemClientStore, hdr: Header): readonly Height[] => {
  const msg = anyOf(TypeUrl.header, Header.encode(hdr).finish())
  const hc = host(500n, nowNs())
  tm.verifyClientMessage(store, hc, msg)
  assert.not.ok(tm.checkForMisbehaviour(store, hc, msg))
  return tm.updateState(store, hc, msg)
}

ctxT.before(async (ctx) => {
  ctx.h = await makeHome(200)
  ctx.node = await startNode(ctx.h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(ctx.h.mnemonic, { prefix: "cyber" })
  ctx.alice = (await wallet.getAccounts())[0]!.address
  ctx.src = await IbcClient.connectWithSigner(ctx.h.rpcUrl, wallet as never, ctx.alice, { gasPrice: GasPrice.fromString("0.01boot") as never, estimatedBlockTime: 200, estimatedIndexerTime: 100 })
  ctx.store = new MemClientStore()
})
ctxT.after(async (ctx) => { await ctx.node?.kill("SIGTERM") })

ctxT("MsgCreateClient arguments from the relayer (buildCreateClientArgs) create an Active client", async ({ src, store }) => {
  await waitHeight(src, 3)
  const { clientState, consensusState } = await buildCreateClientArgs(src, 3600)
  tm.initialize(store, host(500n, nowNs()),
    anyOf(TypeUrl.clientState, ClientState.encode(clientState as ClientState).finish()),
    anyOf(TypeUrl.consensusState, ConsensusState.encode(consensusState as ConsensusState).finish()))
  assert.is(tm.status(store, host(500n, nowNs())), "Active")
  assert.is(ClientState.decode(tm.clientState(store).value).chainId, src.chainId)
})

ctxT("relayer-built headers update the client: non-adjacent (buildHeader) then adjacent", async ({ src, store }) => {
  const start = Number(tm.latestHeight(store).revisionHeight)
  await waitHeight(src, start + 4)
  const h = await src.buildHeader(start)
  assert.ok(Number(h.signedHeader!.header!.height) > start + 1, "non-adjacent")
  const [u] = update(store, Header.fromPartial(h as Header))
  const l = Number(u!.revisionHeight)
  await waitHeight(src, l + 2)
  assert.equal(update(store, await relayerHeader(src, l + 1, l)), [src.revisionHeight(l + 1)])
})

ctxT("a bank balance's abci_query proof verifies against the client's root (prefix bank)", async ({ src, store, alice }) => {
  const latest = Number(tm.latestHeight(store).revisionHeight)
  const addr = fromBech32(alice, 90).data
  const k = Uint8Array.from([0x02, addr.length, ...addr, ...enc.encode("boot")])
  // state after block latest-1 is committed in block latest's app hash
  const res = await src.tm.abciQuery({ path: "store/bank/key", data: k, height: latest - 1, prove: true })
  assert.is(res.code, 0)
  assert.ok(res.value.length > 0)
  const proof = MerkleProof.encode({ proofs: res.proof!.ops.map((op: { data: Uint8Array }) => CommitmentProof.decode(op.data)) }).finish()
  tm.verifyMembership(store, host(500n, nowNs()), src.revisionHeight(latest), 0n, 0n, proof, { prefix: enc.encode("bank"), key: k }, res.value)
  const wrong = Uint8Array.from(res.value)
  wrong[wrong.length - 1]! ^= 1
  const e = refused(() => tm.verifyMembership(store, host(500n, nowNs()), src.revisionHeight(latest), 0n, 0n, proof, { prefix: enc.encode("bank"), key: k }, wrong))
  assert.is(`${e.codespace}/${e.code}`, "commitment/2")
})

ctxT("a relayer header with one flipped signature byte is refused, the client unchanged", async ({ src, store }) => {
  const l = Number(tm.latestHeight(store).revisionHeight)
  await waitHeight(src, l + 3)
  const hdr = await relayerHeader(src, l + 2, l)
  const sig = hdr.signedHeader!.commit!.signatures.find((s) => s.signature.length > 0)!
  sig.signature[10]! ^= 1
  const before = store.snapshot()
  const e = refused(() => update(store, hdr))
  assert.is(`${e.codespace}/${e.code}`, "undefined/1")
  assert.match(e.log, /^failed to verify header: wrong signature \(#\d+\): [0-9A-F]{128}$/)
  assert.is(store.snapshot(), before)
})

ctxT.run()
