/**
 * `cyberkernel query evm account|code|storage|call|params` and `cyberkernel tx evm send-raw`: the
 * EVM plugin's state and raw Ethereum txs from the command line, over abci_query on its JSON query
 * paths (docs/evm.md) and CometBFT's broadcast_tx_sync. Ethereum tools (viem, ethers, cast) are the
 * main client, through the plugin's JSON-RPC endpoint (docs/evm-rpc.md); these commands need only
 * the node's CometBFT RPC.
 *
 * Source: plugins/evm/internal/Queries.ts (paths and JSON shapes).
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { abciQuery, CliFailure, cliPromise, emit, NodeUrl } from "../Globals.ts"

const QUERY = "/cyberkernel.evm.v1.Query/"
const ADDRESS = /^0x[0-9a-fA-F]{40}$/

const address = (name: string) => Argument.String(name).pipe(Argument.withDescription("0x 20-byte address"))

const checkAddress = (what: string, a: string) =>
  ADDRESS.test(a) ? Effect.void : Effect.fail(new CliFailure({ message: `invalid ${what} ${JSON.stringify(a)}: expected a 0x 20-byte hex address` }))

/** One JSON query of the evm machine, printed as JSON or as `key: value` lines. */
const query = (method: string, req: Record<string, unknown>) =>
  Effect.gen(function* () {
    const value = yield* abciQuery(QUERY + method, new TextEncoder().encode(JSON.stringify(req)))
    const out = JSON.parse(new TextDecoder().decode(value)) as Record<string, unknown>
    yield* emit(out, () => Object.keys(out).map((k) => `${k}: ${String(out[k])}`).join("\n"))
  })

const account = Command.make("account", { address: address("address") }, (o) =>
  checkAddress("address", o.address).pipe(Effect.andThen(query("Account", { address: o.address }))))
  .pipe(Command.withDescription("Nonce, balance (wei = base units of the EVM denom), code hash and size of an address"))

const code = Command.make("code", { address: address("address") }, (o) =>
  checkAddress("address", o.address).pipe(Effect.andThen(query("Code", { address: o.address }))))
  .pipe(Command.withDescription("Deployed code of a contract"))

const storage = Command.make("storage", {
  address: address("address"),
  slot: Argument.String("slot").pipe(Argument.withDescription("0x storage slot, at most 32 bytes"))
}, (o) => checkAddress("address", o.address).pipe(Effect.andThen(query("Storage", { address: o.address, slot: o.slot }))))
  .pipe(Command.withDescription("One storage slot of a contract"))

const call = Command.make("call", {
  to: Argument.String("to").pipe(Argument.withDescription("0x contract address")),
  data: Flag.String("data").pipe(Flag.withDescription("0x ABI-encoded call data"), Flag.withDefault("0x")),
  from: Flag.String("from").pipe(Flag.withDescription("0x address speaking as msg.sender"), Flag.optional),
  estimate: Flag.Boolean("estimate").pipe(Flag.withDescription("estimate gas instead (eth_estimateGas)"), Flag.withDefault(false))
}, (o) =>
  Effect.gen(function* () {
    yield* checkAddress("to", o.to)
    if (Option.isSome(o.from)) yield* checkAddress("from", o.from.value)
    yield* query(o.estimate ? "EstimateGas" : "Call", { to: o.to, data: o.data, ...(Option.isSome(o.from) ? { from: o.from.value } : {}) })
  })).pipe(Command.withDescription("Run a contract read-only (eth_call), or estimate its gas"))

const params = Command.make("params", {}, () => query("Params", {})).pipe(Command.withDescription("EVM params: chain id, denom, fees, block gas limit"))

/** `query evm ...`. */
export const evmQueryCommand = Command.make("evm").pipe(
  Command.withDescription("EVM plugin queries (docs/evm.md)"),
  Command.withSubcommands([account, code, storage, call, params])
)

const sendRaw = Command.make("send-raw", {
  tx: Argument.String("tx").pipe(Argument.withDescription("0x signed Ethereum transaction (RLP / typed envelope)"))
}, (o) =>
  Effect.gen(function* () {
    if (!/^0x([0-9a-fA-F]{2})+$/.test(o.tx)) return yield* Effect.fail(new CliFailure({ message: "the transaction must be 0x hex bytes" }))
    const node = yield* NodeUrl
    const r = yield* cliPromise(`cannot reach ${node}`, async () => {
      const res = await fetch(`${node}/broadcast_tx_sync?tx=${o.tx}`)
      return (await res.json()) as { result?: { code: number; log: string; hash: string }; error?: { message: string; data?: string } }
    })
    if (!r.result) return yield* Effect.fail(new CliFailure({ message: `broadcast failed: ${r.error?.message ?? "no result"} ${r.error?.data ?? ""}` }))
    if (r.result.code !== 0) return yield* Effect.fail(new CliFailure({ message: `refused with code ${r.result.code}: ${r.result.log}` }))
    const { keccak_256 } = yield* Effect.promise(() => import("@noble/hashes/sha3.js"))
    const hash = `0x${Buffer.from(keccak_256(Buffer.from(o.tx.slice(2), "hex"))).toString("hex")}`
    yield* emit({ hash, txhash: r.result.hash, code: 0 }, () => `hash: ${hash}\ntxhash: ${r.result!.hash}`)
  })).pipe(Command.withDescription("Broadcast a signed Ethereum transaction (the evm plugin must be active)"))

/** `tx evm ...`. */
export const evmTxCommand = Command.make("evm").pipe(Command.withDescription("EVM plugin transactions"), Command.withSubcommands([sendRaw]))
