/**
 * Two in-process chains (test/ibc/core-chains.ts) that also run the cyberwasm machine, with the ibc
 * machine serving program ports `cyberwasm.<address>` (modules/ibc/apps/programs), the example
 * program sdk/assemblyscript/examples/ibcping.ts built from source, and relaying helpers for a
 * channel between two program ports (handshake with the programs' version negotiation).
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { Order, State as ChannelState, type Packet as PacketProto } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"
import type { Event, ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import * as M from "../../modules/cyberwasm/Messages.ts"
import { PROGRAM_PORT_GRANTS, ProgramPorts } from "../../modules/ibc/apps/programs/ProgramPorts.ts"
import { channelPath } from "../../modules/ibc/core/Host.ts"
import { buildExamples } from "../../sdk/assemblyscript/build.ts"
import { IbcChain, makeKey, ok, type Key } from "./core-chains.ts"
import { any, attr, Pair } from "./core-relay.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()

/** max_call_gas of the test chains (a callback's cap when the tx has more). */
export const MAX_CALL_GAS = 20_000_000n

/** A chain with cyberwasm and program ports. */
export const openProgramChain = (chainId: string): Promise<IbcChain> =>
  IbcChain.open(chainId, () => [new CyberWasmMachine({ chainParams: { maxCodeBytes: 1_000_000, maxCallGas: MAX_CALL_GAS } })], () => [], {
    ports: new ProgramPorts(),
    grants: PROGRAM_PORT_GRANTS
  })

/** Store `wasm` and instantiate it `count` times as `user`; returns the program addresses. */
export const deploy = async (chain: IbcChain, user: Key, wasm: Uint8Array, count: number): Promise<string[]> => {
  ok(await chain.tx(user, [{ typeUrl: M.TypeUrl.storeCode, value: M.MsgStoreCode.encode({ sender: user.address, wasmByteCode: wasm }) }]), "store code")
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    const r = ok(await chain.tx(user, [{
      typeUrl: M.TypeUrl.instantiate,
      value: M.MsgInstantiate.encode({ sender: user.address, codeHash: sha256(wasm), admin: user.address, input: new Uint8Array(), reserve: 1_000_000n, label: `ping-${i}`, address: "" })
    }]), "instantiate")
    out.push(M.MsgInstantiateResponse.decode(TxMsgData.decode(r.data).msgResponses[0]!.value).address)
  }
  return out
}

/** MsgExecute of `program` with text `input`. */
export const execMsg = (sender: string, program: string, input: string | Uint8Array) => ({
  typeUrl: M.TypeUrl.execute,
  value: M.MsgExecute.encode({ sender, program, input: typeof input === "string" ? enc.encode(input) : input })
})

/** The program's `state` (read-only dispatch query) as a record of its lists. */
export const programState = async (chain: IbcChain, program: string): Promise<{ recv: string; acks: string; timeouts: string; channels: string; closed: string }> => {
  const out = await chain.query(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: program, input: enc.encode("state") }))
  const text = dec.decode(M.QueryDispatchResponse.decode(out).data)
  const f = Object.fromEntries(text.split(";").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]))
  return { recv: f.recv ?? "", acks: f.acks ?? "", timeouts: f.timeouts ?? "", channels: f.channels ?? "", closed: f.closed ?? "" }
}

/** Every packet of the `send_packet` events of a tx, in order. */
export const sentPackets = (events: ReadonlyArray<Event>): PacketProto[] => {
  const out: PacketProto[] = []
  for (const e of events) {
    if (e.type !== "send_packet") continue
    out.push(Pair.sentPacket([e]))
  }
  return out
}

/** The acknowledgement bytes a recv tx wrote (write_acknowledgement event). */
export const writtenAck = (r: ExecTxResult): Uint8Array => Buffer.from(attr(r.events, "write_acknowledgement", "packet_ack_hex")!, "hex")

const ch = (name: string) => `/ibc.core.channel.v1.${name}`

/** Two connected program chains, `programsA` / `programsB` deployed by `user`. */
export interface ProgramPair {
  readonly pair: Pair<IbcChain>
  readonly user: Key
  readonly programsA: string[]
  readonly programsB: string[]
}

/**
 * Chains `ibc-a-1` and `ibc-b-2` with connection-0 open; on A two ibcping programs (index 0: the
 * ping, 1: an intruder), on B two (index 1 is the ping, so the ports differ between the chains).
 * `twinB`: a second app of chain B fed every block, which must agree on every result and app hash.
 */
export const programPair = async (opts: { twinB?: boolean } = {}): Promise<ProgramPair> => {
  const relayer = await makeKey("ibc programs relayer")
  const user = await makeKey("ibc programs user")
  const a = await openProgramChain("ibc-a-1")
  const b = await openProgramChain("ibc-b-2")
  if (opts.twinB) b.twin = await openProgramChain("ibc-b-2")
  await a.init([relayer.address, user.address])
  await b.init([relayer.address, user.address])
  const pair = new Pair<IbcChain>(a, b, relayer)
  await Pair.createTestClient(pair, b, a)
  await Pair.createTestClient(pair, a, b)
  await pair.connect()
  const { ibcping } = await buildExamples(["ibcping"])
  const programsA = await deploy(a, user, ibcping!, 2)
  const programsB = await deploy(b, user, ibcping!, 2)
  return { pair, user, programsA, programsB }
}

/**
 * The channel handshake from A's `portA` to B's `portB` with `order`, MsgChannelOpenInit carrying
 * `version` (the program picks when empty), MsgChannelOpenTry the version A settled on. Returns ids
 * and versions; throws with the failing step's log.
 */
export const openProgramChannel = async (p: Pair<IbcChain>, portA: string, portB: string, order: Order, version = ""): Promise<{ a: string; b: string; versionA: string; versionB: string }> => {
  const { a, b, relayer } = p
  const s = relayer.address
  const init = ok(await a.tx(relayer, [any(ch("MsgChannelOpenInit"), ChTx.MsgChannelOpenInit.encode({
    portId: portA, channel: { state: ChannelState.STATE_INIT, ordering: order, counterparty: { portId: portB, channelId: "" }, connectionHops: ["connection-0"], version }, signer: s
  }).finish())]), "chan open init")
  const initRes = ChTx.MsgChannelOpenInitResponse.decode(TxMsgData.decode(init.data).msgResponses[0]!.value)
  const aId = initRes.channelId
  let pr = await a.proofFor(p.clientId, channelPath(portA, aId), s)
  const tr = ok(await b.tx(relayer, [pr.update, any(ch("MsgChannelOpenTry"), ChTx.MsgChannelOpenTry.encode(ChTx.MsgChannelOpenTry.fromPartial({
    portId: portB, channel: { state: ChannelState.STATE_TRYOPEN, ordering: order, counterparty: { portId: portA, channelId: aId }, connectionHops: ["connection-0"], version: "" },
    counterpartyVersion: initRes.version, proofInit: pr.proof, proofHeight: pr.proofHeight, signer: s
  })).finish())]), "chan open try")
  const tryRes = ChTx.MsgChannelOpenTryResponse.decode(TxMsgData.decode(tr.data).msgResponses[1]!.value)
  const bId = tryRes.channelId
  pr = await b.proofFor(p.clientId, channelPath(portB, bId), s)
  ok(await a.tx(relayer, [pr.update, any(ch("MsgChannelOpenAck"), ChTx.MsgChannelOpenAck.encode(ChTx.MsgChannelOpenAck.fromPartial({
    portId: portA, channelId: aId, counterpartyChannelId: bId, counterpartyVersion: tryRes.version, proofTry: pr.proof, proofHeight: pr.proofHeight, signer: s
  })).finish())]), "chan open ack")
  pr = await a.proofFor(p.clientId, channelPath(portA, aId), s)
  ok(await b.tx(relayer, [pr.update, any(ch("MsgChannelOpenConfirm"), ChTx.MsgChannelOpenConfirm.encode({
    portId: portB, channelId: bId, proofAck: pr.proof, proofHeight: pr.proofHeight, signer: s
  }).finish())]), "chan open confirm")
  return { a: aId, b: bId, versionA: initRes.version, versionB: tryRes.version }
}
