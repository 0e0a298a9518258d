/**
 * `cyberkernel tx bank send <from> <to> <amount>`: sign a MsgSend with a keyring key
 * (SIGN_MODE_DIRECT) and broadcast it through CosmJS's SigningStargateClient against `--node`.
 * Gas: `--gas auto` (simulate × --gas-adjustment, default) or a fixed limit; fee: `--fees`, else
 * gas × the config's min gas price in its fee denom. Prints the tx hash and result code; exits 1
 * when the code is not 0.
 *
 * Source: cosmos-sdk x/bank/client/cli/tx.go (NewSendTxCmd), client/tx (gas auto, fees, gas-prices).
 */
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { DeliverTxResponse, MsgSendEncodeObject, StdFee } from "@cosmjs/stargate"
import { minGasPricesText } from "../../node/config/NodeConfig.ts"
import { CliFailure, emit, keyring, NodeUrl } from "../Globals.ts"
import { cyberwasmTxCommand } from "../../modules/cyberwasm/cli/Commands.ts"
import { wasmTxCommand } from "../../modules/cyberwasm/cosmwasm/cli/Tx.ts"
import { ibcTransferTxCommand } from "../../modules/ibc/cli/Transfer.ts"
import { namesTxCommand } from "../../modules/names/cli/Commands.ts"
import { evmTxCommand } from "./evm.ts"
import { govTxCommand } from "./gov.ts"
import { graphTxCommand } from "./graph.ts"
import { stakingTxCommand } from "./staking.ts"

const promise = <A>(what: string, f: () => Promise<A>) =>
  Effect.tryPromise({ try: f, catch: (e) => new CliFailure({ message: `${what}: ${e instanceof Error ? e.message : String(e)}` }) })

const send = Command.make("send", {
  from: Argument.String("from").pipe(Argument.withDescription("sender: key name or address in the keyring")),
  to: Argument.String("to").pipe(Argument.withDescription("recipient bech32 address")),
  amount: Argument.String("amount").pipe(Argument.withDescription("coins, e.g. 1000boot or 10boot,5hydrogen")),
  gas: Flag.String("gas").pipe(Flag.withDescription("gas limit, or \"auto\" to simulate (default: auto)"), Flag.withDefault("auto")),
  gasAdjustment: Flag.String("gas-adjustment").pipe(Flag.withDescription("multiplier on simulated gas (default: 1.5)"), Flag.withDefault("1.5")),
  fees: Flag.String("fees").pipe(Flag.withDescription("fee coins, e.g. 500boot (default: gas × min gas price)"), Flag.optional),
  memo: Flag.String("memo").pipe(Flag.withDescription("transaction memo"), Flag.withDefault("")),
  mode: Flag.Literals("broadcast-mode", ["block", "sync"]).pipe(
    Flag.withDescription("block: wait until the tx is in a block (default); sync: return after CheckTx"),
    Flag.withDefault("block" as const)
  )
}, (o) =>
  Effect.gen(function* () {
    // CosmJS is loaded on use, so that other commands (and --help) start faster
    const { calculateFee, GasPrice, SigningStargateClient } = yield* Effect.promise(() => import("@cosmjs/stargate"))
    const { parseCoins } = yield* Effect.promise(() => import("@cosmjs/proto-signing"))
    const { fromBech32 } = yield* Effect.promise(() => import("@cosmjs/encoding"))
    const { keyring: k, config } = yield* keyring
    const node = yield* NodeUrl
    const to = yield* Effect.try({ try: () => fromBech32(o.to, 90), catch: (e) => new CliFailure({ message: `invalid recipient address ${JSON.stringify(o.to)}: ${e instanceof Error ? e.message : String(e)}` }) })
    if (to.prefix !== config.chain.bech32Prefix) return yield* Effect.fail(new CliFailure({ message: `invalid recipient address ${JSON.stringify(o.to)}: prefix ${JSON.stringify(to.prefix)}, expected ${JSON.stringify(config.chain.bech32Prefix)}` }))
    const key = yield* k.show(o.from)
    const wallet = yield* k.signer(key.name)
    const amount = yield* Effect.try({ try: () => parseCoins(o.amount), catch: () => new CliFailure({ message: `invalid amount ${JSON.stringify(o.amount)}: expected coins like 1000${config.chain.feeDenom}` }) })
    if (amount.length === 0) return yield* Effect.fail(new CliFailure({ message: `invalid amount ${JSON.stringify(o.amount)}: expected coins like 1000${config.chain.feeDenom}` }))
    const gasPrice = GasPrice.fromString(minGasPricesText(config))
    const client = yield* promise(`cannot connect to ${node}`, () => SigningStargateClient.connectWithSigner(node, wallet, { gasPrice, broadcastPollIntervalMs: 250, broadcastTimeoutMs: 60_000 }))
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const msg: MsgSendEncodeObject = {
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: { fromAddress: key.address, toAddress: o.to, amount }
    }
    let fee: StdFee | number
    if (o.gas === "auto") {
      const adj = Number(o.gasAdjustment)
      if (!(adj > 0)) return yield* Effect.fail(new CliFailure({ message: `invalid --gas-adjustment ${o.gasAdjustment}` }))
      if (Option.isSome(o.fees)) {
        const gas = yield* promise("simulation failed", () => client.simulate(key.address, [msg], o.memo))
        fee = { amount: parseCoins(o.fees.value), gas: String(Math.ceil(gas * adj)) }
      } else {
        fee = adj
      }
    } else {
      if (!/^\d+$/.test(o.gas)) return yield* Effect.fail(new CliFailure({ message: `invalid --gas ${JSON.stringify(o.gas)}: a number or "auto"` }))
      fee = Option.isSome(o.fees) ? { amount: parseCoins(o.fees.value), gas: o.gas } : calculateFee(Number(o.gas), gasPrice)
    }
    if (o.mode === "sync") {
      const hash = yield* promise("transaction failed", () => client.signAndBroadcastSync(key.address, [msg], fee, o.memo))
      return yield* emit({ txhash: hash, code: 0 }, () => `txhash: ${hash}\ncode: 0 (accepted by CheckTx; query it with \`cyberkernel query tx ${hash}\`)`)
    }
    const r: DeliverTxResponse = yield* promise("transaction failed", () => client.signAndBroadcast(key.address, [msg], fee, o.memo))
    yield* emit(
      { txhash: r.transactionHash, code: r.code, height: r.height, gas_wanted: r.gasWanted, gas_used: r.gasUsed, raw_log: r.rawLog ?? "" },
      () => `txhash: ${r.transactionHash}\ncode: ${r.code}\nheight: ${r.height}\ngas used/wanted: ${r.gasUsed}/${r.gasWanted}${r.code !== 0 ? `\nraw_log: ${r.rawLog}` : ""}`
    )
    if (r.code !== 0) return yield* Effect.fail(new CliFailure({ message: `transaction failed with code ${r.code}: ${r.rawLog ?? ""}` }))
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Send coins from a keyring key to an address (signs with the key, broadcasts to --node)"))

const bank = Command.make("bank").pipe(Command.withDescription("Bank transactions"), Command.withSubcommands([send]))

/** `tx` and its subcommands. */
export const txCommand = Command.make("tx").pipe(
  Command.withDescription("Sign and broadcast transactions"),
  Command.withSubcommands([bank, govTxCommand, graphTxCommand, cyberwasmTxCommand, wasmTxCommand, stakingTxCommand, evmTxCommand, ibcTransferTxCommand, namesTxCommand])
)
