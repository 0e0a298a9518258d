/**
 * Auth: decode + ante + bank handle through the real multiplexer, with txs signed by CosmJS's
 * DirectSecp256k1HdWallet through SigningStargateClient (offline), exactly as a wallet sends them.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { QueryAccountRequest } from "cosmjs-types/cosmos/auth/v1beta1/query"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types"
import { clearVerifyCache, verifyStats } from "../../modules/auth/internal/Secp256k1.ts"
import { formatAddress, moduleAddress } from "../../modules/auth/Address.ts"
import { fee, makeWallet, msgSend, signTx, TestChain } from "./support/Chain.ts"

const { wallet, addresses } = await makeWallet(3)
const [alice, bob, carol] = addresses as [string, string, string]
const feeCollector = formatAddress(moduleAddress("fee_collector"), "cyber")
const funded = [{ address: alice, coins: [{ denom: "boot", amount: "1000000" }] }]
/** alice's account number: module accounts 0-5 (fee_collector, mint, distribution, the two staking pools, gov), then genesis balances. */
const ALICE = 6

const start = (opts: Parameters<typeof TestChain.start>[0] = {}) => TestChain.start({ balances: funded, ...opts })

const balance = async (chain: TestChain, addr: string, denom = "boot") => BigInt((await chain.queryClient().bank.balance(addr, denom)).amount)

const sequence = async (chain: TestChain, addr: string) => {
  const any = await chain.queryClient().auth.account(addr)
  return any ? BaseAccount.decode(any.value).sequence : undefined
}

const attr = (r: ExecTxResult, type: string, key: string): string[] =>
  r.events.filter((e) => e.type === type).flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value))

/** Assert a rejection in CheckTx and in a block, with the state (app hash) unchanged. */
const rejected = async (chain: TestChain, tx: Uint8Array, code: number, log: string | RegExp, codespace = "sdk") => {
  const hash = chain.appHash()
  const check = await chain.checkTx(tx)
  assert.is(check.code, code, `CheckTx code: ${check.log}`)
  assert.is(check.codespace, codespace)
  if (typeof log === "string") assert.is(check.log, log)
  else assert.match(check.log, log)
  const [res] = await chain.block([tx])
  assert.is(res!.code, code, `FinalizeBlock code: ${res!.log}`)
  assert.is(chain.appHash(), hash, "state unchanged")
}

test("good MsgSend: CheckTx and FinalizeBlock succeed, balances, fee, sequence, events", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "100")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(tx)
  assert.is(check.code, 0, check.log)
  const [res] = await chain.block([tx])
  assert.is(res!.code, 0, res!.log)
  assert.ok(res!.gasUsed > 0n && res!.gasUsed <= 200000n)
  assert.is(await balance(chain, alice), 1000000n - 100n - 2000n)
  assert.is(await balance(chain, bob), 100n)
  assert.is(await balance(chain, feeCollector), 2000n)
  assert.is(await sequence(chain, alice), 1n)
  assert.ok(attr(res!, "transfer", "recipient").includes(bob))
  assert.ok(attr(res!, "message", "sender").includes(alice))
  assert.equal(attr(res!, "tx", "fee"), ["2000boot"])
  assert.equal(attr(res!, "tx", "acc_seq"), [`${alice}/0`])
  // bob's account was created on first receipt, with the next account number.
  const bobAcc = await chain.queryClient().auth.account(bob)
  assert.ok(bobAcc)
  assert.is(BaseAccount.decode(bobAcc!.value).accountNumber, BigInt(ALICE + 1))
  // the pubkey was set on first use
  const aliceAcc = BaseAccount.decode((await chain.queryClient().auth.account(alice))!.value)
  assert.is(aliceAcc.pubKey?.typeUrl, "/cosmos.crypto.secp256k1.PubKey")
  // second tx with sequence 1
  const tx2 = await signTx(wallet, alice, [msgSend(alice, carol, "5")], fee("2000"), { accountNumber: ALICE, sequence: 1 })
  const [res2] = await chain.block([tx2])
  assert.is(res2!.code, 0, res2!.log)
  assert.is(await balance(chain, carol), 5n)
})

test("MsgMultiSend: one input, two outputs", async () => {
  const chain = await start()
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    value: {
      inputs: [{ address: alice, coins: [{ denom: "boot", amount: "30" }] }],
      outputs: [{ address: bob, coins: [{ denom: "boot", amount: "10" }] }, { address: carol, coins: [{ denom: "boot", amount: "20" }] }]
    }
  }
  const tx = await signTx(wallet, alice, [msg], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const [res] = await chain.block([tx])
  assert.is(res!.code, 0, res!.log)
  assert.is(await balance(chain, bob), 10n)
  assert.is(await balance(chain, carol), 20n)
  assert.is(await balance(chain, alice), 1000000n - 30n - 2000n)
  assert.equal(attr(res!, "transfer", "recipient").filter((r) => r !== feeCollector), [bob, carol])
})

test("MultiSend with inputs != outputs: bank code 4", async () => {
  const chain = await start()
  const msg = {
    typeUrl: "/cosmos.bank.v1beta1.MsgMultiSend",
    value: { inputs: [{ address: alice, coins: [{ denom: "boot", amount: "30" }] }], outputs: [{ address: bob, coins: [{ denom: "boot", amount: "10" }] }] }
  }
  const tx = await signTx(wallet, alice, [msg], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(tx)
  assert.is(check.code, 4)
  assert.is(check.codespace, "bank")
  assert.is(check.log, "sum inputs != sum outputs: 30boot != 10boot")
  // checked in the message handler (SDK 0.50 msg server): in a block the fee and sequence stick
  const [res] = await chain.block([tx])
  assert.is(res!.code, 4)
  assert.is(await balance(chain, bob), 0n)
  assert.is(await balance(chain, alice), 1000000n - 2000n)
})

test("overdraw: code 5 with the SDK text; in a block the fee and sequence stick, the send does not", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "2000000")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(tx)
  assert.is(check.code, 5)
  assert.is(check.log, "spendable balance 998000boot is smaller than 2000000boot: insufficient funds")
  const [res] = await chain.block([tx])
  assert.is(res!.code, 5)
  assert.is(await balance(chain, bob), 0n)
  assert.is(await balance(chain, alice), 1000000n - 2000n)
  assert.is(await sequence(chain, alice), 1n)
})

test("fee larger than the balance: code 5, nothing changes", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000000"), { accountNumber: ALICE, sequence: 0 })
  await rejected(chain, tx, 5, "spendable balance 1000000boot is smaller than 2000000boot: insufficient funds: insufficient funds")
})

test("two signers (two MsgSends, bob pays the fee as fee payer): both signatures verified, both sequences bumped", async () => {
  const chain = await start({ balances: [...funded, { address: bob, coins: [{ denom: "boot", amount: "50000" }] }] })
  const { Registry, makeAuthInfoBytes, makeSignDoc, encodePubkey } = await import("@cosmjs/proto-signing")
  const { defaultRegistryTypes } = await import("@cosmjs/stargate")
  const { encodeSecp256k1Pubkey } = await import("@cosmjs/amino")
  const registry = new Registry(defaultRegistryTypes)
  const accounts = await wallet.getAccounts()
  const bodyBytes = registry.encode({ typeUrl: "/cosmos.tx.v1beta1.TxBody", value: { messages: [msgSend(alice, carol, "3"), msgSend(bob, carol, "4")], memo: "" } })
  const signerInfos = [0, 1].map((i) => ({ pubkey: encodePubkey(encodeSecp256k1Pubkey(accounts[i]!.pubkey)), sequence: 0 }))
  const authInfoBytes = makeAuthInfoBytes(signerInfos, [{ denom: "boot", amount: "4000" }], 400000, undefined, bob)
  const sign = async (addr: string, accountNumber: number) =>
    Buffer.from((await wallet.signDirect(addr, makeSignDoc(bodyBytes, authInfoBytes, "cyber-test-1", accountNumber))).signature.signature, "base64")
  // account numbers: alice ALICE, bob ALICE + 1 (genesis balances order)
  // signatures in the wrong order: refused
  const swapped = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [await sign(bob, ALICE + 1), await sign(alice, ALICE)] }).finish()
  await rejected(chain, swapped, 4, /^signature verification failed; please verify account number \(6\)/)
  const tx = TxRaw.encode({ bodyBytes, authInfoBytes, signatures: [await sign(alice, ALICE), await sign(bob, ALICE + 1)] }).finish()
  const [res] = await chain.block([tx])
  assert.is(res!.code, 0, res!.log)
  assert.is(await balance(chain, carol), 7n)
  assert.is(await balance(chain, bob), 50000n - 4n - 4000n, "bob paid the fee")
  assert.is(await balance(chain, alice), 1000000n - 3n)
  assert.is(await sequence(chain, alice), 1n)
  assert.is(await sequence(chain, bob), 1n)
})

test("wrong sequence: code 32 with the SDK text; a replayed tx is refused the same way", async () => {
  const chain = await start()
  const bad = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 1 })
  await rejected(chain, bad, 32, "account sequence mismatch, expected 0, got 1: incorrect account sequence")
  const good = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  assert.is((await chain.block([good]))[0]!.code, 0)
  await rejected(chain, good, 32, "account sequence mismatch, expected 1, got 0: incorrect account sequence")
})

test("wrong chain id: code 4 signature verification failed", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0, chainId: "other-chain" })
  await rejected(chain, tx, 4, `signature verification failed; please verify account number (${ALICE}), sequence (0) and chain-id (cyber-test-1): unauthorized`)
})

test("wrong account number: code 4", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: 7, sequence: 0 })
  await rejected(chain, tx, 4, /^signature verification failed/)
})

test("bad signature bytes: code 4; high-S signature refused", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const raw = TxRaw.decode(tx)
  const flipped = Uint8Array.from(raw.signatures[0]!)
  flipped[10] = flipped[10]! ^ 1
  await rejected(chain, TxRaw.encode({ ...raw, signatures: [flipped] }).finish(), 4, /^signature verification failed/)
  // s -> n - s is the same signature in high-S form: valid for OpenSSL, refused as the SDK does.
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n
  const sig = raw.signatures[0]!
  const s = BigInt("0x" + Buffer.from(sig.subarray(32)).toString("hex"))
  const high = Uint8Array.from(sig)
  high.set(Buffer.from((n - s).toString(16).padStart(64, "0"), "hex"), 32)
  await rejected(chain, TxRaw.encode({ ...raw, signatures: [high] }).finish(), 4, /^signature verification failed/)
  const [ok] = await chain.block([tx])
  assert.is(ok!.code, 0, ok!.log)
})

test("signer info key of another account: code 8 (pubkey does not match signer address)", async () => {
  const chain = await start({ balances: [...funded, { address: bob, coins: [{ denom: "boot", amount: "5000" }] }] })
  // bob signs a message whose signer is alice
  const tx = await signTx(wallet, bob, [msgSend(alice, carol, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  await rejected(chain, tx, 8, `pubKey does not match signer address ${alice} with signer index: 0: invalid pubkey`)
})

test("signer without an account: code 9", async () => {
  const chain = await start()
  const tx = await signTx(wallet, carol, [msgSend(carol, bob, "1")], fee("2000"), { accountNumber: 9, sequence: 0 })
  await rejected(chain, tx, 9, `account ${carol} does not exist: unknown address`)
})

test("malformed bytes: code 2 naming the part", async () => {
  const chain = await start()
  const check = await chain.checkTx(Uint8Array.of(0xff, 0xff, 0xff, 0x01))
  assert.is(check.code, 2)
  assert.match(check.log, /TxRaw/)
  const body = TxRaw.encode({ bodyBytes: Uint8Array.of(0x0a, 0x50, 0x01), authInfoBytes: new Uint8Array(), signatures: [new Uint8Array(64)] }).finish()
  const r = await chain.checkTx(body)
  assert.is(r.code, 2)
  assert.match(r.log, /TxBody/)
  const [res] = await chain.block([Uint8Array.of(1, 2, 3)])
  assert.is(res!.code, 2)
})

test("unknown message type: refused by the multiplexer (code 6)", async () => {
  const chain = await start()
  const tx = TxRaw.decode(await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 }))
  const { TxBody } = await import("cosmjs-types/cosmos/tx/v1beta1/tx")
  const body = TxBody.decode(tx.bodyBytes)
  body.messages = [{ typeUrl: "/cosmos.bank.v1beta1.MsgBurn", value: new Uint8Array() }]
  await rejected(chain, TxRaw.encode({ ...tx, bodyBytes: TxBody.encode(body).finish() }).finish(), 6, /unrecognized message type: \/cosmos.bank.v1beta1.MsgBurn/)
})

test("oversize tx: code 21", async () => {
  const chain = await start({ auth: { maxTxBytes: 300 } })
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 }, "x".repeat(200))
  await rejected(chain, tx, 21, /^tx too large: \d+ bytes, max 300/)
})

test("memo too large: code 12", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 }, "m".repeat(257))
  await rejected(chain, tx, 12, "maximum number of characters is 256 but received 257 characters: memo too large")
})

test("fee below min gas price: code 13 in CheckTx only (node-local floor, as the SDK)", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("1999"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(tx)
  assert.is(check.code, 13)
  assert.is(check.log, "insufficient fees; got: 1999boot required: 2000boot: insufficient fee")
  const none = await signTx(wallet, alice, [msgSend(alice, bob, "1")], { amount: [], gas: "200000" }, { accountNumber: ALICE, sequence: 0 })
  assert.is((await chain.checkTx(none)).code, 13)
  // a proposer with a lower floor may include it: FinalizeBlock does not apply the node-local floor
  const [res] = await chain.block([tx])
  assert.is(res!.code, 0, res!.log)
})

test("zero fee (\"0boot\", as CosmJS computes at gas price 0) on a node without a fee floor", async () => {
  const chain = await start({ auth: { minGasPrices: "" } })
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("0"), { accountNumber: ALICE, sequence: 0 })
  assert.is((await chain.checkTx(tx)).code, 0)
  const [res] = await chain.block([tx])
  assert.is(res!.code, 0, res!.log)
  assert.is(await balance(chain, alice), 1000000n - 1n)
  assert.is(await balance(chain, feeCollector), 0n)
})

test("out of gas in the ante: code 11, nothing changes", async () => {
  const chain = await start({ auth: { minGasPrices: "" } })
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("10", "1500"), { accountNumber: ALICE, sequence: 0 })
  await rejected(chain, tx, 11, /out of gas in location: txSize/)
})

test("invalid bech32: code 7 for a bad recipient and for a bad sender", async () => {
  const chain = await start()
  const badTo = await signTx(wallet, alice, [msgSend(alice, "cyber1notanaddress", "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(badTo)
  assert.is(check.code, 7)
  assert.match(check.log, /^invalid to address: decoding bech32 failed/)
  const wrongPrefix = await signTx(wallet, alice, [msgSend(alice, bob.replace(/^cyber/, "cosmos"), "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const w = await chain.checkTx(wrongPrefix)
  assert.is(w.code, 7)
  const hash = chain.appHash()
  const [res] = await chain.block([badTo])
  assert.is(res!.code, 7)
  assert.not.equal(chain.appHash(), hash, "fee and sequence stick in a block")
  const badFrom = await signTx(wallet, alice, [msgSend("cyber1xyz", bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 1 })
  await rejected(chain, badFrom, 7, /^invalid from address: /)
})

test("invalid coins: code 10 (zero amount)", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "0")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(tx)
  assert.is(check.code, 10)
})

test("send to a module account: refused (code 4)", async () => {
  const chain = await start()
  const tx = await signTx(wallet, alice, [msgSend(alice, feeCollector, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  const check = await chain.checkTx(tx)
  assert.is(check.code, 4)
  assert.is(check.log, `${feeCollector} is not allowed to receive funds: unauthorized`)
})

test("signature verified in CheckTx is not verified again in FinalizeBlock (cache)", async () => {
  const chain = await start()
  clearVerifyCache()
  const tx = await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })
  assert.is((await chain.checkTx(tx)).code, 0)
  assert.is(verifyStats.verified, 1)
  const [res] = await chain.block([tx])
  assert.is(res!.code, 0)
  assert.is(verifyStats.verified, 1)
  assert.is(verifyStats.cacheHits, 1)
})

test("Simulate: gas estimate without a valid signature", async () => {
  const chain = await start()
  const tx = TxRaw.decode(await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 }))
  const { SimulateRequest, SimulateResponse } = await import("cosmjs-types/cosmos/tx/v1beta1/service")
  const txBytes = TxRaw.encode({ ...tx, signatures: [new Uint8Array()] }).finish()
  const r = await chain.query("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes }).finish())
  assert.is(r.code, 0, r.log)
  const sim = SimulateResponse.decode(r.value)
  assert.ok(sim.gasInfo!.gasUsed > 10000n)
  assert.is(await balance(chain, bob), 0n, "simulate changes nothing")
})

test("Simulate as CosmJS sends it (fee {} so gas limit 0, empty signature): succeeds with a gas estimate", async () => {
  const chain = await start()
  const { Tx, TxBody, AuthInfo, Fee } = await import("cosmjs-types/cosmos/tx/v1beta1/tx")
  const { SimulateRequest, SimulateResponse } = await import("cosmjs-types/cosmos/tx/v1beta1/service")
  const raw = TxRaw.decode(await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 }))
  const authInfo = AuthInfo.decode(raw.authInfoBytes)
  // CosmJS's simulate declares SIGN_MODE_UNSPECIFIED (0) in its signer info
  const signerInfos = authInfo.signerInfos.map((i) => ({ ...i, modeInfo: { single: { mode: 0 } } }))
  const tx = Tx.fromPartial({ body: TxBody.decode(raw.bodyBytes), authInfo: { ...authInfo, signerInfos, fee: Fee.fromPartial({}) }, signatures: [new Uint8Array()] })
  const r = await chain.query("/cosmos.tx.v1beta1.Service/Simulate", SimulateRequest.encode({ txBytes: Tx.encode(tx).finish() }).finish())
  assert.is(r.code, 0, r.log)
  const used = SimulateResponse.decode(r.value).gasInfo!.gasUsed
  assert.ok(used > 10000n && used < 200000n, String(used))
  // the estimate covers the fee deduction the signed tx will pay: delivery uses what simulate said,
  // give or take the width of the balance values written (a few bytes at 30 gas each)
  const [delivered] = await chain.block([await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: ALICE, sequence: 0 })])
  assert.is(delivered!.code, 0, delivered!.log)
  const gap = Number(delivered!.gasUsed - used)
  assert.ok(Math.abs(gap) <= 300, `simulated ${used}, delivered ${delivered!.gasUsed}`)
  // SIGN_MODE_UNSPECIFIED outside simulation: refused (37), even with a valid signature over it
  const unspecified = Tx.fromPartial({ body: TxBody.decode(raw.bodyBytes), authInfo: { ...authInfo, signerInfos }, signatures: raw.signatures })
  await rejected(chain, Tx.encode(unspecified).finish(), 37, /SIGN_MODE_UNSPECIFIED is accepted only in simulation/)
})

test("queries: Account through CosmJS, not-found text CosmJS maps to null, Params", async () => {
  const chain = await start()
  const q = chain.queryClient()
  const acc = await q.auth.account(alice)
  assert.is(acc!.typeUrl, "/cosmos.auth.v1beta1.BaseAccount")
  assert.is(BaseAccount.decode(acc!.value).address, alice)
  const missing = await chain.query("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.encode({ address: carol }).finish())
  assert.is(missing.code, 38)
  // @cosmjs/stargate StargateClient.getAccount returns null on exactly this pattern
  assert.ok(/rpc error: code = NotFound/i.test(missing.log), missing.log)
  assert.match(missing.log, `account ${carol} not found`)
  const fc = await q.auth.account(feeCollector)
  assert.is(fc!.typeUrl, "/cosmos.auth.v1beta1.ModuleAccount")
  const { QueryParamsResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query")
  const p = await chain.query("/cosmos.auth.v1beta1.Query/Params", new Uint8Array())
  assert.is(QueryParamsResponse.decode(p.value).params.maxMemoCharacters, 256n)
  const { QueryAccountsRequest, QueryAccountsResponse, QueryModuleAccountsResponse } = await import("cosmjs-types/cosmos/auth/v1beta1/query")
  const page = QueryAccountsResponse.decode((await chain.query("/cosmos.auth.v1beta1.Query/Accounts", QueryAccountsRequest.encode({ pagination: { key: new Uint8Array(), offset: 0n, limit: 2n, countTotal: true, reverse: false } }).finish())).value)
  assert.is(page.accounts.length, 2)
  assert.is(page.pagination!.total, 7n, "six module accounts, alice")
  const mods = QueryModuleAccountsResponse.decode((await chain.query("/cosmos.auth.v1beta1.Query/ModuleAccounts", new Uint8Array())).value)
  assert.equal(mods.accounts.map((a) => a.typeUrl), Array(6).fill("/cosmos.auth.v1beta1.ModuleAccount"))
})

test.run()
