import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { ConfigError, defaultConfig, loadConfig, parseConfig, renderConfig } from "../../node/config/ConfigFile.ts"
import { enabledModules, minFee, minGasPricesText } from "../../node/config/NodeConfig.ts"

const fail = (text: string): ConfigError => Effect.runSync(Effect.flip(parseConfig(text, "test.toml")))
const ok = (text: string) => Effect.runSync(parseConfig(text, "test.toml"))

test("defaults: an empty file decodes to the documented defaults", () => {
  const c = ok("")
  assert.equal(c, defaultConfig)
  assert.is(c.chain.bech32Prefix, "cyber")
  assert.is(c.consensus.mode, "embedded")
  assert.is(c.rpc.listen, "127.0.0.1:26657")
  assert.is(c.modules.auth.enabled, true)
  assert.is(c.modules.bank.enabled, true)
  assert.is(c.modules.graph.enabled, false)
  assert.is(c.modules.cyberwasm.enabled, false)
  assert.equal(enabledModules(c), ["auth", "bank", "distribution", "gov", "staking"])
})

test("the rendered default file parses back to the same config", () => {
  assert.equal(ok(renderConfig(defaultConfig)), defaultConfig)
  const custom = ok(`moniker = "n1"\n[chain]\nbech32_prefix = "bostrom"\n[consensus]\nmode = "abci"\nblock_time_ms = 250\n[modules.graph]\nenabled = true\nrank_threads = 4`)
  assert.equal(ok(renderConfig(custom)), custom)
  assert.equal(enabledModules(custom), ["auth", "bank", "distribution", "gov", "staking", "graph"])
  assert.is(custom.consensus.blockTimeMs, 250)
  assert.is(custom.modules.graph.rankThreads, 4)
  assert.is(custom.modules.graph.rankPeriodBlocks, 5, "unset field of a set table keeps its default")
})

test("a bad value names its field as spelled in the file", () => {
  const e = fail(`[consensus]\nblock_time_ms = 0`)
  assert.is(e._tag, "ConfigError")
  assert.equal(e.issues.map((i) => i.field), ["consensus.block_time_ms"])
  assert.match(e.message, "consensus.block_time_ms")
  assert.match(e.message, "test.toml")
  assert.equal(fail(`[consensus]\nmode = "tendermint"`).issues.map((i) => i.field), ["consensus.mode"])
  assert.equal(fail(`[mempool]\nmax_tx_bytes = "big"`).issues.map((i) => i.field), ["mempool.max_tx_bytes"])
  assert.equal(fail(`[chain]\nmin_gas_price = "-0.1"`).issues.map((i) => i.field), ["chain.min_gas_price"])
  assert.equal(fail(`[chain]\nmin_gas_price = 0.1`).issues.map((i) => i.field), ["chain.min_gas_price"], "floats are refused: prices are decimal strings")
  assert.equal(fail(`[rpc]\nlisten = "nowhere"`).issues.map((i) => i.field), ["rpc.listen"])
  assert.equal(fail(`log_level = "loud"`).issues.map((i) => i.field), ["log_level"])
  assert.equal(fail(`[modules.graph]\ndamping = "1.5"`).issues.map((i) => i.field), ["modules.graph.damping"])
  assert.equal(fail(`[modules.graph]\ndamping = "0.0"`).issues.map((i) => i.field), ["modules.graph.damping"])
  assert.equal(fail(`[modules.graph]\ntolerance = "0.000"`).issues.map((i) => i.field), ["modules.graph.tolerance"])
  assert.equal(fail(`[modules.graph]\nrank_mode = "hits"`).issues.map((i) => i.field), ["modules.graph.rank_mode"])
})

test("auth and bank cannot be switched off", () => {
  assert.equal(fail(`[modules.auth]\nenabled = false`).issues.map((i) => i.field), ["modules.auth.enabled"])
  assert.equal(fail(`[modules.bank]\nenabled = false`).issues.map((i) => i.field), ["modules.bank.enabled"])
})

test("unknown keys are rejected (a typo never falls back to a default)", () => {
  assert.equal(fail(`[consensus]\nblock_time = 5`).issues.map((i) => i.field), ["consensus.block_time"])
  assert.equal(fail(`[modules.evm]\nenabled = true`).issues.map((i) => i.field), ["modules.evm"])
  const camel = fail(`[consensus]\nblockTimeMs = 5`)
  assert.match(camel.issues[0]!.field, "blockTimeMs")
  assert.match(camel.issues[0]!.field, "snake_case")
})

test("several bad fields are all reported", () => {
  const e = fail(`[consensus]\nblock_time_ms = -1\nmode = "x"\n[pruning]\nkeep_recent = -5`)
  assert.equal(e.issues.map((i) => i.field).sort(), ["consensus.block_time_ms", "consensus.mode", "pruning.keep_recent"])
})

test("TOML syntax errors name the line", () => {
  const e = fail(`moniker = "a"\n[consensus\nmode = "abci"`)
  assert.match(e.message, "line 2")
})

test("loadConfig reads <home>/config/config.toml; a missing file is a ConfigError", () => {
  const home = mkdtempSync(join(tmpdir(), "ck-config-"))
  const missing = Effect.runSync(Effect.flip(loadConfig(home)))
  assert.is(missing._tag, "ConfigError")
  assert.match(missing.message, "not found")
  mkdirSync(join(home, "config"))
  writeFileSync(join(home, "config", "config.toml"), `[rpc]\nlisten = "0.0.0.0:36657"\n`)
  assert.is(Effect.runSync(loadConfig(home)).rpc.listen, "0.0.0.0:36657")
})

test("minFee is ceil(gas × min gas price) in integers", () => {
  const c = ok(`[chain]\nmin_gas_price = "0.025"`)
  assert.is(minFee(c, 200000n), 5000n)
  assert.is(minFee(c, 1n), 1n)
  assert.is(minFee(c, 0n), 0n)
  assert.is(minFee(ok(`[chain]\nmin_gas_price = "0"`), 123456n), 0n)
  assert.is(minFee(ok(`[chain]\nmin_gas_price = "2"`), 7n), 14n)
  assert.is(minGasPricesText(c), "0.025boot")
  assert.is(minGasPricesText(defaultConfig), "0.01boot")
})

test.run()
