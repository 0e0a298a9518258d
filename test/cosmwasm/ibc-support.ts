/**
 * Two in-process chains (test/ibc/core-chains.ts) running the cyberwasm machine with the CosmWasm
 * VM and the ibc machine serving contract ports `wasm.<address>` (modules/ibc/apps/contracts) and
 * program ports, and ICS-20 `transfer`: wasmd's own ibc_reflect_send fixture on chain A, ibc_reflect (with reflect 2.0 as
 * its per-channel account) on chain B, uploaded and instantiated with wasmd's messages, and
 * connection-0 open between them. Chain B may run a twin app that must agree on every block.
 */
import { readFileSync } from "node:fs"
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci"
import { QuerySmartContractStateRequest, QuerySmartContractStateResponse } from "cosmjs-types/cosmwasm/wasm/v1/query"
import { MsgExecuteContract, MsgInstantiateContract, MsgInstantiateContractResponse, MsgStoreCode, MsgStoreCodeResponse } from "cosmjs-types/cosmwasm/wasm/v1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import { CyberWasmMachine } from "../../modules/cyberwasm/CyberWasmMachine.ts"
import { makeCosmWasmVm } from "../../modules/cyberwasm/cosmwasm/vm/CosmWasmVmLive.ts"
import { CONTRACT_PORT_GRANTS, ContractPorts } from "../../modules/ibc/apps/contracts/ContractPorts.ts"
import { PROGRAM_PORT_GRANTS, ProgramPorts } from "../../modules/ibc/apps/programs/ProgramPorts.ts"
import { TRANSFER_GRANTS, TransferModule } from "../../modules/ibc/apps/transfer/Transfer.ts"
import { IbcChain, makeKey, ok, type Key } from "../ibc/core-chains.ts"
import { any, Pair } from "../ibc/core-relay.ts"
import { channelPath } from "../../modules/ibc/core/Host.ts"
import { type Order, State as ChannelState } from "cosmjs-types/ibc/core/channel/v1/channel"
import * as ChTx from "cosmjs-types/ibc/core/channel/v1/tx"

const enc = new TextEncoder()
const dec = new TextDecoder()
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/cosmwasm/${name}`, import.meta.url)))

/** A chain with cyberwasm (CosmWasm VM) and contract and program ports. */
export const openContractChain = (chainId: string): Promise<IbcChain> => {
  const programs = new ProgramPorts()
  const contracts = new ContractPorts()
  return IbcChain.open(
    chainId,
    () => [new CyberWasmMachine({ chainParams: { maxCodeBytes: 1_000_000, maxCallGas: 20_000_000n }, cosmwasm: { vm: makeCosmWasmVm() } })],
    (core) => [new TransferModule({ bech32Prefix: "cyber", packetSender: core })],
    { ports: { route: (p) => programs.route(p) ?? contracts.route(p) }, grants: [...TRANSFER_GRANTS, ...PROGRAM_PORT_GRANTS, ...CONTRACT_PORT_GRANTS] }
  )
}

const wasmAny = (name: string, value: Uint8Array): Any => ({ typeUrl: `/cosmwasm.wasm.v1.${name}`, value })

/** Upload a fixture; returns its code id. */
export const store = async (chain: IbcChain, user: Key, file: string): Promise<bigint> => {
  const r = ok(await chain.tx(user, [wasmAny("MsgStoreCode", MsgStoreCode.encode({ sender: user.address, wasmByteCode: fixture(file) }).finish())]), `store ${file}`)
  return MsgStoreCodeResponse.decode(TxMsgData.decode(r.data).msgResponses[0]!.value).codeId
}

/** Instantiate `codeId` with `msg`; returns the contract address. */
export const instantiate = async (chain: IbcChain, user: Key, codeId: bigint, msg: unknown, label: string): Promise<string> => {
  const r = ok(await chain.tx(user, [wasmAny("MsgInstantiateContract", MsgInstantiateContract.encode({
    sender: user.address, admin: user.address, codeId, label, msg: enc.encode(JSON.stringify(msg)), funds: []
  }).finish())]), `instantiate ${label}`)
  return MsgInstantiateContractResponse.decode(TxMsgData.decode(r.data).msgResponses[0]!.value).address
}

/** MsgExecuteContract `msg` on `contract` as `sender`. */
export const executeMsg = (sender: string, contract: string, msg: unknown, funds: Array<{ denom: string; amount: string }> = []): Any =>
  wasmAny("MsgExecuteContract", MsgExecuteContract.encode({ sender, contract, msg: enc.encode(JSON.stringify(msg)), funds }).finish())

/** A smart query's JSON answer. */
export const smart = async (chain: IbcChain, contract: string, msg: unknown): Promise<unknown> => {
  const out = await chain.query("/cosmwasm.wasm.v1.Query/SmartContractState", QuerySmartContractStateRequest.encode({ address: contract, queryData: enc.encode(JSON.stringify(msg)) }).finish())
  return JSON.parse(dec.decode(QuerySmartContractStateResponse.decode(out).data))
}

/** Chains A (ibc_reflect_send) and B (ibc_reflect + reflect) with connection-0 open. */
export interface ContractPair {
  readonly pair: Pair<IbcChain>
  readonly user: Key
  /** ibc_reflect_send on A. */
  readonly send: string
  /** ibc_reflect on B. */
  readonly reflect: string
  /** reflect 2.0 on A (no IBC entry points: no port). */
  readonly plainA: string
  readonly reflectCodeId: bigint
}

export const contractPair = async (opts: { twinB?: boolean } = {}): Promise<ContractPair> => {
  const relayer = await makeKey("ibc contracts relayer")
  const user = await makeKey("ibc contracts user")
  const a = await openContractChain("ibc-a-1")
  const b = await openContractChain("ibc-b-2")
  if (opts.twinB) b.twin = await openContractChain("ibc-b-2")
  await a.init([relayer.address, user.address])
  await b.init([relayer.address, user.address])
  const pair = new Pair<IbcChain>(a, b, relayer)
  await Pair.createTestClient(pair, b, a)
  await Pair.createTestClient(pair, a, b)
  await pair.connect()
  const sendCode = await store(a, user, "ibc_reflect_send.wasm")
  const plainCode = await store(a, user, "reflect_2_0.wasm")
  const send = await instantiate(a, user, sendCode, {}, "ibc-reflect-send")
  const plainA = await instantiate(a, user, plainCode, {}, "reflect")
  const reflectCodeId = await store(b, user, "reflect_2_0.wasm")
  const reflectIbcCode = await store(b, user, "ibc_reflect.wasm")
  const reflect = await instantiate(b, user, reflectIbcCode, { reflect_code_id: Number(reflectCodeId) }, "ibc-reflect")
  return { pair, user, send, reflect, plainA, reflectCodeId }
}

const ch = (name: string) => `/ibc.core.channel.v1.${name}`

/**
 * The channel handshake A `portA` -> B `portB` (init with `version`), as a relayer runs it; returns
 * the ids, versions and each step's tx result (open-ack's events hold what A's contract sent).
 */
export const openContractChannel = async (p: Pair<IbcChain>, portA: string, portB: string, order: Order, version: string) => {
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
  const ack = ok(await a.tx(relayer, [pr.update, any(ch("MsgChannelOpenAck"), ChTx.MsgChannelOpenAck.encode(ChTx.MsgChannelOpenAck.fromPartial({
    portId: portA, channelId: aId, counterpartyChannelId: bId, counterpartyVersion: tryRes.version, proofTry: pr.proof, proofHeight: pr.proofHeight, signer: s
  })).finish())]), "chan open ack")
  pr = await a.proofFor(p.clientId, channelPath(portA, aId), s)
  const confirm = ok(await b.tx(relayer, [pr.update, any(ch("MsgChannelOpenConfirm"), ChTx.MsgChannelOpenConfirm.encode({
    portId: portB, channelId: bId, proofAck: pr.proof, proofHeight: pr.proofHeight, signer: s
  }).finish())]), "chan open confirm")
  return { a: aId, b: bId, versionA: initRes.version, versionB: tryRes.version, init, try: tr, ack, confirm }
}
