/**
 * The lean transaction path (issue 15 item 3): a tx is decoded once and shared by CheckTx and
 * FinalizeBlock (modules/auth/internal/DecodedTxs.ts), sign bytes and tx hash are computed once
 * per decoded tx, decoded accounts are kept by their stored bytes. These caches may change only
 * how fast a result comes: the tests check that results, errors, limits and state stay those of
 * a chain that decodes everything afresh.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { TxBody, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { accountKey, accountToAny, getAccount, setAccount, type Account } from "../../modules/auth/Accounts.ts"
import { Any as AnyCodec } from "cosmjs-types/google/protobuf/any"
import { parseAddress } from "../../modules/auth/Address.ts"
import { decodeCached, decodedTxsHeld, txKey } from "../../modules/auth/internal/DecodedTxs.ts"
import type { AuthDecodedTx } from "../../modules/auth/TxDecoder.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { CHAIN_ID, fee, makeWallet, msgSend, signTx, TestChain } from "../auth/support/Chain.ts"
import { KnownAccounts, signatureChecks } from "../../modules/auth/SignatureChecks.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { readAmount } from "../../modules/bank/internal/Balances.ts"

const { wallet, addresses } = await makeWallet(3)
const [alice, bob, carol] = addresses as [string, string, string]
const funded = () => TestChain.start({ balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000" }] }, { address: bob, coins: [{ denom: "boot", amount: "1000000" }] }] })
const accountNumberOf = async (chain: TestChain, address: string) => {
  const snap = await chain.store.snapshot()
  return Number(getAccount(snap.store("auth"), parseAddress(address, "cyber"))!.base.accountNumber)
}

test("the same bytes decode to one shared object; a reused input buffer does not change it", async () => {
  const chain = await funded()
  const bytes = await signTx(wallet, alice, [msgSend(alice, carol, "5")], fee("2000"), { accountNumber: await accountNumberOf(chain, alice), sequence: 0 })
  const a = chain.auth.decode(new Uint8Array(bytes))
  const b = chain.auth.decode(new Uint8Array(bytes))
  assert.ok(a === b, "a second decode of equal bytes returns the decoded tx of the first")
  // first seen in a buffer the caller then reuses for something else: the kept tx is unaffected
  const next = await signTx(wallet, alice, [msgSend(alice, carol, "6")], fee("2000"), { accountNumber: await accountNumberOf(chain, alice), sequence: 1 })
  const buf = new Uint8Array(next)
  const c = chain.auth.decode(buf)
  buf.fill(0)
  const d = chain.auth.decode(new Uint8Array(next))
  assert.ok(c === d)
  assert.equal([...d.bytes], [...next])
  assert.equal([...d.msgs[0]!.value], [...TxBody.decode(TxRaw.decode(next).bodyBytes).messages[0]!.value])
  const results = await chain.block([bytes, next])
  assert.equal(results.map((r) => r.code), [0, 0], results.map((r) => r.log).join(" / "))
})

test("undecodable bytes are refused every time (errors are never cached)", async () => {
  const chain = await funded()
  const bad = TxRaw.encode({ bodyBytes: Uint8Array.of(0x0a, 0x7f), authInfoBytes: new Uint8Array(), signatures: [] }).finish()
  for (let i = 0; i < 3; i++) {
    const r = await chain.checkTx(bad)
    assert.is(r.code, 2)
    assert.match(r.log, /invalid TxBody/)
  }
})

test("a size limit is each node's own: a tx decoded by a node with a larger limit is still refused by a smaller one", async () => {
  const chain = await funded()
  const bytes = await signTx(wallet, alice, [msgSend(alice, carol, "5")], fee("2000"), { accountNumber: await accountNumberOf(chain, alice), sequence: 0 })
  assert.is((await chain.checkTx(bytes)).code, 0) // decoded and kept by the large-limit node
  const small = new AuthMachine({ maxTxBytes: bytes.length - 1 })
  try {
    small.decode(bytes)
    assert.unreachable("the smaller limit must refuse")
  } catch (e) {
    assert.is((e as { code: number }).code, 21)
  }
})

test("CheckTx then FinalizeBlock: same results and app hash as a chain that never saw the txs in CheckTx", async () => {
  const warm = await funded()
  const alices = await accountNumberOf(warm, alice)
  const bobs = await accountNumberOf(warm, bob)
  const txs: Uint8Array[] = []
  for (let i = 0; i < 6; i++) {
    txs.push(await signTx(wallet, alice, [msgSend(alice, carol, String(i + 1))], fee("2000"), { accountNumber: alices, sequence: i }))
    txs.push(await signTx(wallet, bob, [msgSend(bob, i % 2 ? alice : carol, "7")], fee("2000"), { accountNumber: bobs, sequence: i }))
  }
  // an overdraw and a wrong sequence: refused the same way by both chains
  txs.push(await signTx(wallet, carol, [msgSend(carol, alice, "1")], fee("2000"), { accountNumber: 0, sequence: 0 }))
  txs.push(await signTx(wallet, alice, [msgSend(alice, bob, "1")], fee("2000"), { accountNumber: alices, sequence: 99 }))
  for (const tx of txs.slice(0, 12)) assert.is((await warm.checkTx(new Uint8Array(tx))).code, 0)
  const a = await warm.block(txs.map((t) => new Uint8Array(t)))
  const cold = await funded()
  const b = await cold.block(txs)
  assert.equal(a.map((r) => [r.code, r.gasUsed, r.log, r.events]), b.map((r) => [r.code, r.gasUsed, r.log, r.events]))
  assert.equal(a.map((r) => [...r.data]), b.map((r) => [...r.data]))
  assert.is(warm.appHash(), cold.appHash())
  assert.ok(a.slice(0, 12).every((r) => r.code === 0))
  assert.ok(a[12]!.code !== 0 && a[13]!.code === 32, `${a[12]!.log} / ${a[13]!.log}`)
  // a replay of a committed tx is refused (its sequence is spent), cached decode or not
  const replay = await warm.block([txs[0]!])
  assert.is(replay[0]!.code, 32)
})

test("CheckTx runs a tx's messages in its ante branch: a tx refused by its second message leaves no write of the first, its fee or its sequence", async () => {
  const chain = await funded()
  const n = await accountNumberOf(chain, alice)
  // the first message moves 600,000 of alice's 1,000,000, the second overdraws
  const refused = await signTx(wallet, alice, [msgSend(alice, bob, "600000"), msgSend(alice, carol, "600000")], fee("2000"), { accountNumber: n, sequence: 0 })
  const r = await chain.checkTx(refused)
  assert.is(r.code, 5, r.log)
  // sequence 0 again, and all but the fee: admitted only if the check state kept nothing of the refused tx
  const all = await signTx(wallet, alice, [msgSend(alice, carol, "998000")], fee("2000"), { accountNumber: n, sequence: 0 })
  const ok = await chain.checkTx(all)
  assert.is(ok.code, 0, ok.log)
  // and that tx's own writes stayed: alice's balance is gone, her sequence 0 spent
  const broke = await signTx(wallet, alice, [msgSend(alice, carol, "1")], fee("2000"), { accountNumber: n, sequence: 1 })
  assert.is((await chain.checkTx(broke)).code, 5)
  const refill = await signTx(wallet, bob, [msgSend(bob, alice, "10000")], fee("2000"), { accountNumber: await accountNumberOf(chain, bob), sequence: 0 })
  assert.is((await chain.checkTx(refill)).code, 0)
  const replay = await signTx(wallet, alice, [msgSend(alice, carol, "2")], fee("2000"), { accountNumber: n, sequence: 0 })
  assert.is((await chain.checkTx(replay)).code, 32)
  assert.is((await chain.checkTx(broke)).code, 0)
})

test("decoded accounts by stored bytes: a read after a write gives what decoding the bytes gives", async () => {
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["auth"] })
  const kv = store.store("auth")
  const addr = parseAddress(alice, "cyber")
  setAccount(kv, addr, { base: { address: alice, pubKey: undefined, accountNumber: 7n, sequence: 3n } })
  const first = getAccount(kv, addr)!
  assert.equal(first, { base: { address: alice, pubKey: undefined, accountNumber: 7n, sequence: 3n } })
  setAccount(kv, addr, { base: { ...first.base, sequence: 4n } })
  assert.is(getAccount(kv, addr)!.base.sequence, 4n)
  assert.is(first.base.sequence, 3n, "an account read earlier is not changed by a later write")
  // a module account (not kept at write) reads back with its name and permissions
  const mod = parseAddress(bob, "cyber")
  setAccount(kv, mod, { base: { address: bob, pubKey: undefined, accountNumber: 1n, sequence: 0n }, module: { name: "m", permissions: ["burner"] } })
  assert.equal(getAccount(kv, mod)!.module, { name: "m", permissions: ["burner"] })
})

test("signature checks derived through the decode cache equal those derived from the raw bytes, digest included", async () => {
  const chain = await funded()
  const an = await accountNumberOf(chain, alice)
  const txs = [
    await signTx(wallet, alice, [msgSend(alice, carol, "5")], fee("2000"), { accountNumber: an, sequence: 0 }),
    await signTx(wallet, alice, [msgSend(alice, carol, "6")], fee("2000"), { accountNumber: an, sequence: 1 }, "memo")
  ]
  const view = (await chain.store.snapshot()).store("auth")
  for (const tx of txs) {
    const viaCache = chain.auth.signatureChecks(tx, view, CHAIN_ID)
    const raw = signatureChecks(tx, view, CHAIN_ID, 1 << 20, new KnownAccounts())
    assert.is(viaCache.length, 1)
    assert.equal(viaCache.map((c) => [c.scheme, [...c.pubkey], [...c.message], [...c.signature]]), raw.map((c) => [c.scheme, [...c.pubkey], [...c.message], [...c.signature]]))
    assert.equal([...viaCache[0]!.digest!], [...sha256(viaCache[0]!.message)])
  }
  // bytes that do not decode give no check on either path; a tx that fails full decoding gives none
  assert.equal(chain.auth.signatureChecks(Uint8Array.of(1, 2, 3), view, CHAIN_ID), [])
  const noFee = TxRaw.encode({ ...TxRaw.decode(txs[0]!), bodyBytes: TxBody.encode({ ...TxBody.decode(TxRaw.decode(txs[0]!).bodyBytes), messages: [] }).finish() }).finish()
  assert.equal(chain.auth.signatureChecks(noFee, view, CHAIN_ID), [])
  const results = await chain.block(txs)
  assert.equal(results.map((r) => r.code), [0, 0])
})

test("an account is stored as exactly Any.encode(accountToAny(account)) gives", async () => {
  const store = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["auth"] })
  const kv = store.store("auth")
  const addr = parseAddress(alice, "cyber")
  const pubKey = { typeUrl: "/cosmos.crypto.secp256k1.PubKey", value: Uint8Array.of(0x0a, 33, ...new Uint8Array(33).fill(2)) }
  const cases: Account[] = [
    { base: { address: "", pubKey: undefined, accountNumber: 0n, sequence: 0n } },
    { base: { address: alice, pubKey: undefined, accountNumber: 0n, sequence: 0n } },
    { base: { address: "", pubKey: undefined, accountNumber: 5n, sequence: 0n } },
    { base: { address: alice, pubKey, accountNumber: 7n, sequence: 2n ** 40n } },
    { base: { address: alice, pubKey: { typeUrl: "", value: new Uint8Array() }, accountNumber: 1n, sequence: 1n } },
    { base: { address: bob, pubKey: undefined, accountNumber: 3n, sequence: 0n }, module: { name: "fee_collector", permissions: [] } }
  ]
  for (const acc of cases) {
    setAccount(kv, addr, acc)
    assert.equal([...kv.get(accountKey(addr))!], [...AnyCodec.encode(accountToAny(acc)).finish()], JSON.stringify(acc, (_k, v) => typeof v === "bigint" ? String(v) : v))
  }
})

test("balance amounts read from stored bytes: what BigInt of their text gives, or its error", () => {
  const enc = new TextEncoder()
  const cases = ["", "0", "7", "007", "123456789012345", "1234567890123456", "999999999999999", "340282366920938463463374607431768211455", " 5", "5 ", "1e3", "-1", "0x10"]
  for (const text of cases) {
    let want: bigint | string
    try {
      want = BigInt(text)
    } catch (e) {
      want = (e as Error).constructor.name
    }
    let got: bigint | string
    try {
      got = readAmount(enc.encode(text))
    } catch (e) {
      got = (e as Error).constructor.name
    }
    assert.is(got, want, JSON.stringify(text))
  }
  assert.is(readAmount(undefined), 0n)
})

test("the decode cache stays bounded in entries and bytes; large txs are never kept", () => {
  // a stand-in decoder (the cache only keeps what it returns): counts the decodes
  let decodes = 0
  const fake = (b: Uint8Array) => {
    decodes++
    return { bytes: b } as unknown as AuthDecodedTx
  }
  const input = (i: number, size: number) => {
    const b = new Uint8Array(size)
    new DataView(b.buffer).setUint32(0, i)
    b[4] = size >> 8
    return b
  }
  for (let i = 0; i < 20_000; i++) decodeCached(input(i, 300), fake)
  assert.ok(decodedTxsHeld().txs <= 16_384, `held ${decodedTxsHeld().txs} txs`)
  for (let i = 0; i < 3_000; i++) decodeCached(input(i, 4_096), fake)
  assert.ok(decodedTxsHeld().bytes <= 8 * 1024 * 1024, `held ${decodedTxsHeld().bytes} bytes`)
  // the newest are kept, the oldest went first
  decodes = 0
  decodeCached(input(2_999, 4_096), fake)
  assert.is(decodes, 0)
  decodeCached(input(0, 300), fake)
  assert.is(decodes, 1)
  // above 4 KiB: decoded every time
  decodes = 0
  for (let i = 0; i < 3; i++) decodeCached(input(1, 5_000), fake)
  assert.is(decodes, 3)
})

test("the decode cache never answers one tx with another's decode: two txs with the same 31-bit key each get their own", () => {
  // find two different 300-byte inputs with the same key (birthday search, deterministic inputs)
  const input = (i: number) => {
    const b = new Uint8Array(300)
    new DataView(b.buffer).setUint32(296, i)
    return b
  }
  const seen = new Map<number, number>()
  let pair: [Uint8Array, Uint8Array] | undefined
  for (let i = 0; !pair; i++) {
    const k = txKey(input(i))
    const j = seen.get(k)
    if (j !== undefined) pair = [input(j), input(i)]
    else seen.set(k, i)
  }
  const [a, b] = pair
  assert.is(txKey(a), txKey(b))
  assert.not.equal([...a], [...b])
  let decodes = 0
  const decode = (bytes: Uint8Array) => {
    decodes++
    return { bytes: new Uint8Array(bytes) } as unknown as AuthDecodedTx
  }
  const held0 = decodedTxsHeld()
  const da = decodeCached(a, decode)
  assert.equal([...decodeCached(a, decode).bytes], [...a])
  assert.is(decodes, 1)
  // b collides with a: decoded (not a's answer), and replaces it
  const db = decodeCached(b, decode)
  assert.is(decodes, 2)
  assert.equal([...db.bytes], [...b])
  assert.ok(db !== da)
  assert.equal([...decodeCached(a, decode).bytes], [...a])
  assert.is(decodes, 3)
  // the replaced tx's bytes left the total: one entry for the key, its bytes counted once
  assert.ok(decodedTxsHeld().bytes - held0.bytes <= 300 && decodedTxsHeld().txs - held0.txs <= 1)
})

test.run()
