// Sign N MsgSend txs once (shared by every variant): $OUT/txs[TAG]-N.bin (u32 length-prefixed).
// OUT defaults to bench/out/txpath; ROOT is the checkout whose test/auth/support/Chain.ts gives the chain id and mnemonic.
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing"
import { SigningStargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { toBech32 } from "@cosmjs/encoding"
import { mkdirSync, writeFileSync } from "node:fs"
import { createHash } from "node:crypto"
const OUT = process.env.OUT ?? "bench/out/txpath"
const ROOT = process.env.ROOT!
const { CHAIN_ID, MNEMONIC } = await import(`${ROOT}/test/auth/support/Chain.ts`)
const N = Number(process.argv[2] ?? 2000)
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(MNEMONIC, { prefix: "cyber" })
const alice = (await wallet.getAccounts())[0]!.address
const client = await SigningStargateClient.offline(wallet)
const recipients = Array.from({ length: 100 }, (_, i) => toBech32("cyber", createHash("sha256").update(`r${i}`).digest().subarray(0, 20)))
mkdirSync(OUT, { recursive: true })
const parts: Buffer[] = []
for (let i = 0; i < N; i++) {
  const raw = await client.sign(alice, [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: { fromAddress: alice, toAddress: recipients[i % 100], amount: [{ denom: "boot", amount: process.env.AMOUNT ?? "1" }] } }],
    { amount: [{ denom: "boot", amount: "2000" }], gas: "200000" }, "", { accountNumber: BigInt(process.env.ACCNUM ?? 0), sequence: i, chainId: CHAIN_ID })
  const b = TxRaw.encode(raw).finish()
  const len = Buffer.alloc(4); len.writeUInt32BE(b.length)
  parts.push(len, Buffer.from(b))
}
writeFileSync(`${OUT}/txs${process.env.TAG ?? ""}-${N}.bin`, Buffer.concat(parts))
console.log("alice", alice)
