/**
 * `cyberkernel tx names register|set|transfer` and `cyberkernel query names resolve|owned|note`: the
 * names machine (modules/names, docs/names.md) from the command line. Transactions are signed with
 * a keyring key through CosmJS's SigningStargateClient (the three message types registered in its
 * Registry, gas simulated × 1.5, fee at the config's min gas price); queries are abci_query on
 * `/cyber.names.v1.Query/*`. Note values are given as text (NoteValue.ts: `~ip 10.0.0.7`,
 * `~tcp-port 4001`, `~net-key <64 hex>`, other keys UTF-8 or `0x<hex>`; "" deletes the note).
 *
 * Source: Hyperware `kit`/HNS registration flow, as Cosmos CLI commands (x/bank/client/cli shape).
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { abciQuery, CliFailure, cliPromise, emit, keyring, NodeUrl } from "../../../cli/Globals.ts"
import { minGasPricesText } from "../../../node/config/NodeConfig.ts"
import {
  MSG_REGISTER_URL, MSG_SET_NOTE_URL, MSG_TRANSFER_URL, MsgRegister, MsgSetNote, MsgTransfer, NameRecord, QUERY_NAMES_BY_OWNER, QUERY_NOTE,
  QUERY_RESOLVE, QueryNamesByOwnerRequest, QueryNamesByOwnerResponse, QueryNoteRequest, QueryNoteResponse, QueryResolveRequest
} from "../Messages.ts"
import { checkName, checkNoteKey } from "../NameRules.ts"
import { formatNoteValue, parseNoteValue } from "../NoteValue.ts"

/** The names message types, for a CosmJS Registry (`new Registry([...defaultRegistryTypes, ...NAMES_REGISTRY_TYPES])`). */
export const NAMES_REGISTRY_TYPES = [[MSG_REGISTER_URL, MsgRegister], [MSG_SET_NOTE_URL, MsgSetNote], [MSG_TRANSFER_URL, MsgTransfer]] as const

const checked = <A>(f: () => A) => Effect.try({ try: f, catch: (e) => new CliFailure({ message: (e as { log?: string }).log ?? String(e) }) })

type EncodeObject = { typeUrl: string; value: unknown }

/** Sign the message(s) `msg` builds from the signer's address with keyring key `from`, in one tx, and broadcast; fails on a non-zero code. */
export const broadcastNames = (from: string, msg: (address: string) => EncodeObject | ReadonlyArray<EncodeObject>) =>
  Effect.gen(function* () {
    const { keyring: kr, config } = yield* keyring
    const info = yield* kr.show(from)
    const signer = yield* kr.signer(info.name)
    const node = yield* NodeUrl
    const { Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { defaultRegistryTypes, GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const registry = new Registry([...defaultRegistryTypes, ...(NAMES_REGISTRY_TYPES as unknown as ReadonlyArray<[string, never]>)])
    const client = yield* cliPromise(`cannot connect to ${node}`, () =>
      SigningStargateClient.connectWithSigner(node, signer, { registry, gasPrice: GasPrice.fromString(minGasPricesText(config)), broadcastPollIntervalMs: 250, broadcastTimeoutMs: 60_000 }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const m = msg(info.address)
    const msgs = Array.isArray(m) ? [...m] : [m as EncodeObject]
    const r = yield* cliPromise("transaction failed", () => client.signAndBroadcast(info.address, msgs, 1.5))
    if (r.code !== 0) return yield* Effect.fail(new CliFailure({ message: `tx ${r.transactionHash} failed with code ${r.code}: ${r.rawLog ?? ""}` }))
    yield* emit({ txhash: r.transactionHash, height: r.height, code: r.code }, () => `txhash: ${r.transactionHash}\nheight: ${r.height}`)
  }).pipe(Effect.scoped)

const from = Argument.String("from").pipe(Argument.withDescription("signer: key name or address in the keyring"))
const nameArg = Argument.String("name").pipe(Argument.withDescription("full name, e.g. alice.os"))

const register = Command.make("register", {
  from,
  name: nameArg,
  owner: Flag.String("owner").pipe(Flag.withDescription("owner of the new name (default: the signer)"), Flag.withDefault(""))
}, (o) =>
  Effect.gen(function* () {
    yield* checked(() => checkName(o.name))
    yield* broadcastNames(o.from, (sender) => ({ typeUrl: MSG_REGISTER_URL, value: { sender, name: o.name, owner: o.owner } }))
  })).pipe(Command.withDescription("Register a name: a free name under an open zone (alice.os), or a sub-name of a name you own"))

const set = Command.make("set", {
  from,
  name: nameArg,
  key: Argument.String("key").pipe(Argument.withDescription("note key: ~net-key, ~ip, ~tcp-port, ~routers, ~package-hash, ~package-node or any ~key")),
  value: Argument.String("value").pipe(Argument.withDescription("value as text (an IP, a port, 64 hex, names joined by ',', 0x<hex>); \"\" deletes the note"))
}, (o) =>
  Effect.gen(function* () {
    yield* checked(() => checkName(o.name))
    const value = yield* checked(() => parseNoteValue(checkNoteKey(o.key), o.value))
    yield* broadcastNames(o.from, (owner) => ({ typeUrl: MSG_SET_NOTE_URL, value: { owner, name: o.name, key: o.key, value } }))
  })).pipe(Command.withDescription("Set (or with \"\" delete) a note on a name you own"))

const transfer = Command.make("transfer", {
  from,
  name: nameArg,
  to: Argument.String("new-owner").pipe(Argument.withDescription("bech32 address of the new owner"))
}, (o) =>
  Effect.gen(function* () {
    yield* checked(() => checkName(o.name))
    yield* broadcastNames(o.from, (owner) => ({ typeUrl: MSG_TRANSFER_URL, value: { owner, name: o.name, newOwner: o.to } }))
  })).pipe(Command.withDescription("Transfer a name you own to another account (its notes stay, its sub-names keep their owners)"))

/** `tx names ...` */
export const namesTxCommand = Command.make("names").pipe(
  Command.withDescription("Names on chain (Hypermap/HNS): register, set notes, transfer"),
  Command.withSubcommands([register, set, transfer])
)

const resolve = Command.make("resolve", { name: nameArg }, (o) =>
  Effect.gen(function* () {
    yield* checked(() => checkName(o.name))
    const r = NameRecord.decode(yield* abciQuery(QUERY_RESOLVE, QueryResolveRequest.encode({ name: o.name }).finish()))
    const notes = r.notes.map((n) => ({ key: n.key, value: formatNoteValue(n.key, n.value), hex: Buffer.from(n.value).toString("hex") }))
    yield* emit({ name: r.name, owner: r.owner, open: r.open, notes }, () =>
      [`name: ${r.name}`, `owner: ${r.owner || "(none)"}`, ...(r.open ? ["open: true (anyone registers a free name under it)"] : []),
        notes.length === 0 ? "notes: []" : "notes:", ...notes.map((n) => `  ${n.key}: ${n.value}`)].join("\n"))
  })).pipe(Command.withDescription("A name's owner and notes"))

const owned = Command.make("owned", {
  owner: Argument.String("owner").pipe(Argument.withDescription("bech32 address")),
  after: Flag.String("after").pipe(Flag.withDescription("page after this name"), Flag.withDefault("")),
  limit: Flag.Int("limit").pipe(Flag.withDescription("names per page, 1..100"), Flag.withDefault(100))
}, (o) =>
  Effect.gen(function* () {
    const r = QueryNamesByOwnerResponse.decode(yield* abciQuery(QUERY_NAMES_BY_OWNER, QueryNamesByOwnerRequest.encode({ owner: o.owner, startAfter: o.after, limit: o.limit }).finish()))
    yield* emit({ names: r.names, more: r.more }, () => (r.names.length === 0 ? "names: []" : r.names.join("\n")) + (r.more ? "\n(more: page with --after)" : ""))
  })).pipe(Command.withDescription("Names an account owns"))

const note = Command.make("note", { name: nameArg, key: Argument.String("key").pipe(Argument.withDescription("note key, e.g. ~ip")) }, (o) =>
  Effect.gen(function* () {
    const v = QueryNoteResponse.decode(yield* abciQuery(QUERY_NOTE, QueryNoteRequest.encode({ name: o.name, key: o.key }).finish())).value
    yield* emit({ name: o.name, key: o.key, value: formatNoteValue(o.key, v), hex: Buffer.from(v).toString("hex") }, () => formatNoteValue(o.key, v))
  })).pipe(Command.withDescription("One note of a name"))

/** `query names ...` */
export const namesQueryCommand = Command.make("names").pipe(
  Command.withDescription("Names on chain (Hypermap/HNS)"),
  Command.withSubcommands([resolve, owned, note])
)
