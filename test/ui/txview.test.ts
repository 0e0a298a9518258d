/**
 * node/ui/internal/TxView.ts: a TxRaw's body decoded for the dashboard (messages as SDK JSON, big
 * bytes fields summarised, fee and memo), and bytes that are not a TxRaw shown as their size,
 * never a throw.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createHash } from "node:crypto"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { AuthInfo, TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import * as W from "../../modules/cyberwasm/Messages.ts"
import { txView } from "../../node/ui/internal/TxView.ts"

const rawTx = (messages: Array<{ typeUrl: string; value: Uint8Array }>, memo = "") =>
  TxRaw.encode({
    bodyBytes: TxBody.encode(TxBody.fromPartial({ messages, memo })).finish(),
    authInfoBytes: AuthInfo.encode(AuthInfo.fromPartial({ fee: { amount: [{ denom: "boot", amount: "373" }], gasLimit: 200_000n }, signerInfos: [{ sequence: 7n }] })).finish(),
    signatures: [new Uint8Array(64)]
  }).finish()

test("a TxRaw: fee, memo, sequences, a bank send as SDK JSON, a code upload summarised", () => {
  const wasm = new Uint8Array(1000).fill(7)
  const v = txView(rawTx([
    { typeUrl: MsgSend.typeUrl, value: MsgSend.encode({ fromAddress: "cyber1a", toAddress: "cyber1b", amount: [{ denom: "boot", amount: "5" }] }).finish() },
    { typeUrl: W.TypeUrl.storeCode, value: W.MsgStoreCode.encode({ sender: "cyber1a", wasmByteCode: wasm }) },
    { typeUrl: "/unknown.Msg", value: new Uint8Array([1, 2, 3]) }
  ], "hi"))
  assert.is(v.format, "cosmos")
  assert.is(v.memo, "hi")
  assert.equal(v.fee, { amount: [{ denom: "boot", amount: "373" }], gasLimit: "200000", payer: "", granter: "" })
  assert.equal(v.signerSequences, ["7"])
  assert.equal(v.messages[0], { "@type": MsgSend.typeUrl, from_address: "cyber1a", to_address: "cyber1b", amount: [{ denom: "boot", amount: "5" }] })
  assert.equal(v.messages[1], { "@type": W.TypeUrl.storeCode, sender: "cyber1a", wasmByteCode: `<1000 bytes, sha256 ${createHash("sha256").update(wasm).digest("hex")}>` })
  assert.equal(v.messages[2], { "@type": "/unknown.Msg", "@value": "010203" })
})

test("bytes that are not a TxRaw: format other with their size, no throw", () => {
  assert.equal(txView(new Uint8Array([0xf8, 0x6c, 1, 2])), { format: "other", bytes: 4, messages: [] })
  assert.equal(txView(new Uint8Array([0x0a, 0xff, 0xff])), { format: "other", bytes: 3, messages: [] })
  assert.equal(txView(new Uint8Array()), { format: "other", bytes: 0, messages: [] })
})

test.run()
