/**
 * `cyberkernel keys add | list | show | delete`: account keys in the node home's keyring.
 *
 * Source: cosmos-sdk client/keys (add --recover, list, show --address, delete).
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import type { KeyInfo } from "../../node/keyring/Keyring.ts"
import { emit, keyring, readLine } from "../Globals.ts"

/** JSON of a key, in the fields `simd keys show --output json` prints (plus hd_path). */
const keyJson = (k: KeyInfo) => ({
  name: k.name, type: k.type, address: k.address,
  pubkey: JSON.stringify({ "@type": "/cosmos.crypto.secp256k1.PubKey", key: k.pubkey }),
  hd_path: k.hdPath
})

const keyText = (k: KeyInfo) => `- name: ${k.name}\n  type: ${k.type}\n  address: ${k.address}\n  pubkey: {"@type":"/cosmos.crypto.secp256k1.PubKey","key":"${k.pubkey}"}\n  hd_path: ${k.hdPath}`

const add = Command.make("add", {
  name: Argument.String("name").pipe(Argument.withDescription("name of the new key")),
  recover: Flag.Boolean("recover").pipe(
    Flag.withDescription("recover the key from a BIP-39 mnemonic read from stdin instead of generating one"),
    Flag.withDefault(false)
  )
}, ({ name, recover }) =>
  Effect.gen(function* () {
    const { keyring: k } = yield* keyring
    const mnemonic = recover ? yield* Effect.promise(() => readLine("Enter your BIP-39 mnemonic: ").catch(() => "")) : undefined
    const { info, mnemonic: words } = yield* k.add(name, { mnemonic })
    yield* emit(recover ? keyJson(info) : { ...keyJson(info), mnemonic: words }, () =>
      keyText(info) + (recover ? "" : `\n\n**Important** write this mnemonic phrase in a safe place.\nIt is the only way to recover your account if you ever forget your password.\n\n${words}`))
  })
).pipe(Command.withDescription("Create a key (new 24-word mnemonic, printed once) or recover one with --recover"))

const list = Command.make("list", {}, () =>
  Effect.gen(function* () {
    const { keyring: k } = yield* keyring
    const keys = yield* k.list()
    yield* emit(keys.map(keyJson), () => keys.length === 0 ? `no keys in ${k.dir}` : keys.map(keyText).join("\n"))
  })
).pipe(Command.withDescription("List the keys of the keyring"))

const show = Command.make("show", {
  name: Argument.String("name").pipe(Argument.withDescription("key name or address")),
  address: Flag.Boolean("address").pipe(Flag.withAlias("a"), Flag.withDescription("print the address only"), Flag.withDefault(false))
}, ({ name, address }) =>
  Effect.gen(function* () {
    const { keyring: k } = yield* keyring
    const info = yield* k.show(name)
    yield* address ? emit({ address: info.address }, () => info.address) : emit(keyJson(info), () => keyText(info))
  })
).pipe(Command.withDescription("Show a key's address and public key"))

const del = Command.make("delete", {
  name: Argument.String("name").pipe(Argument.withDescription("key name")),
  yes: Flag.Boolean("yes").pipe(Flag.withAlias("y"), Flag.withDescription("do not ask for confirmation"), Flag.withDefault(false))
}, ({ name, yes }) =>
  Effect.gen(function* () {
    const { keyring: k } = yield* keyring
    const info = yield* k.show(name)
    if (!yes) {
      const answer = yield* Effect.promise(() => readLine(`Delete key ${info.name} (${info.address})? [y/N] `).catch(() => ""))
      if (!/^y(es)?$/i.test(answer.trim())) return yield* emit({ deleted: false }, () => "not deleted")
    }
    yield* k.delete(info.name)
    yield* emit({ deleted: true, name: info.name }, () => `key ${info.name} deleted`)
  })
).pipe(Command.withDescription("Delete a key"))

/** `keys` and its subcommands. */
export const keysCommand = Command.make("keys").pipe(
  Command.withDescription("Manage account keys (keyring under the node home; --keyring-backend test|file)"),
  Command.withSubcommands([add, list, show, del])
)
