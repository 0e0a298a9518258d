/**
 * IBC core over the real 07-tendermint light client between two in-process chains, each a real
 * Application (auth, bank, ibc) driven by our block producer (modules/consensus/producer): every
 * client update is a CometBFT header signed by the other chain's validator key, and every proof is
 * the `store/ibc/key` ICS-23 proof checked against the app hash that header commits. Covers client
 * creation, the connection and channel handshakes, a packet with its acknowledgement, a forged
 * proof refused, and a timeout.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Effect, Exit, Scope } from "effect"
import { encodeSecp256k1Pubkey } from "@cosmjs/amino"
import { fromBase64 } from "@cosmjs/encoding"
import { encodePubkey, makeAuthInfoBytes, makeSignDoc } from "@cosmjs/proto-signing"
import { accountFromAny } from "@cosmjs/stargate"
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { CommitmentProof } from "cosmjs-types/cosmos/ics23/v1/proofs"
import { Any as AnyCodec, type Any } from "cosmjs-types/google/protobuf/any"
import { Order } from "cosmjs-types/ibc/core/channel/v1/channel"
import { MerkleProof } from "cosmjs-types/ibc/core/commitment/v1/commitment"
import { MsgCreateClient, MsgUpdateClient } from "cosmjs-types/ibc/core/client/v1/tx"
import { ClientState, ConsensusState } from "cosmjs-types/ibc/lightclients/tendermint/v1/tendermint"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { Application } from "../../chain/Application.ts"
import type { TxPipeline } from "../../chain/TxPipeline.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { sdkSpecs } from "../../modules/ibc/commitment/MerkleProof.ts"
import { revisionOf } from "../../modules/ibc/core/Height.ts"
import { IbcMachine } from "../../modules/ibc/Ibc.ts"
import type { Height } from "../../modules/ibc/LightClient.ts"
import { TypeUrl } from "../../modules/ibc/lightclients/tendermint/ClientState.ts"
import { clientStateAny, consensusStateAny, headerAny, tendermintClient } from "../../modules/ibc/lightclients/tendermint/TendermintClient.ts"
import { makeProducer, type Producer } from "../../modules/consensus/producer/Producer.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { MemBlockStore } from "../consensus/memBlockStore.ts"
import { makeKey, ok, type Key } from "./core-chains.ts"
import { attr, Pair, type RelayChain } from "./core-relay.ts"
import { echoApp, echoSend, type EchoLog } from "./core-support.ts"
import { key as validatorKey, valSet } from "./lightclient-support.ts"

const SEC = 1_000_000_000n
const enc = new TextEncoder()
/** One clock for both chains: every block anywhere is 5 s after the previous one. */
const clock = { now: 1_800_000_000n * SEC }

class TmChain implements RelayChain {
  readonly chainId: string
  readonly app: Application
  readonly ms: CommitMultiStore
  readonly producer: Producer
  readonly blocks: MemBlockStore
  readonly log: EchoLog
  readonly validators: ReturnType<typeof valSet>
  private readonly scope: Scope.Closeable
  /** Height of the latest consensus state the counterparty's client holds of this chain. */
  trusted: Height = { revisionNumber: 0n, revisionHeight: 0n }

  private constructor(chainId: string, app: Application, ms: CommitMultiStore, producer: Producer, blocks: MemBlockStore, log: EchoLog, validators: ReturnType<typeof valSet>, scope: Scope.Closeable) {
    this.chainId = chainId
    this.app = app
    this.ms = ms
    this.producer = producer
    this.blocks = blocks
    this.log = log
    this.validators = validators
    this.scope = scope
  }

  static async start(chainId: string, funded: string, seedFill: number): Promise<TmChain> {
    const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: Application.namespaces() })
    const log: EchoLog = { events: [] }
    const ibc = new IbcMachine({ lightClients: [{ clientStateTypeUrl: TypeUrl.clientState, module: tendermintClient }], apps: (core) => [echoApp(core, log)] })
    const auth = new AuthMachine({ minGasPrices: "0.0001boot" })
    const app = new Application({ chainId, store: ms, machines: [auth, new BankMachine(), ibc], pipeline: auth as unknown as TxPipeline })
    const self = validatorKey(seedFill)
    const blocks = new MemBlockStore()
    const appState = { auth: { accounts: [] }, bank: { balances: [{ address: funded, coins: [{ denom: "boot", amount: "1000000000000000" }] }] } }
    const scope = Effect.runSync(Scope.make())
    const producer = await Effect.runPromise(Scope.provide(scope)(makeProducer({
      app, blockStore: blocks, chainId, validatorKey: self.seed, blockTimeMs: 3_600_000,
      genesis: { time: { seconds: clock.now / SEC, nanos: 0 }, appState: enc.encode(JSON.stringify(appState)), validators: [{ pubKeyEd25519: self.pub, power: 10n }] }
    })))
    return new TmChain(chainId, app, ms, producer, blocks, log, valSet([{ key: self, power: 10n }]), scope)
  }

  height(): number {
    return this.producer.tip().height
  }

  ibcHeight(h: number = this.height()): Height {
    return { revisionNumber: revisionOf(this.chainId), revisionHeight: BigInt(h) }
  }

  async block(): Promise<void> {
    clock.now += 5n * SEC
    await this.producer.produceBlock(clock.now)
  }

  async tx(k: Key, msgs: ReadonlyArray<Any>): Promise<ExecTxResult> {
    const r = await this.app.query({ path: "/cosmos.auth.v1beta1.Query/Account", data: QueryAccountRequest.encode({ address: k.address }).finish(), height: 0n, prove: false })
    const acc = r.code === 0 ? accountFromAny(QueryAccountResponse.decode(r.value).account!) : { accountNumber: 0, sequence: 0 }
    const bodyBytes = TxBody.encode(TxBody.fromPartial({ messages: [...msgs], memo: "" })).finish()
    const authInfoBytes = makeAuthInfoBytes([{ pubkey: encodePubkey(encodeSecp256k1Pubkey(k.pubkey)), sequence: BigInt(acc.sequence) }], [{ denom: "boot", amount: "1000000" }], 50_000_000, undefined, undefined)
    const { signature } = await k.wallet.signDirect(k.address, makeSignDoc(bodyBytes, authInfoBytes, this.chainId, BigInt(acc.accountNumber)))
    const tx = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [fromBase64(signature.signature)] }).finish()
    // a block's time is its last commit's (BFT time): an empty block first brings it up to the shared clock
    await this.block()
    const check = await this.producer.broadcastTx(tx)
    if (check.code !== 0) return { ...check, events: [], gasUsed: 0n, data: new Uint8Array() } as unknown as ExecTxResult
    await this.block()
    return (await this.producer.awaitCommit(sha256(tx), 5_000)).result
  }

  /** A 07-tendermint IBC header of block h (signed by block h+1's commit), trusting `this.trusted`. */
  header(h: number) {
    const b = this.blocks.blocks.get(h), next = this.blocks.blocks.get(h + 1)
    if (!b || !next) throw new Error(`${this.chainId}: no block ${h} or ${h + 1}`)
    return { signedHeader: { header: b.header, commit: next.lastCommit }, validatorSet: this.validators, trustedHeight: this.trusted, trustedValidators: this.validators }
  }

  async proofFor(clientIdOnDst: string, path: string, signer: string) {
    const v = this.height()
    await this.block()
    await this.block()
    const r = await this.ms.query("ibc", enc.encode(path), v, true)
    const proof = MerkleProof.encode({ proofs: r.proof!.ops.map((op) => CommitmentProof.decode(op.data)) }).finish()
    const update: Any = {
      typeUrl: "/ibc.core.client.v1.MsgUpdateClient",
      value: MsgUpdateClient.encode({ clientId: clientIdOnDst, clientMessage: AnyCodec.fromPartial(headerAny(this.header(v + 1))), signer }).finish()
    }
    this.trusted = this.ibcHeight(v + 1)
    return { update, proof, proofHeight: this.ibcHeight(v + 1), value: r.value ?? new Uint8Array() }
  }

  /** MsgCreateClient for a 07-tendermint client of this chain at its latest block (as a relayer builds it). */
  createClientMsg(signer: string): Any {
    const h = this.height()
    const header = this.blocks.blocks.get(h)!.header
    const cs = ClientState.fromPartial({
      chainId: this.chainId, trustLevel: { numerator: 1n, denominator: 3n }, trustingPeriod: { seconds: 86_400n, nanos: 0 },
      unbondingPeriod: { seconds: 3n * 86_400n, nanos: 0 }, maxClockDrift: { seconds: 10n, nanos: 0 }, frozenHeight: { revisionNumber: 0n, revisionHeight: 0n },
      latestHeight: this.ibcHeight(h), proofSpecs: sdkSpecs(), upgradePath: ["upgrade", "upgradedIBCState"]
    })
    const cons = ConsensusState.fromPartial({ timestamp: header.time, root: { hash: header.appHash }, nextValidatorsHash: header.nextValidatorsHash })
    this.trusted = this.ibcHeight(h)
    return {
      typeUrl: "/ibc.core.client.v1.MsgCreateClient",
      value: MsgCreateClient.encode({ clientState: AnyCodec.fromPartial(clientStateAny(cs)), consensusState: AnyCodec.fromPartial(consensusStateAny(cons)), signer }).finish()
    }
  }

  async close(): Promise<void> {
    await Effect.runPromise(Scope.close(this.scope, Exit.void))
    await this.ms.close()
  }
}

test("07-tendermint end to end in process: clients, connection, channel, a packet and its ack over signed headers and ICS-23 proofs", async () => {
  const relayer = await makeKey("ibc tendermint relayer")
  const a = await TmChain.start("tm-a-1", relayer.address, 11)
  const b = await TmChain.start("tm-b-1", relayer.address, 12)
  try {
    await a.block()
    await b.block()
    const ca = ok(await b.tx(relayer, [a.createClientMsg(relayer.address)]), "create client of a on b")
    assert.is(attr(ca.events, "create_client", "client_id"), "07-tendermint-0")
    ok(await a.tx(relayer, [b.createClientMsg(relayer.address)]), "create client of b on a")
    const p = new Pair<TmChain>(a, b, relayer, "07-tendermint-0")
    await p.connect()
    const ids = await p.openChannel(Order.ORDER_UNORDERED)
    assert.equal(ids, { a: "channel-0", b: "channel-0" })

    const sent = ok(await a.tx(relayer, [echoSend(relayer.address, ids.a, b.ibcHeight(10_000), 0n, enc.encode("over tendermint"))]), "send")
    const packet = Pair.sentPacket(sent.events)
    const msgs = await p.recvMsgs(a, packet)
    const recv = ok(await b.tx(relayer, msgs), "recv")
    const ack = Buffer.from(attr(recv.events, "write_acknowledgement", "packet_ack_hex")!, "hex")
    assert.is(attr(recv.events, "update_client", "client_type"), "07-tendermint")
    ok(await a.tx(relayer, await p.ackMsgs(b, packet, ack)), "ack")
    assert.ok(a.log.events.some((e) => e.startsWith("acked 1 ")), a.log.events.join("; "))

    // the same proof for another packet body is refused by the tendermint client's ICS-23 check
    const second = Pair.sentPacket(ok(await a.tx(relayer, [echoSend(relayer.address, ids.a, b.ibcHeight(10_000), 0n, enc.encode("second"))]), "send 2").events)
    const [update, real] = await p.recvMsgs(a, second)
    ok(await b.tx(relayer, [update!]), "update")
    const realMsg = (await import("cosmjs-types/ibc/core/channel/v1/tx")).MsgRecvPacket.decode(real!.value)
    const forged = await b.tx(relayer, [p.recvMsg({ ...second, data: enc.encode("forged") }, realMsg.proofCommitment, realMsg.proofHeight)])
    assert.equal([forged.codespace, forged.code], ["commitment", 2], forged.log)
    assert.match(forged.log, "couldn't verify counterparty packet commitment")
    ok(await b.tx(relayer, [real!]), "the real one passes")

    // a packet timing out on b's height is timed out on a with b's receipt-absence proof
    const deadline = BigInt(b.height() + 2)
    const late = Pair.sentPacket(ok(await a.tx(relayer, [echoSend(relayer.address, ids.a, b.ibcHeight(Number(deadline)), 0n, enc.encode("late"))]), "send late").events)
    for (let i = 0; i < 3; i++) await b.block()
    ok(await a.tx(relayer, await p.timeoutMsgs(b, late, false)), "timeout")
    assert.ok(a.log.events.includes("timeout 3"), a.log.events.join("; "))
  } finally {
    await a.close()
    await b.close()
  }
})

test.run()
