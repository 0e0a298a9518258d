/**
 * `cyberkernel query bank balances <address>` and `cyberkernel query tx <hash>`, through CosmJS's
 * StargateClient against `--node` (abci_query on the Cosmos gRPC paths; tx_search by hash).
 *
 * Source: cosmos-sdk x/bank/client/cli/query.go (balances), x/auth/tx (query tx).
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { CliFailure, emit, NodeUrl } from "../Globals.ts"
import { cyberwasmQueryCommand } from "../../modules/cyberwasm/cli/Commands.ts"
import { wasmQueryCommand } from "../../modules/cyberwasm/cosmwasm/cli/Query.ts"
import { ibcQueryCommand } from "../../modules/ibc/cli/Core.ts"
import { ibcTransferQueryCommand } from "../../modules/ibc/cli/Transfer.ts"
import { namesQueryCommand } from "../../modules/names/cli/Commands.ts"
import { evmQueryCommand } from "./evm.ts"
import { govQueryCommand } from "./gov.ts"
import { graphQueryCommand } from "./graph.ts"
import { stakingQueryCommand } from "./staking.ts"

const promise = <A>(what: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new CliFailure({ message: `${what}: ${e instanceof Error ? e.message : String(e)}` }) })

const connect = Effect.gen(function* () {
  const node = yield* NodeUrl
  // CosmJS is loaded on use, so that other commands (and --help) start faster
  const { StargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
  const client = yield* promise(`cannot connect to ${node}`, () => StargateClient.connect(node))
  yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
  return client
})

const balances = Command.make("balances", {
  address: Argument.String("address").pipe(Argument.withDescription("bech32 account address")),
  denom: Flag.String("denom").pipe(Flag.withDescription("only this denom"), Flag.optional)
}, ({ address, denom }) =>
  Effect.gen(function* () {
    const { fromBech32 } = yield* Effect.promise(() => import("@cosmjs/encoding"))
    yield* Effect.try({ try: () => fromBech32(address, 90), catch: (e) => new CliFailure({ message: `invalid address ${JSON.stringify(address)}: ${e instanceof Error ? e.message : String(e)}` }) })
    const client = yield* connect
    const coins = Option.isSome(denom)
      ? [yield* promise("query failed", () => client.getBalance(address, denom.value))]
      : yield* promise("query failed", () => client.getAllBalances(address))
    yield* emit({ balances: coins }, () => coins.length === 0 ? "balances: []" : "balances:\n" + coins.map((c) => `- amount: "${c.amount}"\n  denom: ${c.denom}`).join("\n"))
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Query the balances of an account"))

const bank = Command.make("bank").pipe(Command.withDescription("Bank queries"), Command.withSubcommands([balances]))

const tx = Command.make("tx", {
  hash: Argument.String("hash").pipe(Argument.withDescription("transaction hash (hex)"))
}, ({ hash }) =>
  Effect.gen(function* () {
    if (!/^[0-9a-fA-F]{64}$/.test(hash)) return yield* Effect.fail(new CliFailure({ message: `invalid tx hash ${JSON.stringify(hash)}: expected 64 hex characters` }))
    const client = yield* connect
    const r = yield* promise("query failed", () => client.getTx(hash.toUpperCase()))
    if (!r) return yield* Effect.fail(new CliFailure({ message: `tx ${hash.toUpperCase()} not found` }))
    const { decodeTxRaw, Registry } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { defaultRegistryTypes } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const registry = new Registry(defaultRegistryTypes)
    const decoded = decodeTxRaw(r.tx)
    const messages = decoded.body.messages.map((m) => {
      try {
        return { "@type": m.typeUrl, ...registry.decode(m) }
      } catch {
        return { "@type": m.typeUrl, value: Buffer.from(m.value).toString("base64") }
      }
    })
    const out = {
      height: r.height, txhash: r.hash, code: r.code, gas_wanted: r.gasWanted, gas_used: r.gasUsed,
      memo: decoded.body.memo, messages, fee: decoded.authInfo.fee, raw_log: r.rawLog ?? "", events: r.events
    }
    yield* emit(out, () =>
      [`txhash: ${r.hash}`, `height: ${r.height}`, `code: ${r.code}`, `gas used/wanted: ${r.gasUsed}/${r.gasWanted}`,
        ...(decoded.body.memo ? [`memo: ${decoded.body.memo}`] : []),
        `messages:`, ...messages.map((m) => `- ${JSON.stringify(m, (_k, x) => typeof x === "bigint" ? x.toString() : x)}`),
        ...(r.code !== 0 ? [`raw_log: ${r.rawLog}`] : [])].join("\n"))
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Query a committed transaction by hash"))

/** `query` and its subcommands. */
export const queryCommand = Command.make("query").pipe(
  Command.withDescription("Query chain state through the node's RPC"),
  Command.withAlias("q"),
  Command.withSubcommands([bank, tx, govQueryCommand, graphQueryCommand, cyberwasmQueryCommand, wasmQueryCommand, stakingQueryCommand, evmQueryCommand, ibcQueryCommand, ibcTransferQueryCommand, namesQueryCommand])
)
