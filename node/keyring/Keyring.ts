/**
 * The account keyring: named secp256k1 keys (BIP-39 mnemonic, HD path m/44'/118'/0'/0/0) kept
 * under the node home, one JSON file per key, mode 0600, in a 0700 directory.
 *
 * Backends, as the Cosmos SDK keyring names them:
 * - "file" (`<home>/keyring-file/`): the mnemonic is sealed with a passphrase (scrypt +
 *   AES-256-GCM, see internal/sealedBox.ts). The name, HD path and public key stay readable, so
 *   `list` and `show` need no passphrase; `add`, `mnemonic` and `signer` do.
 * - "test" (`<home>/keyring-test/`): the mnemonic is stored UNENCRYPTED; every file carries a
 *   `test_only` warning and the directory a TEST-ONLY notice. For dev chains only.
 *
 * Addresses are computed from the stored public key with the keyring's bech32 prefix, so a key
 * shows under whatever prefix the node's config sets.
 *
 * Source: cosmos-sdk crypto/keyring (backends "file" and "test", `keys add/list/show/delete`).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { Data, Effect } from "effect"
import type { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { addressOf, checkMnemonic, DEFAULT_HD_PATH, deriveKey, generateMnemonic, InvalidMnemonic, walletOf } from "./HdKey.ts"
import { open, seal, type SealedBox } from "./internal/sealedBox.ts"

/** Keyring backends. */
export const KeyringBackends = ["file", "test"] as const
/** "file" (encrypted) or "test" (unencrypted, dev only). */
export type KeyringBackend = (typeof KeyringBackends)[number]

/** Public facts about a key (no secret). `pubkey` is the 33-byte compressed key, base64. */
export interface KeyInfo {
  readonly name: string
  readonly type: "local"
  readonly algo: "secp256k1"
  readonly hdPath: string
  readonly address: string
  readonly pubkey: string
}

/** No key with this name (or address) in the keyring. */
export class KeyNotFound extends Data.TaggedError("KeyNotFound")<{ readonly name: string; readonly message: string }> {}
/** A key with this name already exists; `add` never overwrites. */
export class KeyExists extends Data.TaggedError("KeyExists")<{ readonly name: string; readonly message: string }> {}
/** Key names are 1-64 characters of [A-Za-z0-9_.-], not starting with a dot. */
export class InvalidKeyName extends Data.TaggedError("InvalidKeyName")<{ readonly name: string; readonly message: string }> {}
/** The passphrase does not open this key (GCM authentication failed). */
export class WrongPassphrase extends Data.TaggedError("WrongPassphrase")<{ readonly name: string; readonly message: string }> {}
/** The file backend needs a passphrase (at least 8 characters) and none, or a too short one, was given. */
export class PassphraseRequired extends Data.TaggedError("PassphraseRequired")<{ readonly message: string }> {}
/** A key file could not be read, parsed or written. */
export class KeyringIOError extends Data.TaggedError("KeyringIOError")<{ readonly file: string; readonly message: string }> {}

export { InvalidMnemonic }

/** Every error a keyring operation can fail with. */
export type KeyringError = KeyNotFound | KeyExists | InvalidKeyName | WrongPassphrase | PassphraseRequired | KeyringIOError | InvalidMnemonic

/** A keyring bound to a home directory, backend and bech32 prefix. */
export interface Keyring {
  readonly backend: KeyringBackend
  readonly dir: string
  readonly prefix: string
  /** Create a key from a new 24-word mnemonic (or recover one from `mnemonic`); returns the mnemonic. */
  add(name: string, opts?: { readonly mnemonic?: string | undefined }): Effect.Effect<{ readonly info: KeyInfo; readonly mnemonic: string }, KeyringError>
  /** All keys, sorted by name. */
  list(): Effect.Effect<ReadonlyArray<KeyInfo>, KeyringIOError>
  /** A key by name, or by address. */
  show(nameOrAddress: string): Effect.Effect<KeyInfo, KeyNotFound | KeyringIOError | InvalidKeyName>
  /** Remove a key file. */
  delete(name: string): Effect.Effect<void, KeyNotFound | KeyringIOError | InvalidKeyName>
  /** The key's mnemonic (file backend: asks for the passphrase). */
  mnemonic(nameOrAddress: string): Effect.Effect<string, KeyringError>
  /** A CosmJS direct signer for the key (file backend: asks for the passphrase). */
  signer(nameOrAddress: string): Effect.Effect<DirectSecp256k1HdWallet, KeyringError>
}

/** Options of {@link openKeyring}. */
export interface KeyringOptions {
  readonly home: string
  readonly backend: KeyringBackend
  /** Bech32 prefix for addresses (config chain.bech32_prefix). */
  readonly prefix: string
  /** Called when the file backend needs the passphrase (at most once per keyring). */
  readonly passphrase?: (() => Promise<string>) | undefined
  /** scrypt cost for new file keys (default 2^15); tests may lower it. */
  readonly scryptN?: number | undefined
}

const TEST_WARNING = "UNENCRYPTED TEST KEYRING: development only. Anyone who reads this file controls the account."

interface KeyRecord {
  readonly name: string
  readonly type: "local"
  readonly algo: "secp256k1"
  readonly hd_path: string
  readonly pubkey: string
  readonly test_only?: string
  readonly mnemonic?: string
  readonly crypto?: SealedBox
}

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,63}$/

/** Directory of a backend inside a home. */
export const keyringDir = (home: string, backend: KeyringBackend): string => join(home, `keyring-${backend}`)

/** Open (lazily create) the keyring of `home` for `backend`. */
export const openKeyring = (opts: KeyringOptions): Keyring => {
  const dir = keyringDir(opts.home, opts.backend)
  const prefix = opts.prefix
  let cachedPass: Promise<string> | undefined

  const getPassphrase = (minLength: number): Effect.Effect<string, PassphraseRequired> =>
    Effect.tryPromise({
      try: () => (cachedPass ??= opts.passphrase ? opts.passphrase() : Promise.reject(new Error("none"))),
      catch: () => new PassphraseRequired({ message: `the "file" keyring needs a passphrase (set CYBERKERNEL_KEYRING_PASSPHRASE or type it when asked)` })
    }).pipe(Effect.flatMap((p) => p.length >= minLength ? Effect.succeed(p) : Effect.fail(new PassphraseRequired({ message: `the passphrase must be at least ${minLength} characters` }))))

  const fileOf = (name: string) => join(dir, `${name}.json`)
  const checkName = (name: string): Effect.Effect<string, InvalidKeyName> =>
    NAME.test(name) ? Effect.succeed(name) : Effect.fail(new InvalidKeyName({ name, message: `invalid key name ${JSON.stringify(name)}: use 1-64 characters of A-Z a-z 0-9 _ . -` }))

  const ensureDir = () => {
    if (!existsSync(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      if (opts.backend === "test") {
        writeFileSync(join(dir, "TEST-ONLY-UNENCRYPTED.txt"), TEST_WARNING + "\nUse --keyring-backend file for keys that hold real value.\n", { mode: 0o600 })
      }
    }
  }

  const readRecord = (file: string): Effect.Effect<KeyRecord, KeyringIOError> =>
    Effect.try({
      try: () => {
        const r = JSON.parse(readFileSync(file, "utf8")) as KeyRecord
        if (typeof r.name !== "string" || typeof r.pubkey !== "string") throw new Error("not a key record")
        return r
      },
      catch: (e) => new KeyringIOError({ file, message: `cannot read key file ${file}: ${e instanceof Error ? e.message : String(e)}` })
    })

  const infoOf = (r: KeyRecord): KeyInfo => ({
    name: r.name, type: "local", algo: "secp256k1", hdPath: r.hd_path, pubkey: r.pubkey,
    address: addressOf(Buffer.from(r.pubkey, "base64"), prefix)
  })

  const list = (): Effect.Effect<ReadonlyArray<KeyInfo>, KeyringIOError> =>
    Effect.suspend(() => {
      if (!existsSync(dir)) return Effect.succeed([])
      const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
      return Effect.forEach(files, (f) => readRecord(join(dir, f)).pipe(Effect.map(infoOf)))
    })

  const findRecord = (nameOrAddress: string): Effect.Effect<KeyRecord, KeyNotFound | KeyringIOError | InvalidKeyName> =>
    Effect.gen(function* () {
      if (nameOrAddress.startsWith(prefix + "1")) {
        const all = yield* list()
        const hit = all.find((k) => k.address === nameOrAddress)
        if (hit) return yield* readRecord(fileOf(hit.name))
        return yield* Effect.fail(new KeyNotFound({ name: nameOrAddress, message: `no key with address ${nameOrAddress} in the ${opts.backend} keyring (${dir})` }))
      }
      const name = yield* checkName(nameOrAddress)
      if (!existsSync(fileOf(name))) {
        return yield* Effect.fail(new KeyNotFound({ name, message: `key ${JSON.stringify(name)} not found in the ${opts.backend} keyring (${dir})` }))
      }
      return yield* readRecord(fileOf(name))
    })

  const aadOf = (r: { name: string; pubkey: string }) => Buffer.from(`${r.name}\n${r.pubkey}`, "utf8")

  const mnemonic = (nameOrAddress: string): Effect.Effect<string, KeyringError> =>
    Effect.gen(function* () {
      const r = yield* findRecord(nameOrAddress)
      if (r.mnemonic !== undefined) return r.mnemonic
      if (!r.crypto) return yield* Effect.fail(new KeyringIOError({ file: fileOf(r.name), message: `key file ${fileOf(r.name)} holds no secret` }))
      const pass = yield* getPassphrase(0)
      const box = r.crypto
      const plain = yield* Effect.tryPromise({
        try: () => open(box, pass, aadOf(r)),
        catch: (e) => new KeyringIOError({ file: fileOf(r.name), message: String(e) })
      })
      if (!plain) return yield* Effect.fail(new WrongPassphrase({ name: r.name, message: `wrong passphrase for key ${JSON.stringify(r.name)}` }))
      return Buffer.from(plain).toString("utf8")
    })

  return {
    backend: opts.backend,
    dir,
    prefix,
    add: (name, addOpts) =>
      Effect.gen(function* () {
        yield* checkName(name)
        if (existsSync(fileOf(name))) {
          return yield* Effect.fail(new KeyExists({ name, message: `key ${JSON.stringify(name)} already exists in the ${opts.backend} keyring (${dir})` }))
        }
        const words = addOpts?.mnemonic !== undefined
          ? yield* Effect.try({ try: () => checkMnemonic(addOpts.mnemonic!), catch: (e) => e as InvalidMnemonic })
          : generateMnemonic()
        const key = yield* Effect.promise(() => deriveKey(words, prefix, DEFAULT_HD_PATH))
        const base = { name, type: "local" as const, algo: "secp256k1" as const, hd_path: DEFAULT_HD_PATH, pubkey: Buffer.from(key.pubkey).toString("base64") }
        let record: KeyRecord
        if (opts.backend === "test") {
          record = { ...base, test_only: TEST_WARNING, mnemonic: words }
        } else {
          const pass = yield* getPassphrase(8)
          const box = yield* Effect.promise(() => seal(Buffer.from(words, "utf8"), pass, aadOf(base), opts.scryptN))
          record = { ...base, crypto: box }
        }
        const file = fileOf(name)
        yield* Effect.try({
          try: () => {
            ensureDir()
            const tmp = `${file}.tmp-${process.pid}`
            writeFileSync(tmp, JSON.stringify(record, null, 2) + "\n", { mode: 0o600, flag: "wx" })
            chmodSync(tmp, 0o600)
            if (existsSync(file)) { rmSync(tmp); throw new Error("exists") }
            renameSync(tmp, file)
          },
          catch: (e) => e instanceof Error && e.message === "exists"
            ? new KeyExists({ name, message: `key ${JSON.stringify(name)} already exists in the ${opts.backend} keyring (${dir})` })
            : new KeyringIOError({ file, message: `cannot write key file ${file}: ${e instanceof Error ? e.message : String(e)}` })
        })
        return { info: infoOf(record), mnemonic: words }
      }),
    list,
    show: (nameOrAddress) => findRecord(nameOrAddress).pipe(Effect.map(infoOf)),
    delete: (name) =>
      Effect.gen(function* () {
        const r = yield* findRecord(name)
        yield* Effect.try({
          try: () => rmSync(fileOf(r.name)),
          catch: (e) => new KeyringIOError({ file: fileOf(r.name), message: String(e) })
        })
      }),
    mnemonic,
    signer: (nameOrAddress) =>
      Effect.gen(function* () {
        const r = yield* findRecord(nameOrAddress)
        const words = yield* mnemonic(r.name)
        return yield* Effect.promise(() => walletOf(words, prefix, r.hd_path))
      })
  }
}
