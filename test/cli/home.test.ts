import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, readFileSync, statSync, mkdirSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { sha256 } from "@noble/hashes/sha2.js"
import { ed25519 } from "@noble/curves/ed25519.js"
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { fromBech32, toBech32 } from "@cosmjs/encoding"
import { DEV_BALANCE, DEV_CHAIN_ID, homePaths, initHome, loadHome, resolveHome } from "../../node/home/Home.ts"
import { openKeyring } from "../../node/keyring/Keyring.ts"

const tmp = () => mkdtempSync(join(tmpdir(), "ck-home-"))
const mode = (f: string) => statSync(f).mode & 0o777

test("resolveHome: --home, then $CYBERKERNEL_HOME, then ~/.cyberkernel", () => {
  assert.is(resolveHome("/a/b", { CYBERKERNEL_HOME: "/c" }), "/a/b")
  assert.is(resolveHome(undefined, { CYBERKERNEL_HOME: "/c" }), "/c")
  assert.is(resolveHome(undefined, {}), join(homedir(), ".cyberkernel"))
  assert.is(resolveHome("~/x", {}), join(homedir(), "x"))
})

test("initHome creates config, keys (0600), data/ and a dev genesis", async () => {
  const home = tmp()
  const r = await Effect.runPromise(initHome({ home, moniker: "alpha" }))
  const p = homePaths(home)
  assert.is(r.chainId, DEV_CHAIN_ID)
  assert.equal([...r.created].sort(), [p.config, p.genesis, p.nodeKey, p.validatorKey].sort())
  assert.is(mode(p.validatorKey), 0o600)
  assert.is(mode(p.nodeKey), 0o600)
  assert.ok(statSync(p.data).isDirectory())
  assert.ok(r.devAccount?.mnemonic, "first run returns the dev mnemonic")
  assert.is(r.devAccount!.mnemonic!.split(" ").length, 24)
  const loaded = await Effect.runPromise(loadHome(home))
  assert.is(loaded.config.moniker, "alpha")
  assert.is(loaded.validatorKey.seed.length, 32)
})

test("second init changes nothing and does not overwrite", async () => {
  const home = tmp()
  const p = homePaths(home)
  const first = await Effect.runPromise(initHome({ home }))
  const before = [p.config, p.genesis, p.nodeKey, p.validatorKey].map((f) => readFileSync(f, "utf8"))
  const keysBefore = await Effect.runPromise(openKeyring({ home, backend: "test", prefix: "cyber" }).list())
  const second = await Effect.runPromise(initHome({ home, chainId: "other-2", moniker: "other" }))
  assert.equal(second.created, [])
  assert.is(second.devAccount, undefined, "no mnemonic is printed again")
  assert.is(second.chainId, first.chainId, "chain id comes from the existing genesis")
  assert.equal([p.config, p.genesis, p.nodeKey, p.validatorKey].map((f) => readFileSync(f, "utf8")), before)
  assert.equal(await Effect.runPromise(openKeyring({ home, backend: "test", prefix: "cyber" }).list()), keysBefore)
})

test("genesis has the CometBFT shape and Cosmos SDK auth/bank sections", async () => {
  const home = tmp()
  const r = await Effect.runPromise(initHome({ home, chainId: "testchain-7", genesisTime: "2026-11-22T00:00:00Z" }))
  const g = JSON.parse(readFileSync(homePaths(home).genesis, "utf8"))
  assert.equal(Object.keys(g).sort(), ["app_hash", "app_state", "chain_id", "consensus_params", "genesis_time", "initial_height", "validators"])
  assert.is(g.chain_id, "testchain-7")
  assert.is(g.genesis_time, "2026-11-22T00:00:00Z")
  assert.is(g.initial_height, "1")
  assert.is(g.app_hash, "")
  assert.equal(g.consensus_params.validator.pub_key_types, ["ed25519"])
  assert.is(g.consensus_params.block.max_gas, "300000000")
  // validator: address = first 20 bytes of sha256(pubkey), and the key file's seed gives that pubkey
  const v = g.validators[0]
  const pub = Buffer.from(v.pub_key.value, "base64")
  assert.is(v.pub_key.type, "tendermint/PubKeyEd25519")
  assert.is(v.address, Buffer.from(sha256(pub).slice(0, 20)).toString("hex").toUpperCase())
  const loaded = await Effect.runPromise(loadHome(home))
  assert.equal(Buffer.from(ed25519.getPublicKey(loaded.validatorKey.seed)), pub)
  // auth
  const dev = r.devAccount!
  assert.equal(g.app_state.auth.accounts, [{ "@type": "/cosmos.auth.v1beta1.BaseAccount", address: dev.address, pub_key: null, account_number: "0", sequence: "0" }])
  assert.equal(Object.keys(g.app_state.auth.params).sort(), ["max_memo_characters", "sig_verify_cost_ed25519", "sig_verify_cost_secp256k1", "tx_sig_limit", "tx_size_cost_per_byte"])
  // bank: the dev account, and the bonded pool holding the genesis validator's self-delegation (staking on by default)
  const bondedPool = toBech32("cyber", sha256(new TextEncoder().encode("bonded_tokens_pool")).slice(0, 20))
  assert.equal(g.app_state.bank, {
    params: { send_enabled: [], default_send_enabled: true },
    balances: [{ address: dev.address, coins: [{ denom: "boot", amount: DEV_BALANCE }] }, { address: bondedPool, coins: [{ denom: "boot", amount: "10000000" }] }],
    supply: [],
    denom_metadata: [{
      description: "BOOT: the fee, staking and governance coin of testchain-7", denom_units: [{ denom: "boot", exponent: 0, aliases: [] }],
      base: "boot", display: "boot", name: "testchain-7 BOOT", symbol: "BOOT", uri: "", uri_hash: ""
    }]
  })
  // staking: the node's own key is the one bonded validator, self-delegated by the dev account
  assert.is(g.app_state.staking.validators.length, 1)
  assert.is(g.app_state.staking.validators[0].consensus_pubkey.key, v.pub_key.value)
  assert.equal(g.app_state.staking.delegations.map((d: { delegator_address: string }) => d.delegator_address), [dev.address])
  // the dev address is the one CosmJS derives from the printed mnemonic, and the "dev" test key
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(dev.mnemonic!, { prefix: "cyber" })
  assert.is((await wallet.getAccounts())[0]!.address, dev.address)
  const key = await Effect.runPromise(openKeyring({ home, backend: "test", prefix: "cyber" }).show("dev"))
  assert.is(key.address, dev.address)
})

test("genesis follows the home's config (bech32 prefix, fee denom)", async () => {
  const home = tmp()
  mkdirSync(join(home, "config"), { recursive: true })
  writeFileSync(join(home, "config", "config.toml"), `[chain]\nbech32_prefix = "bostrom"\nfee_denom = "hydrogen"\n`)
  const r = await Effect.runPromise(initHome({ home }))
  assert.is(fromBech32(r.devAccount!.address, 90).prefix, "bostrom")
  const g = JSON.parse(readFileSync(homePaths(home).genesis, "utf8"))
  assert.is(g.app_state.bank.balances[0].coins[0].denom, "hydrogen")
  assert.ok(!r.created.includes(homePaths(home).config), "an existing config is kept")
})

test("a bad config stops init with a ConfigError naming the field", async () => {
  const home = tmp()
  mkdirSync(join(home, "config"), { recursive: true })
  writeFileSync(join(home, "config", "config.toml"), `[consensus]\nblock_time_ms = "fast"\n`)
  const e = await Effect.runPromise(Effect.flip(initHome({ home })))
  assert.is(e._tag, "ConfigError")
  assert.match(e.message, "consensus.block_time_ms")
})

test("an invalid chain id is refused", async () => {
  const e = await Effect.runPromise(Effect.flip(initHome({ home: tmp(), chainId: "bad chain id!" })))
  assert.is(e._tag, "HomeError")
  assert.match(e.message, "chain id")
})

test("loadHome on an empty directory says to run init", async () => {
  const e = await Effect.runPromise(Effect.flip(loadHome(tmp())))
  assert.match(e.message, "cyberkernel init")
})

test.run()
