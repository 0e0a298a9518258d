/**
 * go-cyber bandwidth through the real multiplexer: spending at the current price, linear
 * recovery, price adjustment every AdjustPricePeriod from the window's load (clamped to
 * [BasePrice, 1]), the per-block cap, and the two bandwidth errors.
 *
 * Numbers: stakes 1000 + 1000 volt (supply S = 2000), desirable bandwidth D = 4000, so each
 * neuron's max = 1000 × 4000 / 2000 = 2000; base load 0.1 → base bandwidth 400; price starts at
 * BasePrice 0.25 (a link costs 250); recovery 100 blocks (20 per block at max 2000).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { DecResponse, QueryNeuronBandwidthResponse, StringRequest } from "../../modules/graph/Messages.ts"
import { block, cidOf, genesisBytes, initChain, makeGKeys, openGraphApp, Seqs, signLinks, type GraphApp } from "./machineFixture.ts"

const q = async (app: GraphApp, path: string, data: Uint8Array = new Uint8Array()) => {
  const r = await app.app.query({ path, data, height: 0n, prove: false })
  assert.is(r.code, 0, r.log)
  return r.value
}
const neuronBw = async (app: GraphApp, address: string) =>
  QueryNeuronBandwidthResponse.decode(await q(app, "/cyber.bandwidth.v1beta1.Query/NeuronBandwidth", StringRequest.encode({ value: address }).finish())).neuronBandwidth
const price = async (app: GraphApp) => DecResponse.decode(await q(app, "/cyber.bandwidth.v1beta1.Query/Price")).value

test("spending, recovery, price adjustment, block cap", async () => {
  const [k1, k2] = await makeGKeys(2, "bw key")
  const app = await openGraphApp()
  const coins = [{ denom: "boot", amount: "1000000000" }, { denom: "volt", amount: "1000" }]
  await initChain(app.app, genesisBytes([{ address: k1!.address, coins }, { address: k2!.address, coins }], {
    params: { stake_denom: "volt", rank: { calculation_period: "1000" }, bandwidth: { desirable_bandwidth: "4000", max_block_bandwidth: "1500" } }
  }))
  const seqs = new Seqs(app.app)
  const link = (i: number) => [cidOf(`from ${i}`), cidOf(`to ${i}`)] as const

  assert.is(await price(app), "0.250000000000000000")
  // h1: one link at 0.25 costs 250
  let r = await block(app.app, 1, [await signLinks(k1!, [link(1)], await seqs.next(k1!.address))])
  assert.is(r.txResults[0]!.code, 0, r.txResults[0]!.log)
  let bw = await neuronBw(app, k1!.address)
  assert.equal([bw.maxValue, bw.remainedValue, bw.lastUpdatedBlock], [2000n, 1750n, 1n])
  for (let h = 2; h <= 4; h++) await block(app.app, h)
  // recovery: 3 blocks × 2000 / 100 = 60
  bw = await neuronBw(app, k1!.address)
  assert.equal([bw.remainedValue, bw.lastUpdatedBlock], [1810n, 4n])
  // h5 adjusts: window 250 / base 400 = 0.625
  await block(app.app, 5)
  assert.is(await price(app), "0.625000000000000000")

  // h6: k1 two links cost 1250 (remained 1750 + 5 × 20 = 1850 → 600); k2's link (625) would make the block 1875 > 1500
  r = await block(app.app, 6, [
    await signLinks(k1!, [link(2), link(3)], await seqs.next(k1!.address)),
    await signLinks(k2!, [link(4)], await seqs.next(k2!.address))
  ])
  assert.is(r.txResults[0]!.code, 0, r.txResults[0]!.log)
  assert.is(r.txResults[1]!.codespace, "bandwidth")
  assert.is(r.txResults[1]!.code, 3, r.txResults[1]!.log)
  assert.match(r.txResults[1]!.log, /exceeded max block bandwidth/)
  bw = await neuronBw(app, k1!.address)
  assert.equal([bw.remainedValue, bw.lastUpdatedBlock], [600n, 6n])

  // h7: 1250 > 600 + 20
  r = await block(app.app, 7, [await signLinks(k1!, [link(5), link(6)], await seqs.next(k1!.address))])
  assert.is(r.txResults[0]!.codespace, "bandwidth")
  assert.is(r.txResults[0]!.code, 2, r.txResults[0]!.log)
  assert.match(r.txResults[0]!.log, /not enough personal bandwidth/)

  // h10 adjusts: window 250 + 1250 = 1500 → 3.75, clamped to 1
  for (let h = 8; h <= 10; h++) await block(app.app, h)
  assert.is(await price(app), "1.000000000000000000")
  // the window slides: h1 leaves at h101, h6 at h106; at h110 the load is 0 → BasePrice
  for (let h = 11; h <= 105; h++) await block(app.app, h)
  assert.is(await price(app), "1.000000000000000000", "h6's 1250 still in the window at h105")
  for (let h = 106; h <= 110; h++) await block(app.app, h)
  assert.is(await price(app), "0.250000000000000000")
  // full recovery caps at max
  bw = await neuronBw(app, k1!.address)
  assert.equal([bw.remainedValue, bw.maxValue], [2000n, 2000n])
  await app.close()
})

test.run()
