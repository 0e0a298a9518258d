/**
 * decodeTx: the stateless checks of the Cosmos SDK tx decoder, each refusal naming what is wrong;
 * plus ante refusals that need a crafted envelope (timeout height, fee payer, signer counts).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing"
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { decodeTx, sharedStringsHeld } from "../../modules/auth/TxDecoder.ts"
import { fee, makeWallet, msgSend, signTx, TestChain } from "./support/Chain.ts"

const { wallet, addresses } = await makeWallet(2)
const [alice, bob] = addresses as [string, string]
const signed = TxRaw.decode(await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: 2, sequence: 0 }))
const body = TxBody.decode(signed.bodyBytes)
const authInfo = AuthInfo.decode(signed.authInfoBytes)

const withAuth = (a: AuthInfo, sigs = signed.signatures) => TxRaw.encode({ bodyBytes: signed.bodyBytes, authInfoBytes: AuthInfo.encode(a).finish(), signatures: sigs }).finish()
const withBody = (b: TxBody) => TxRaw.encode({ ...signed, bodyBytes: TxBody.encode(b).finish() }).finish()

const refusal = (bytes: Uint8Array, maxTxBytes = 1 << 20): { code: number; log: string; _tag: string } => {
  try {
    decodeTx(bytes, { maxTxBytes })
  } catch (e) {
    return e as never
  }
  throw new Error("expected a refusal")
}

test("a CosmJS-signed tx decodes: messages, gas, fee, signer key and sequence", () => {
  const tx = decodeTx(TxRaw.encode(signed).finish(), { maxTxBytes: 1 << 20 })
  assert.is(tx.msgs[0]!.typeUrl, "/cosmos.bank.v1beta1.MsgSend")
  assert.is(tx.gasLimit, 200000)
  assert.equal(tx.fee, [{ denom: "boot", amount: 2000n }])
  assert.is(tx.signerInfos[0]!.pubkey!.length, 33)
  assert.is(tx.signerInfos[0]!.sequence, 0n)
})

test("a decoded tx never aliases its input: the caller's buffer reused afterwards changes nothing", () => {
  const original = TxRaw.encode(signed).finish()
  const buf = new Uint8Array(original)
  const tx = decodeTx(buf, { maxTxBytes: 1 << 20 })
  const fresh = decodeTx(new Uint8Array(original), { maxTxBytes: 1 << 20 })
  buf.fill(0xff)
  assert.equal([...tx.bytes], [...original])
  assert.equal([...tx.bodyBytes], [...signed.bodyBytes])
  assert.equal([...tx.authInfoBytes], [...signed.authInfoBytes])
  assert.equal([...tx.signatures[0]!], [...signed.signatures[0]!])
  assert.equal([...tx.msgs[0]!.value], [...body.messages[0]!.value])
  assert.equal([...tx.signerInfos[0]!.pubkey!], [...fresh.signerInfos[0]!.pubkey!])
  assert.equal(tx.msgs, fresh.msgs)
  assert.equal(tx.fee, fresh.fee)
  assert.equal(tx.signerInfos, fresh.signerInfos)
})

test("a decoded tx keeps only the fields the pipeline reads (no cosmjs TxBody / AuthInfo objects), each Uint8Array a view of its bytes", () => {
  const tx = decodeTx(TxRaw.encode(signed).finish(), { maxTxBytes: 1 << 20 })
  // bodyBytes and authInfoBytes are made on read (getters), not kept
  assert.equal(Object.keys(tx).sort(), ["bytes", "fee", "feePayer", "gasLimit", "memo", "msgs", "signatures", "signerInfos", "timeoutHeight"])
  assert.equal([...tx.bodyBytes], [...signed.bodyBytes])
  assert.equal([...tx.authInfoBytes], [...signed.authInfoBytes])
  for (const view of [tx.bodyBytes, tx.authInfoBytes, tx.signatures[0]!, tx.msgs[0]!.value, tx.signerInfos[0]!.pubkey!]) assert.ok(view.buffer === tx.bytes.buffer)
  // the kept fields read what cosmjs' own decode of the parts reads
  const again = decodeTx(TxRaw.encode(signed).finish(), { maxTxBytes: 1 << 20 })
  assert.is(again.msgs[0]!.typeUrl, tx.msgs[0]!.typeUrl)
  assert.is(again.memo, body.memo)
  assert.is(again.timeoutHeight, body.timeoutHeight)
  assert.is(again.feePayer, authInfo.fee!.payer)
})

test("the shared type-URL table stays bounded: long or many junk type URLs are not all kept", () => {
  const withUrl = (typeUrl: string) => withBody({ ...body, messages: [{ typeUrl, value: body.messages[0]!.value }] })
  // 300 txs with a distinct 64 KiB type URL each, then 3,000 with short distinct ones
  for (let i = 0; i < 300; i++) decodeTx(withUrl(`/junk.${i}.` + "x".repeat(65_536)))
  assert.ok(sharedStringsHeld().chars <= 1_024 * 128, `${sharedStringsHeld().chars} characters held`)
  for (let i = 0; i < 3_000; i++) decodeTx(withUrl(`/junk.Msg${i}`))
  const held = sharedStringsHeld()
  assert.ok(held.strings <= 1_024 && held.chars <= 1_024 * 128, JSON.stringify(held))
  // a long type URL still decodes to itself
  const long = "/long." + "y".repeat(1_000)
  assert.is(decodeTx(withUrl(long)).msgs[0]!.typeUrl, long)
})

test("size, parse errors", () => {
  const bytes = TxRaw.encode(signed).finish()
  assert.is(refusal(bytes, bytes.length - 1).code, 21)
  assert.is(refusal(new Uint8Array()).code, 2)
  const e = refusal(TxRaw.encode({ ...signed, authInfoBytes: Uint8Array.of(0x12, 0x7f) }).finish())
  assert.is(e.code, 2)
  assert.match(e.log, /invalid AuthInfo/)
})

test("fee: missing, bad coins, granter, too much gas", () => {
  const missing = refusal(withAuth({ ...authInfo, fee: undefined }))
  assert.equal([missing.code, missing.log], [2, "missing fee: tx parse error"])
  const badCoin = refusal(withAuth({ ...authInfo, fee: { ...authInfo.fee!, amount: [{ denom: "boot", amount: "-5" }] } }))
  assert.is(badCoin.code, 13)
  assert.match(badCoin.log, /^invalid fee provided/)
  assert.is(refusal(withAuth({ ...authInfo, fee: { ...authInfo.fee!, amount: [{ denom: "boot", amount: "1.5" }] } })).code, 13)
  // a zero fee coin (CosmJS at gas price 0) means no fee
  const zero = decodeTx(withAuth({ ...authInfo, fee: { ...authInfo.fee!, amount: [{ denom: "boot", amount: "0" }] } }), { maxTxBytes: 1 << 20 })
  assert.equal(zero.fee, [])
  assert.is(refusal(withAuth({ ...authInfo, fee: { ...authInfo.fee!, granter: bob } })).code, 37)
  assert.is(refusal(withAuth({ ...authInfo, fee: { ...authInfo.fee!, gasLimit: 1n << 60n } })).code, 18)
})

test("sign modes, key types, multisig", () => {
  const info = authInfo.signerInfos[0]!
  const amino = refusal(withAuth({ ...authInfo, signerInfos: [{ ...info, modeInfo: { single: { mode: SignMode.SIGN_MODE_LEGACY_AMINO_JSON } } }] }))
  assert.is(amino.code, 37)
  assert.match(amino.log, /SIGN_MODE_LEGACY_AMINO_JSON is not supported, only SIGN_MODE_DIRECT/)
  assert.is(refusal(withAuth({ ...authInfo, signerInfos: [{ ...info, modeInfo: { multi: { bitarray: undefined, modeInfos: [] } } }] })).code, 37)
  const ed = refusal(withAuth({ ...authInfo, signerInfos: [{ ...info, publicKey: { typeUrl: "/cosmos.crypto.ed25519.PubKey", value: new Uint8Array(34) } }] }))
  assert.is(ed.code, 8)
  const short = refusal(withAuth({ ...authInfo, signerInfos: [{ ...info, publicKey: { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: Uint8Array.of(0x0a, 2, 3, 4) } }] }))
  assert.is(short.code, 8)
})

test("body: no messages (18), extension options (31), no signatures (15)", () => {
  assert.is(refusal(withBody({ ...body, messages: [] })).code, 18)
  assert.is(refusal(withBody({ ...body, extensionOptions: [{ typeUrl: "/x.Ext", value: new Uint8Array() }] })).code, 31)
  assert.is(refusal(TxRaw.encode({ ...signed, signatures: [] }).finish()).code, 15)
})

test("ante: timeout height (30), fee payer counts as a signer (4), signer info count (4)", async () => {
  const chain = await TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "100000" }] }] })
  const client = { timeoutHeight: 1n }
  const { SigningStargateClient } = await import("@cosmjs/stargate")
  const c = await SigningStargateClient.offline(wallet)
  const timed = await c.sign(alice, [msgSend(alice, bob, "1")], fee("2000"), "", { accountNumber: 2n, sequence: 0, chainId: "cyber-test-1" }, client.timeoutHeight)
  const r = await chain.checkTx(TxRaw.encode(timed).finish())
  assert.is(r.code, 30)
  assert.match(r.log, /^block height: 2, timeout height: 1/)
  const payer = await chain.checkTx(withAuth({ ...authInfo, fee: { ...authInfo.fee!, payer: bob } }))
  assert.equal([payer.code, payer.log], [4, "wrong number of signers; expected 2, got 1: unauthorized"])
  const infos = await chain.checkTx(withAuth({ ...authInfo, signerInfos: [] }))
  assert.equal([infos.code, infos.log], [4, "invalid number of signer;  expected: 1, got 0: unauthorized"])
})

test.run()
