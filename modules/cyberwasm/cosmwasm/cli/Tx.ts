/**
 * `cyberkernel tx wasm ...`: wasmd's transaction commands for CosmWasm contracts.
 *
 *   tx wasm store <from> <file.wasm|file.wasm.gz> [--instantiate-everybody|--instantiate-nobody|--instantiate-anyof-addresses a,b]
 *   tx wasm instantiate <from> <code-id> <json> --label l (--admin a | --no-admin) [--amount coins]
 *   tx wasm instantiate2 <from> <code-id> <json> <salt> --label l (--admin a | --no-admin) [--amount coins] [--fix-msg] [--ascii|--b64]
 *   tx wasm execute <from> <contract> <json> [--amount coins]
 *   tx wasm migrate <from> <contract> <new-code-id> <json>
 *   tx wasm set-contract-admin <from> <contract> <new-admin>     (alias set-admin)
 *   tx wasm clear-contract-admin <from> <contract>               (alias clear-admin)
 *
 * As wasmd's CLI: a plain Wasm file is gzipped before upload (a gzip file goes as is, anything else
 * is refused); instantiate needs `--label` and either `--admin` (key name or address) or an explicit
 * `--no-admin`; the salt of instantiate2 is hex unless `--ascii` or `--b64` says otherwise; JSON
 * arguments must be valid JSON. The signer is the first argument (a key name or address of the
 * keyring), as every `tx` command of this CLI. Gas: `--gas auto` (simulate × --gas-adjustment,
 * default) or a number; fee `--fees`, else gas × the config's min gas price. Prints the tx hash,
 * code, height, gas and the message response (code id and checksum, contract address, data);
 * exits 1 when the code is not 0.
 *
 * Source: wasmd x/wasm/client/cli/tx.go and new_tx.go (commands, flags, gzip, admin rules),
 * x/wasm/ioutils (IsWasm / IsGzip magic bytes); messages from cosmjs-types cosmwasm/wasm/v1/tx.
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readFileSync } from "node:fs"
import { gzipSync } from "fflate"
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing"
import type { Coin, DeliverTxResponse, StdFee } from "@cosmjs/stargate"
import { AccessType, type AccessConfig } from "cosmjs-types/cosmwasm/wasm/v1/types"
import {
  MsgClearAdmin,
  MsgExecuteContract,
  MsgExecuteContractResponse,
  MsgInstantiateContract,
  MsgInstantiateContract2,
  MsgInstantiateContract2Response,
  MsgInstantiateContractResponse,
  MsgMigrateContract,
  MsgMigrateContractResponse,
  MsgStoreCode,
  MsgStoreCodeResponse,
  MsgUpdateAdmin
} from "cosmjs-types/cosmwasm/wasm/v1/tx"
import { minGasPricesText } from "../../../../node/config/NodeConfig.ts"
import { CliFailure, cliPromise, emit, keyring, NodeUrl } from "../../../../cli/Globals.ts"
import { toHex } from "../../../../lib/Bytes.ts"
import { bech32Address, bytesArg, codeId, jsonMsg, printable } from "./internal/args.ts"

/** Type URLs and protobuf codecs of the wasmd messages these commands sign (a CosmJS Registry's input). */
export const wasmRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  ["/cosmwasm.wasm.v1.MsgStoreCode", MsgStoreCode],
  ["/cosmwasm.wasm.v1.MsgInstantiateContract", MsgInstantiateContract],
  ["/cosmwasm.wasm.v1.MsgInstantiateContract2", MsgInstantiateContract2],
  ["/cosmwasm.wasm.v1.MsgExecuteContract", MsgExecuteContract],
  ["/cosmwasm.wasm.v1.MsgMigrateContract", MsgMigrateContract],
  ["/cosmwasm.wasm.v1.MsgUpdateAdmin", MsgUpdateAdmin],
  ["/cosmwasm.wasm.v1.MsgClearAdmin", MsgClearAdmin]
]

/** Wasm magic `\0asm` and gzip magic `1f 8b 08`, as wasmd's ioutils.IsWasm / IsGzip. */
const isWasm = (b: Uint8Array) => b.length >= 4 && b[0] === 0x00 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d
const isGzip = (b: Uint8Array) => b.length >= 3 && b[0] === 0x1f && b[1] === 0x8b && b[2] === 0x08

const gasFlags = {
  gas: Flag.String("gas").pipe(Flag.withDescription("gas limit, or \"auto\" to simulate (default: auto)"), Flag.withDefault("auto")),
  gasAdjustment: Flag.String("gas-adjustment").pipe(Flag.withDescription("multiplier on simulated gas (default: 1.5)"), Flag.withDefault("1.5")),
  fees: Flag.String("fees").pipe(Flag.withDescription("fee coins, e.g. 500boot (default: gas × min gas price)"), Flag.optional),
  memo: Flag.String("memo").pipe(Flag.withDescription("transaction memo"), Flag.withDefault(""))
}
type GasFlags = { readonly gas: string; readonly gasAdjustment: string; readonly fees: Option.Option<string>; readonly memo: string }

const amountFlag = Flag.String("amount").pipe(Flag.withDescription("coins sent to the contract with the message, e.g. 100boot"), Flag.withDefault(""))

/** `--amount` as sorted coins (empty string: none). */
const coinsOf = (s: string) =>
  Effect.gen(function* () {
    if (s === "") return [] as Coin[]
    const { parseCoins } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const coins = yield* Effect.try({ try: () => parseCoins(s), catch: () => new CliFailure({ message: `invalid --amount ${JSON.stringify(s)}: expected coins like 100boot or 10boot,5hydrogen` }) })
    return [...coins].sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0))
  })

/** `--admin`: a bech32 address or a key name of the keyring (as wasmd). */
const adminOf = (admin: string) =>
  Effect.gen(function* () {
    const { config, keyring: k } = yield* keyring
    const addr = yield* Effect.option(bech32Address(admin, "admin", config.chain.bech32Prefix))
    if (Option.isSome(addr)) return addr.value
    const key = yield* k.show(admin).pipe(Effect.mapError(() => new CliFailure({ message: `invalid --admin ${JSON.stringify(admin)}: neither an address nor a key name` })))
    return key.address
  })

/** wasmd's admin rule: `--admin` or `--no-admin`, not both, not neither. */
const adminRule = (admin: Option.Option<string>, noAdmin: boolean) =>
  Effect.gen(function* () {
    if (Option.isNone(admin) && !noAdmin) return yield* Effect.fail(new CliFailure({ message: "you must set an admin or explicitly pass --no-admin to make it immutable (wasmd issue #719)" }))
    if (Option.isSome(admin) && noAdmin) return yield* Effect.fail(new CliFailure({ message: "you set an admin and passed --no-admin, those cannot both be true" }))
    return Option.isSome(admin) ? yield* adminOf(admin.value) : ""
  })

/** What a message's response says, decoded for printing. */
type Decoder = (value: Uint8Array) => Record<string, unknown>

/**
 * Sign `msg(sender)` with key `from` and broadcast it (block mode); prints the result and the
 * decoded message response; fails on a non-zero code.
 */
const broadcast = (from: string, gas: GasFlags, msg: (sender: string) => EncodeObject, decode: Decoder) =>
  Effect.gen(function* () {
    // CosmJS is loaded on use, so that other commands (and --help) start faster
    const { calculateFee, defaultRegistryTypes, GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const { parseCoins, Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { keyring: k, config } = yield* keyring
    const node = yield* NodeUrl
    const key = yield* k.show(from)
    const wallet = yield* k.signer(key.name)
    const gasPrice = GasPrice.fromString(minGasPricesText(config))
    const client = yield* cliPromise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, wallet, {
        gasPrice,
        registry: new Registry([...defaultRegistryTypes, ...wasmRegistryTypes]),
        broadcastPollIntervalMs: 250,
        broadcastTimeoutMs: 60_000
      }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const m = msg(key.address)
    const fees = yield* Effect.try({
      try: () => Option.map(gas.fees, parseCoins),
      catch: () => new CliFailure({ message: `invalid --fees ${JSON.stringify(Option.getOrElse(gas.fees, () => ""))}` })
    })
    let fee: StdFee | number
    if (gas.gas === "auto") {
      const adj = Number(gas.gasAdjustment)
      if (!(adj > 0)) return yield* Effect.fail(new CliFailure({ message: `invalid --gas-adjustment ${JSON.stringify(gas.gasAdjustment)}: a positive number` }))
      if (Option.isSome(fees)) {
        const used = yield* cliPromise("simulation failed", () => client.simulate(key.address, [m], gas.memo))
        fee = { amount: fees.value, gas: String(Math.ceil(used * adj)) }
      } else {
        fee = adj
      }
    } else {
      if (!/^\d+$/.test(gas.gas)) return yield* Effect.fail(new CliFailure({ message: `invalid --gas ${JSON.stringify(gas.gas)}: a number or "auto"` }))
      fee = Option.isSome(fees) ? { amount: fees.value, gas: gas.gas } : calculateFee(Number(gas.gas), gasPrice)
    }
    const r: DeliverTxResponse = yield* cliPromise("transaction failed", () => client.signAndBroadcast(key.address, [m], fee, gas.memo))
    const response = r.code === 0 && r.msgResponses[0] ? decode(r.msgResponses[0].value) : {}
    const out = { txhash: r.transactionHash, code: r.code, height: r.height, gas_wanted: r.gasWanted.toString(), gas_used: r.gasUsed.toString(), ...response, raw_log: r.rawLog ?? "" }
    yield* emit(out, () =>
      [
        `txhash: ${r.transactionHash}`,
        `code: ${r.code}`,
        `height: ${r.height}`,
        `gas used/wanted: ${r.gasUsed}/${r.gasWanted}`,
        ...Object.entries(response).map(([k, v]) => `${k}: ${printable(v)}`),
        ...(r.code !== 0 ? [`raw_log: ${r.rawLog ?? ""}`] : [])
      ].join("\n"))
    if (r.code !== 0) return yield* Effect.fail(new CliFailure({ message: `transaction failed with code ${r.code}: ${r.rawLog ?? ""}` }))
  }).pipe(Effect.scoped)

const from = Argument.String("from").pipe(Argument.withDescription("signer: key name or address in the keyring"))
const contract = Argument.String("contract").pipe(Argument.withDescription("contract address (bech32)"))
const codeIdArg = Argument.String("code-id").pipe(Argument.withDescription("code id (a positive integer)"))
const jsonArg = (what: string) => Argument.String("json").pipe(Argument.withDescription(`JSON-encoded ${what} message`))
const prefix = Effect.map(keyring, (k) => k.config.chain.bech32Prefix)
const dataOf = (data: Uint8Array) => ({ data: toHex(data) })

const store = Command.make("store", {
  from,
  file: Argument.String("file").pipe(Argument.withDescription("path of the .wasm file (or its gzip)")),
  everybody: Flag.Boolean("instantiate-everybody").pipe(Flag.withDescription("everybody may instantiate the code"), Flag.withDefault(false)),
  nobody: Flag.Boolean("instantiate-nobody").pipe(Flag.withDescription("nobody may instantiate the code (governance only)"), Flag.withDefault(false)),
  anyOf: Flag.String("instantiate-anyof-addresses").pipe(Flag.withDescription("comma-separated addresses that may instantiate the code"), Flag.optional),
  ...gasFlags
}, (o) =>
  Effect.gen(function* () {
    let wasm: Uint8Array<ArrayBuffer> = yield* Effect.try({ try: () => new Uint8Array(readFileSync(o.file)), catch: (e) => new CliFailure({ message: `cannot read ${o.file}: ${e instanceof Error ? e.message : String(e)}` }) })
    if (isWasm(wasm)) wasm = new Uint8Array(gzipSync(wasm))
    else if (!isGzip(wasm)) return yield* Effect.fail(new CliFailure({ message: `invalid input file ${o.file}: use a wasm binary or its gzip` }))
    const chosen = [o.everybody, o.nobody, Option.isSome(o.anyOf)].filter(Boolean).length
    if (chosen > 1) return yield* Effect.fail(new CliFailure({ message: "choose at most one of --instantiate-everybody, --instantiate-nobody, --instantiate-anyof-addresses" }))
    let permission: AccessConfig | undefined
    if (o.everybody) permission = { permission: AccessType.ACCESS_TYPE_EVERYBODY, addresses: [] }
    if (o.nobody) permission = { permission: AccessType.ACCESS_TYPE_NOBODY, addresses: [] }
    if (Option.isSome(o.anyOf)) {
      const p = yield* prefix
      const addresses: string[] = []
      for (const a of o.anyOf.value.split(",").filter((s) => s !== "")) addresses.push(yield* bech32Address(a, "--instantiate-anyof-addresses entry", p))
      if (addresses.length === 0) return yield* Effect.fail(new CliFailure({ message: "--instantiate-anyof-addresses needs at least one address" }))
      permission = { permission: AccessType.ACCESS_TYPE_ANY_OF_ADDRESSES, addresses }
    }
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgStoreCode",
      value: MsgStoreCode.fromPartial({ sender, wasmByteCode: wasm, ...(permission ? { instantiatePermission: permission } : {}) })
    }), (v) => {
      const r = MsgStoreCodeResponse.decode(v)
      return { code_id: r.codeId.toString(), checksum: toHex(r.checksum) }
    })
  })).pipe(Command.withAlias("upload"), Command.withDescription("Upload a contract's Wasm code (gzipped for the transaction, as wasmd's CLI does)"))

const instantiateFlags = {
  label: Flag.String("label").pipe(Flag.withDescription("a human-readable name for this contract in lists (required)"), Flag.withDefault("")),
  admin: Flag.String("admin").pipe(Flag.withDescription("address or key name of the admin (who may migrate)"), Flag.optional),
  noAdmin: Flag.Boolean("no-admin").pipe(Flag.withDescription("no admin: the contract can never be migrated"), Flag.withDefault(false)),
  amount: amountFlag
}

const instantiate = Command.make("instantiate", { from, codeId: codeIdArg, json: jsonArg("instantiate"), ...instantiateFlags, ...gasFlags }, (o) =>
  Effect.gen(function* () {
    const id = yield* codeId(o.codeId)
    const msg = yield* jsonMsg(o.json, "instantiate message")
    if (o.label === "") return yield* Effect.fail(new CliFailure({ message: "label is required on all contracts (--label)" }))
    const admin = yield* adminRule(o.admin, o.noAdmin)
    const funds = yield* coinsOf(o.amount)
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract",
      value: MsgInstantiateContract.fromPartial({ sender, admin, codeId: id, label: o.label, msg, funds })
    }), (v) => {
      const r = MsgInstantiateContractResponse.decode(v)
      return { contract_address: r.address, ...dataOf(r.data) }
    })
  })).pipe(Command.withDescription("Instantiate a contract from uploaded code"))

const instantiate2 = Command.make("instantiate2", {
  from,
  codeId: codeIdArg,
  json: jsonArg("instantiate"),
  salt: Argument.String("salt").pipe(Argument.withDescription("salt of the predictable address (hex unless --ascii or --b64)")),
  fixMsg: Flag.Boolean("fix-msg").pipe(Flag.withDescription("include the instantiate message in the address derivation"), Flag.withDefault(false)),
  ascii: Flag.Boolean("ascii").pipe(Flag.withDescription("the salt is ASCII text"), Flag.withDefault(false)),
  b64: Flag.Boolean("b64").pipe(Flag.withDescription("the salt is base64"), Flag.withDefault(false)),
  ...instantiateFlags,
  ...gasFlags
}, (o) =>
  Effect.gen(function* () {
    const id = yield* codeId(o.codeId)
    const msg = yield* jsonMsg(o.json, "instantiate message")
    const salt = yield* bytesArg(o.salt, "salt", o.ascii ? "ascii" : o.b64 ? "b64" : "hex", o.ascii && o.b64)
    if (o.label === "") return yield* Effect.fail(new CliFailure({ message: "label is required on all contracts (--label)" }))
    const admin = yield* adminRule(o.admin, o.noAdmin)
    const funds = yield* coinsOf(o.amount)
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgInstantiateContract2",
      value: MsgInstantiateContract2.fromPartial({ sender, admin, codeId: id, label: o.label, msg, funds, salt, fixMsg: o.fixMsg })
    }), (v) => {
      const r = MsgInstantiateContract2Response.decode(v)
      return { contract_address: r.address, ...dataOf(r.data) }
    })
  })).pipe(Command.withDescription("Instantiate a contract at a predictable address (wasmd's instantiate2)"))

const execute = Command.make("execute", { from, contract, json: jsonArg("execute"), amount: amountFlag, ...gasFlags }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.contract, "contract address", yield* prefix)
    const msg = yield* jsonMsg(o.json, "execute message")
    const funds = yield* coinsOf(o.amount)
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgExecuteContract",
      value: MsgExecuteContract.fromPartial({ sender, contract: addr, msg, funds })
    }), (v) => dataOf(MsgExecuteContractResponse.decode(v).data))
  })).pipe(Command.withAlias("exec"), Command.withDescription("Execute a contract (optionally sending it coins)"))

const migrate = Command.make("migrate", {
  from,
  contract,
  newCodeId: Argument.String("new-code-id").pipe(Argument.withDescription("code id to migrate to")),
  json: jsonArg("migrate"),
  ...gasFlags
}, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.contract, "contract address", yield* prefix)
    const id = yield* codeId(o.newCodeId)
    const msg = yield* jsonMsg(o.json, "migrate message")
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgMigrateContract",
      value: MsgMigrateContract.fromPartial({ sender, contract: addr, codeId: id, msg })
    }), (v) => dataOf(MsgMigrateContractResponse.decode(v).data))
  })).pipe(Command.withDescription("Migrate a contract to new code (admin only)"))

const setAdmin = Command.make("set-contract-admin", {
  from,
  contract,
  newAdmin: Argument.String("new-admin").pipe(Argument.withDescription("address of the new admin")),
  ...gasFlags
}, (o) =>
  Effect.gen(function* () {
    const p = yield* prefix
    const addr = yield* bech32Address(o.contract, "contract address", p)
    const admin = yield* bech32Address(o.newAdmin, "new admin", p)
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgUpdateAdmin",
      value: MsgUpdateAdmin.fromPartial({ sender, contract: addr, newAdmin: admin })
    }), () => ({}))
  })).pipe(Command.withAlias("set-admin"), Command.withDescription("Set a new admin for a contract (admin only)"))

const clearAdmin = Command.make("clear-contract-admin", { from, contract, ...gasFlags }, (o) =>
  Effect.gen(function* () {
    const addr = yield* bech32Address(o.contract, "contract address", yield* prefix)
    yield* broadcast(o.from, o, (sender) => ({
      typeUrl: "/cosmwasm.wasm.v1.MsgClearAdmin",
      value: MsgClearAdmin.fromPartial({ sender, contract: addr })
    }), () => ({}))
  })).pipe(Command.withAlias("clear-admin"), Command.withDescription("Clear a contract's admin, so that it can never be migrated (admin only)"))

/** `tx wasm ...`: CosmWasm contract transactions (wasmd's `tx wasm`). */
export const wasmTxCommand = Command.make("wasm").pipe(
  Command.withDescription("CosmWasm contract transactions (wasmd's messages)"),
  Command.withSubcommands([store, instantiate, instantiate2, execute, migrate, setAdmin, clearAdmin])
)
