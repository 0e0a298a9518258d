// Staking genesis: typed errors naming what is wrong (pools that do not match, bad fields), and an
// exported genesis that InitChain takes back with the same validator set.
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Chain, makeKey } from "../machines/support/Chain.ts"
import { baseMachines, SIGNER_FUNDS } from "../machines/Fixture.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { bondedPool, consKey, stakingGenesis } from "./support.ts"

const init = async (staking: unknown, poolAmount: string) => {
  const k = await makeKey("staking genesis test")
  const chain = await Chain.open([...baseMachines(), new StakingMachine()])
  try {
    const section = typeof staking === "function" ? (staking as (a: string) => unknown)(k.address) : staking
    const res = await chain.app.initChain({
      time: { seconds: 1_700_000_000n, nanos: 0 }, chainId: "conformance-1", consensusParams: undefined, validators: [],
      appStateBytes: new TextEncoder().encode(JSON.stringify({
        auth: { accounts: [] },
        bank: { balances: [{ address: k.address, coins: [{ denom: "boot", amount: SIGNER_FUNDS }] }, { address: bondedPool, coins: [{ denom: "boot", amount: poolAmount }] }] },
        staking: section
      })), initialHeight: 1n
    })
    return { ok: true as const, validators: res.validators }
  } catch (e) {
    return { ok: false as const, error: e as { code?: number; log?: string } }
  } finally {
    await chain.close()
  }
}

test("the bonded pool must hold the bonded validators' tokens", async () => {
  const r = await init((a: string) => stakingGenesis(a, consKey("g"), 10_000_000n, 20n), "9999999")
  assert.not.ok(r.ok)
  if (!r.ok) {
    assert.is(r.error.code, 18)
    assert.match(r.error.log ?? "", /bonded pool .* holds 9999999boot, bonded validators have 10000000/)
  }
})

test("bad fields are named", async () => {
  const cases: Array<[string, (a: string) => unknown, RegExp]> = [
    ["status", (a) => ({ ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n), validators: [{ ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n).validators[0], status: "BONDED" }] }), /validators\[0\]: unknown status/],
    ["unbonding time", (a) => ({ ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n), params: { unbonding_time: "21d" } }), /params.unbonding_time/],
    ["delegator", (a) => ({ ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n), delegations: [{ delegator_address: "cosmos1xyz", validator_address: "x", shares: "1" }] }), /delegations\[0\]\.delegator_address/],
    ["shares", (a) => ({ ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n), delegations: [{ ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n).delegations[0], shares: "1e5" }] }), /delegations\[0\]\.shares/]
  ]
  for (const [what, section, log] of cases) {
    const r = await init(section, "10000000")
    assert.not.ok(r.ok, what)
    if (!r.ok) {
      assert.ok(r.error.code === 18 || r.error.code === 7, `${what}: code ${r.error.code}`)
      assert.match(r.error.log ?? "", log, what)
    }
  }
})

test("a valid genesis gives its validator set to InitChain; exported form with last_validator_powers too", async () => {
  const r = await init((a: string) => stakingGenesis(a, consKey("g"), 10_000_000n, 20n), "10000000")
  assert.ok(r.ok)
  if (r.ok) assert.equal(r.validators.map((v) => v.power), [10n])
  const exported = await init((a: string) => ({
    ...stakingGenesis(a, consKey("g"), 10_000_000n, 20n), exported: true, last_total_power: "7",
    last_validator_powers: [{ address: stakingGenesis(a, consKey("g"), 10_000_000n, 20n).validators[0]!.operator_address, power: "7" }]
  }), "10000000")
  assert.ok(exported.ok)
  if (exported.ok) assert.equal(exported.validators.map((v) => v.power), [7n])
})

test.run()
