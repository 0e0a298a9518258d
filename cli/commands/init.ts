/**
 * `cyberkernel init`: create the node home (config.toml, keys, dev genesis with a funded "dev"
 * key in the test keyring). Running it on an existing home changes nothing.
 *
 * Source: cometbft `init`, cosmos-sdk `simd init`.
 */
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { initHome, type InitResult } from "../../node/home/Home.ts"
import { emit, home } from "../Globals.ts"

/** Text report of an init: what was created, and the dev account (mnemonic only when new). */
export const initText = (r: InitResult): string => {
  const lines = [`home: ${r.home}`, `chain id: ${r.chainId}`]
  if (r.created.length === 0) lines.push("home already initialised: nothing changed")
  for (const f of r.created) lines.push(`created ${f}`)
  if (r.devAccount) {
    lines.push(`dev account: ${r.devAccount.address} (key "${r.devAccount.name}" in the test keyring), funded with ${r.devAccount.coins.map((c) => c.amount + c.denom).join(",")}`)
    if (r.devAccount.mnemonic) lines.push(`dev mnemonic (shown once; test keyring, do not use for real funds):\n  ${r.devAccount.mnemonic}`)
  }
  return lines.join("\n")
}

/** JSON report of an init (snake_case, as Cosmos CLIs print JSON). */
export const initJson = (r: InitResult) => ({
  home: r.home,
  chain_id: r.chainId,
  created: r.created,
  dev_account: r.devAccount ? { name: r.devAccount.name, address: r.devAccount.address, coins: r.devAccount.coins, mnemonic: r.devAccount.mnemonic ?? null } : null
})

/** `init [--chain-id] [--moniker]`. */
export const initCommand = Command.make("init", {
  chainId: Flag.String("chain-id").pipe(Flag.withDescription("chain id of the new genesis (default: cyberkernel-dev-1)"), Flag.optional),
  moniker: Flag.String("moniker").pipe(Flag.withDescription("node name (default: cyberkernel)"), Flag.optional),
  noDevAccount: Flag.Boolean("no-dev-account").pipe(Flag.withDescription("do not create and fund the \"dev\" test key"), Flag.withDefault(false))
}, (o) =>
  Effect.gen(function* () {
    const dir = yield* home
    const r = yield* initHome({
      home: dir,
      chainId: Option.getOrUndefined(o.chainId),
      moniker: Option.getOrUndefined(o.moniker),
      devAccount: !o.noDevAccount
    })
    yield* emit(initJson(r), () => initText(r))
  })
).pipe(Command.withDescription("Create the node home: config.toml, validator and node keys, dev genesis with a funded dev account"))
