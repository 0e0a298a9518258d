/**
 * CLI commands of the cyberwasm machine, for the node CLI to mount (cli/ belongs to the CLI
 * owner: add `cyberwasmTxCommand` to `tx`'s subcommands and `cyberwasmQueryCommand` to `query`'s):
 *
 *   cyberkernel tx cyberwasm store <from> <file.wasm>
 *   cyberkernel tx cyberwasm instantiate <from> <code-hash-hex> [--input s] [--reserve n] [--admin a] [--label l]
 *   cyberkernel tx cyberwasm execute <from> <program> <input>
 *   cyberkernel tx cyberwasm deposit <from> <program> <amount>
 *   cyberkernel tx cyberwasm upgrade <from> <program> <code-hash-hex> [--input s]
 *   cyberkernel query cyberwasm program|reserve|schedule <address>
 *   cyberkernel query cyberwasm page <address> <index>
 *   cyberkernel query cyberwasm dispatch <address> <input>
 *
 * Inputs are UTF-8 text, or bytes with `--hex`. Transactions are signed with a keyring key
 * (SIGN_MODE_DIRECT, gas simulated x 1.5) and broadcast through CosmJS against `--node`; queries
 * go through abci_query on the `/cyber.cyberwasm.v1.Query/*` paths.
 *
 * Not exercised against a running node yet (the node does not load the machine yet); typechecked.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readFileSync } from "node:fs"
import { minGasPricesText } from "../../../node/config/NodeConfig.ts"
import { abciQuery, CliFailure, emit, keyring, NodeUrl } from "../../../cli/Globals.ts"
import { fromHex, toHex } from "../../../lib/Bytes.ts"
import { cyberwasmRegistryTypes } from "../Client.ts"
import * as M from "../Messages.ts"
import { decodeInfo } from "../State.ts"

const promise = <A>(what: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new CliFailure({ message: `${what}: ${e instanceof Error ? e.message : String(e)}` }) })

const hexFlag = Flag.Boolean("hex").pipe(Flag.withDescription("inputs are hex bytes instead of UTF-8 text"), Flag.withDefault(false))
const bytesOf = (s: string, hex: boolean) =>
  hex
    ? Effect.try({ try: () => fromHex(s), catch: () => new CliFailure({ message: `invalid hex input ${JSON.stringify(s)}` }) })
    : Effect.succeed(new TextEncoder().encode(s))
const codeHash = (s: string) =>
  /^[0-9a-fA-F]{64}$/.test(s) ? Effect.succeed(fromHex(s)) : Effect.fail(new CliFailure({ message: `invalid code hash ${JSON.stringify(s)}: expected 64 hex characters` }))
const uint = (s: string, what: string) =>
  /^\d+$/.test(s) ? Effect.succeed(BigInt(s)) : Effect.fail(new CliFailure({ message: `invalid ${what} ${JSON.stringify(s)}: a non-negative integer` }))

/** Sign `msg(sender)` with key `from` and broadcast it; prints hash, code and the response data. */
const broadcast = (from: string, msg: (sender: string) => { typeUrl: string; value: unknown }) =>
  Effect.gen(function* () {
    const { GasPrice, SigningStargateClient, defaultRegistryTypes } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const { Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { keyring: k, config } = yield* keyring
    const node = yield* NodeUrl
    const key = yield* k.show(from)
    const wallet = yield* k.signer(key.name)
    const client = yield* promise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, wallet, {
        gasPrice: GasPrice.fromString(minGasPricesText(config)),
        registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]),
        broadcastPollIntervalMs: 250,
        broadcastTimeoutMs: 60_000
      }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const r = yield* promise("transaction failed", () => client.signAndBroadcast(key.address, [msg(key.address)], 1.5))
    const data = r.msgResponses[0]?.value ?? new Uint8Array()
    yield* emit(
      { txhash: r.transactionHash, code: r.code, height: r.height, gas_used: r.gasUsed, data: toHex(data), raw_log: r.rawLog ?? "" },
      () => `txhash: ${r.transactionHash}\ncode: ${r.code}\nheight: ${r.height}\ngas used: ${r.gasUsed}\nresponse: ${toHex(data)}${r.code !== 0 ? `\nraw_log: ${r.rawLog}` : ""}`
    )
    if (r.code !== 0) return yield* Effect.fail(new CliFailure({ message: `transaction failed with code ${r.code}: ${r.rawLog ?? ""}` }))
  }).pipe(Effect.scoped)

const from = Argument.String("from").pipe(Argument.withDescription("signer: key name or address in the keyring"))
const program = Argument.String("program").pipe(Argument.withDescription("program address"))

const store = Command.make("store", { from, file: Argument.String("file").pipe(Argument.withDescription("path of the .wasm file")) }, (o) =>
  Effect.gen(function* () {
    const wasm = yield* Effect.try({ try: () => new Uint8Array(readFileSync(o.file)), catch: (e) => new CliFailure({ message: `cannot read ${o.file}: ${e instanceof Error ? e.message : String(e)}` }) })
    yield* broadcast(o.from, (sender) => ({ typeUrl: M.TypeUrl.storeCode, value: { sender, wasmByteCode: wasm } }))
  })).pipe(Command.withDescription("Upload program code (validated and stored once under its sha256)"))

const instantiate = Command.make("instantiate", {
  from,
  hash: Argument.String("code-hash").pipe(Argument.withDescription("sha256 of the uploaded code (hex)")),
  input: Flag.String("input").pipe(Flag.withDescription("input of cyberwasm_init"), Flag.withDefault("")),
  reserve: Flag.String("reserve").pipe(Flag.withDescription("fee-denom tokens deposited into the gas reserve"), Flag.withDefault("0")),
  admin: Flag.String("admin").pipe(Flag.withDescription("address allowed to upgrade (default: the signer)"), Flag.optional),
  label: Flag.String("label").pipe(Flag.withDefault("")),
  hex: hexFlag
}, (o) =>
  Effect.gen(function* () {
    const hash = yield* codeHash(o.hash)
    const input = yield* bytesOf(o.input, o.hex)
    const reserve = yield* uint(o.reserve, "reserve")
    yield* broadcast(o.from, (sender) => ({
      typeUrl: M.TypeUrl.instantiate,
      value: { sender, codeHash: hash, admin: Option.getOrElse(o.admin, () => sender), input, reserve, label: o.label, address: "" }
    }))
  })).pipe(Command.withDescription("Create a program from uploaded code"))

const execute = Command.make("execute", { from, program, input: Argument.String("input"), hex: hexFlag }, (o) =>
  Effect.gen(function* () {
    const input = yield* bytesOf(o.input, o.hex)
    yield* broadcast(o.from, (sender) => ({ typeUrl: M.TypeUrl.execute, value: { sender, program: o.program, input } }))
  })).pipe(Command.withDescription("Call a program's cyberwasm_dispatch"))

const deposit = Command.make("deposit", { from, program, amount: Argument.String("amount").pipe(Argument.withDescription("fee-denom base units")) }, (o) =>
  Effect.gen(function* () {
    const amount = yield* uint(o.amount, "amount")
    yield* broadcast(o.from, (sender) => ({ typeUrl: M.TypeUrl.deposit, value: { sender, program: o.program, amount } }))
  })).pipe(Command.withDescription("Deposit tokens into a program's gas reserve"))

const upgrade = Command.make("upgrade", {
  from,
  program,
  hash: Argument.String("code-hash"),
  input: Flag.String("input").pipe(Flag.withDescription("input of cyberwasm_upgrade"), Flag.withDefault("")),
  hex: hexFlag
}, (o) =>
  Effect.gen(function* () {
    const hash = yield* codeHash(o.hash)
    const input = yield* bytesOf(o.input, o.hex)
    yield* broadcast(o.from, (sender) => ({ typeUrl: M.TypeUrl.upgrade, value: { sender, program: o.program, codeHash: hash, input } }))
  })).pipe(Command.withDescription("Swap a program's code, keeping its memory (admin only)"))

/** `tx cyberwasm ...` */
export const cyberwasmTxCommand = Command.make("cyberwasm").pipe(
  Command.withDescription("CyberWasm program transactions"),
  Command.withSubcommands([store, instantiate, execute, deposit, upgrade])
)

const abci = abciQuery

const address = Argument.String("address").pipe(Argument.withDescription("program address"))
const text = (b: Uint8Array) => new TextDecoder().decode(b)

const qProgram = Command.make("program", { address }, (o) =>
  Effect.gen(function* () {
    const i = decodeInfo(yield* abci(M.QueryPath.program, M.QueryAddress.encode({ address: o.address })))
    const out = {
      address: i.address, code_hash: toHex(i.codeHash), creator: i.creator, admin: i.admin, label: i.label, status: i.status,
      reserve: i.reserve.toString(), pages: i.pages, memory_root: toHex(i.memoryRoot), created_height: i.createdHeight, stable_pages: i.stablePages
    }
    yield* emit(out, () => Object.getOwnPropertyNames(out).map((k) => `${k}: ${String(out[k as keyof typeof out])}`).join("\n"))
  })).pipe(Command.withDescription("Program record"))

const qReserve = Command.make("reserve", { address }, (o) =>
  Effect.gen(function* () {
    const r = M.QueryReserveResponse.decode(yield* abci(M.QueryPath.reserve, M.QueryAddress.encode({ address: o.address })))
    yield* emit({ reserve: r.reserve.toString(), burn_rate: r.burnRate.toString(), status: r.status }, () => `reserve: ${r.reserve}\nburn rate: ${r.burnRate}/block\nstatus: ${r.status}`)
  })).pipe(Command.withDescription("Gas reserve, rent per block and status"))

const qSchedule = Command.make("schedule", { address }, (o) =>
  Effect.gen(function* () {
    const items = M.decodeScheduleList(yield* abci(M.QueryPath.schedule, M.QueryAddress.encode({ address: o.address })))
    const out = items.map((e) => ({ id: e.id.toString(), height: e.height.toString(), every: e.every.toString(), input: toHex(e.input) }))
    yield* emit({ schedule: out }, () => out.length === 0 ? "schedule: []" : out.map((e) => `- id ${e.id} at ${e.height}${e.every !== "0" ? ` every ${e.every}` : ""}: ${e.input}`).join("\n"))
  })).pipe(Command.withDescription("Schedule entries of a program"))

const qPage = Command.make("page", { address, index: Argument.Int("index") }, (o) =>
  Effect.gen(function* () {
    const r = M.QueryPageResponse.decode(yield* abci(M.QueryPath.page, M.QueryPage.encode({ address: o.address, page: o.index })))
    yield* emit({ pages: r.pages, memory_root: toHex(r.memoryRoot), data: toHex(r.data) }, () => `pages: ${r.pages}\nmemory root: ${toHex(r.memoryRoot)}\npage ${o.index}: ${r.data.length === 0 ? "(zero page)" : `${r.data.length} bytes`}`)
  })).pipe(Command.withDescription("One 64 KiB memory page of a program"))

const qDispatch = Command.make("dispatch", { address, input: Argument.String("input"), hex: hexFlag }, (o) =>
  Effect.gen(function* () {
    const input = yield* bytesOf(o.input, o.hex)
    const r = M.QueryDispatchResponse.decode(yield* abci(M.QueryPath.dispatch, M.QueryDispatch.encode({ address: o.address, input })))
    yield* emit({ data: toHex(r.data), text: text(r.data) }, () => text(r.data))
  })).pipe(Command.withDescription("Read-only call of a program's dispatch (nothing persisted)"))

/** `query cyberwasm ...` */
export const cyberwasmQueryCommand = Command.make("cyberwasm").pipe(
  Command.withDescription("CyberWasm program queries"),
  Command.withSubcommands([qProgram, qReserve, qSchedule, qPage, qDispatch])
)
