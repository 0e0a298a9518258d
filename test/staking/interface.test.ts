// The staking call API (wit/chain/staking.wit) through the real executor, and Validators pagination.
import { test } from "uvu"
import * as assert from "uvu/assert"
import { QueryValidatorsRequest, QueryValidatorsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query"
import { sha256 } from "@noble/hashes/sha2.js"
import {
  BondedValidatorsResponse, DelegationResponse, DelegatorDelegationsResponse, stakingInterface, TotalBondedResponse, ValidatorByConsensusAddressResponse, ValidatorResponse
} from "../../chain/generated/staking.ts"
import { callAs, grantProbe, probe } from "../machines/support/Probe.ts"
import { createValidatorMsg, delegateMsg } from "./msgs.ts"
import { consKey, DEC, StakingChain, valoper } from "./support.ts"

const call = (c: StakingChain, method: string, req: unknown) => {
  const p = probe(c.chain, [])
  grantProbe(p, "staking", method)
  const o = callAs(p, "staking", method, stakingInterface.methods[method]!.request.encode(req), true)
  if (!o.ok) throw new Error(`${method}: code ${o.code}: ${o.log}`)
  return o.value as Uint8Array
}

test("call API: validator, delegation, delegator-delegations, bonded-validators in power order, total-bonded", async () => {
  const c = await StakingChain.open({ maxValidators: 2 })
  try {
    const [k0, k1, k2, k3] = c.keys
    for (const [k, tag, amount] of [[k1!, "v1", 12_000_000n], [k2!, "v2", 3_000_000n]] as const) {
      const r = await c.tx(k, [createValidatorMsg(k.address, consKey(tag), amount)])
      assert.is(r.txResults[0]!.code, 0, r.txResults[0]!.log)
    }
    assert.is((await c.tx(k3!, [delegateMsg(k3!.address, valoper(k0!.address), 1_000_000n)])).txResults[0]!.code, 0)
    // bonded set (max 2): v1 (12) then v0 (11); v2 (3) is out
    const bonded = BondedValidatorsResponse.decode(call(c, "bonded-validators", {}))
    assert.equal(bonded.validators.map((v) => [v.operator, v.power, v.bonded]), [[valoper(k1!.address), 12n, true], [valoper(k0!.address), 11n, true]])
    assert.equal(bonded.validators[1]!.consensusPubkey, consKey("v0"))
    assert.is(bonded.validators[1]!.commissionRate, (DEC / 10n).toString())
    assert.is(TotalBondedResponse.decode(call(c, "total-bonded", {})).tokens, "23000000")
    const v2 = ValidatorResponse.decode(call(c, "validator", { operator: valoper(k2!.address) })).validator!
    assert.equal([v2.bonded, v2.power, v2.tokens, v2.delegatorShares], [false, 0n, "3000000", (3_000_000n * DEC).toString()])
    assert.is(ValidatorResponse.decode(call(c, "validator", { operator: valoper(k3!.address) })).validator, undefined)
    const d = DelegationResponse.decode(call(c, "delegation", { delegator: k3!.address, validator: valoper(k0!.address) }))
    assert.equal([d.found, d.shares], [true, (1_000_000n * DEC).toString()])
    const none = DelegationResponse.decode(call(c, "delegation", { delegator: k3!.address, validator: valoper(k1!.address) }))
    assert.equal([none.found, none.shares], [false, "0"])
    assert.equal(DelegatorDelegationsResponse.decode(call(c, "delegator-delegations", { delegator: k1!.address })).delegations,
      [{ validator: valoper(k1!.address), shares: (12_000_000n * DEC).toString() }])
    // by consensus address (sha256(key)[:20]), any status; unknown -> none; not 20 bytes -> InvalidRequest
    const byCons = (address: Uint8Array) => ValidatorByConsensusAddressResponse.decode(call(c, "validator-by-consensus-address", { address })).validator
    assert.is(byCons(sha256(consKey("v2")).subarray(0, 20))?.operator, valoper(k2!.address))
    assert.is(byCons(sha256(consKey("nobody")).subarray(0, 20)), undefined)
    assert.throws(() => byCons(new Uint8Array(32)), /code 18: consensus address must be 20 bytes, got 32/)

    // Validators query pages: limit 2 with count_total, then the rest from next_key
    const Q = "/cosmos.staking.v1beta1.Query/Validators"
    const first = await c.query(Q, QueryValidatorsRequest.encode(QueryValidatorsRequest.fromPartial({ pagination: { limit: 2n, countTotal: true } })).finish(), QueryValidatorsResponse.decode)
    assert.is(first.validators.length, 2)
    assert.is(first.pagination!.total, 3n)
    const rest = await c.query(Q, QueryValidatorsRequest.encode(QueryValidatorsRequest.fromPartial({ pagination: { key: first.pagination!.nextKey, limit: 2n } })).finish(), QueryValidatorsResponse.decode)
    assert.is(rest.validators.length, 1)
    assert.is(rest.pagination!.nextKey.length, 0)
    const all = [...first.validators, ...rest.validators].map((v) => v.operatorAddress)
    assert.equal(new Set(all).size, 3)
    const unbonded = await c.query(Q, QueryValidatorsRequest.encode({ status: "BOND_STATUS_UNBONDING" }).finish(), QueryValidatorsResponse.decode)
    assert.equal(unbonded.validators.map((v) => v.operatorAddress), [])
    const bad = await c.chain.query(Q, QueryValidatorsRequest.encode({ status: "BONDED" }).finish())
    assert.is(bad.code, 18)
  } finally {
    await c.close()
  }
})

test.run()
