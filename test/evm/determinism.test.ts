/**
 * Determinism of the EVM machine mixed with Cosmos txs (issue 11, "Determinism"): two independent
 * Applications (auth, bank, the evm plugin loaded by the plugin loader, each with its own worker)
 * over their own in-memory IAVL stores are fed the same seeded random blocks of CosmJS-signed bank
 * sends (to Cosmos keys and to Ethereum keys' accounts) and viem-signed Ethereum txs (legacy
 * EIP-155, EIP-2930 and EIP-1559): ERC-20 deploys, transfers, approves and transferFroms, plain value
 * transfers between Ethereum keys and to a Cosmos key's address, calls that revert, calls that run
 * out of gas, and txs with a bad nonce. Their app hashes and tx results must agree after every
 * block. Midway B is dropped and a third app C is opened over B's MemoryStorage (new machines, the
 * plugin loaded again, a fresh worker with no cached state) and continues with equal hashes.
 *
 * Then genesis is exported from A (every machine's exportGenesis over the committed snapshot, plus
 * the capability table and the registry: the app has no export path of its own), a fresh app is
 * initialised from it, and its export, the evm section first, must equal A's; both then run the
 * same next txs with the same results.
 */
import { fromBech32 } from "@cosmjs/encoding"
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { encodeDeployData, encodeFunctionData, type Abi, type Hex, type TransactionSerializable } from "viem"
import { Application } from "../../chain/Application.ts"
import type { Machine } from "../../chain/Machine.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { loadPlugin } from "../../node/Plugins.ts"
import type { EvmMachine } from "../../plugins/evm/Evm.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import type { CommitMultiStore } from "../../store/KVStore.ts"
import { accountOf, appState, block, CHAIN_ID, hex, initChain, makeKeys, prng, signSend, type Key } from "../registry/registryChain.ts"
import { exportAppState } from "../machines/support/Probe.ts"
import { EVM_CHAIN_ID, EVM_DIR, ethEvent, ethKeys, evmQuery, openEvmChain, type EthKey } from "./fixtures/evmChain.ts"
import { contracts } from "./fixtures/solidity.ts"

const BLOCKS = 80
const REOPEN_AT = 40
const FUNDS = 1_000_000_000_000n
const OPTS = { bech32Prefix: "cyber", bondDenom: "boot" }

interface App {
  readonly app: Application
  readonly store: CommitMultiStore
  readonly evm: EvmMachine
}

/** An app over `memory` (fresh or holding a committed chain): new machines, the plugin loaded again. */
const open = async (memory: MemoryStorage): Promise<App> => {
  const evm = (await loadPlugin(EVM_DIR, OPTS)).machine as EvmMachine
  const auth = new AuthMachine({ minGasPrices: "0.001boot" })
  const machines: Machine[] = [auth, new BankMachine({}), evm]
  const store = await openCommitMultiStore({ memory, namespaces: Application.namespaces() })
  return { app: new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth }), store, evm }
}

/** app_state: Cosmos keys funded by appState, Ethereum keys' accounts funded in boot and volt. */
const genesis = (keys: ReadonlyArray<Key>, eth: ReadonlyArray<EthKey>): Record<string, unknown> => {
  const state = appState(keys) as { bank: { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }>; supply?: Array<{ denom: string; amount: string }> } }
  for (const k of eth) state.bank.balances.push({ address: k.bech32, coins: [{ denom: "boot", amount: FUNDS.toString() }, { denom: "volt", amount: "1000" }] })
  for (const c of state.bank.supply ?? []) {
    if (c.denom === "boot") c.amount = (BigInt(c.amount) + FUNDS * BigInt(eth.length)).toString()
    if (c.denom === "volt") c.amount = (BigInt(c.amount) + 1000n * BigInt(eth.length)).toString()
  }
  return state as unknown as Record<string, unknown>
}

const raw = (signed: Hex): Uint8Array => new Uint8Array(Buffer.from(signed.slice(2), "hex"))
/** The 0x address of a Cosmos key's 20 account bytes (an account with no Ethereum key). */
const hexOf = (k: Key): Hex => `0x${hex(fromBech32(k.address, 90).data)}`

type Kind = "cosmos-send" | "cosmos-to-eth" | "value" | "value-to-cosmos" | "deploy" | "transfer" | "approve" | "transfer-from" | "revert" | "out-of-gas" | "bad-nonce"

test("random blocks of mixed Cosmos and Ethereum txs: two apps agree on every app hash, a third reopened midway continues; genesis export round-trips", async () => {
  const keys = await makeKeys(3)
  const eth = ethKeys(4)
  const { Token } = contracts()
  const abi = Token!.abi as Abi
  const rnd = prng(20261203)
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)]!
  const state = genesis(keys, eth)

  const a = await open(new MemoryStorage())
  const memB = new MemoryStorage()
  let b = await open(memB)
  const apps: App[] = [a, b]
  try {
    await initChain(a.app, state)
    await initChain(b.app, state)

    const tokens: Hex[] = []
    const approvals: Array<{ owner: number; spender: number; token: Hex }> = []
    const results = new Map<Kind, { ok: number; reverted: number; refused: number }>()
    const txTypes = new Set<string>()
    const sign = async (i: number, tx: TransactionSerializable): Promise<Uint8Array> => raw(await eth[i]!.account.signTransaction(tx))
    /** A signed tx of key `i` at `nonce`, of a random type (legacy EIP-155, EIP-2930, EIP-1559). */
    const ethTx = (i: number, nonce: number, body: { to?: Hex; data?: Hex; value?: bigint; gas: bigint }): Promise<Uint8Array> => {
      const r = rnd()
      const common = { chainId: EVM_CHAIN_ID, nonce, gas: body.gas, ...(body.to ? { to: body.to } : {}), ...(body.data ? { data: body.data } : {}), ...(body.value ? { value: body.value } : {}) }
      if (r < 0.25) return sign(i, { ...common, type: "legacy", gasPrice: 3n })
      if (r < 0.5) return sign(i, { ...common, type: "eip2930", gasPrice: 2n, accessList: [] })
      return sign(i, { ...common, type: "eip1559", maxFeePerGas: 5n, maxPriorityFeePerGas: BigInt(Math.floor(rnd() * 3)) })
    }
    const nonceOf = async (i: number): Promise<number> => Number((await evmQuery(a.app, "Account", { address: eth[i]!.account.address })).nonce)
    const otherEth = (i: number): number => (i + 1 + Math.floor(rnd() * (eth.length - 1))) % eth.length

    for (let height = 1; height <= BLOCKS; height++) {
      if (height === REOPEN_AT) {
        // B "restarts": its machines and worker are dropped, C opens B's committed storage
        await b.evm.close()
        b = await open(memB)
        apps.push(b)
      }
      const txs: Uint8Array[] = []
      const kinds: Kind[] = []
      if (height === 1) {
        // key 0 deploys the first token; the others get some of it below through transfers
        txs.push(await sign(0, { chainId: EVM_CHAIN_ID, type: "eip1559", nonce: 0, gas: 2_000_000n, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: ["Token 0", "T0", 1_000_000_000n] }) }))
        kinds.push("deploy")
      } else {
        const actors = [...keys.map((k) => ({ cosmos: k })), ...eth.map((_, i) => ({ eth: i }))]
        const n = Math.floor(rnd() * 6)
        for (let t = 0; t < n && actors.length > 0; t++) {
          const actor = actors.splice(Math.floor(rnd() * actors.length), 1)[0]!
          if ("cosmos" in actor) {
            const toEth = rnd() < 0.5
            const to = toEth ? pick(eth).bech32 : pick(keys).address
            const volt = rnd() < 0.3
            txs.push(await signSend(actor.cosmos, to, volt ? "volt" : "boot", String(1 + Math.floor(rnd() * (volt ? 20 : 100_000))), await accountOf(a.app, actor.cosmos.address)))
            kinds.push(toEth ? "cosmos-to-eth" : "cosmos-send")
            continue
          }
          const i = actor.eth
          const nonce = await nonceOf(i)
          const token = pick(tokens)
          const r = rnd()
          let kind: Kind
          let tx: Uint8Array
          if (r < 0.12) {
            kind = "value"
            tx = await ethTx(i, nonce, { to: eth[otherEth(i)]!.account.address, value: BigInt(1 + Math.floor(rnd() * 1_000_000)), gas: 21_000n })
          } else if (r < 0.22) {
            kind = "value-to-cosmos"
            tx = await ethTx(i, nonce, { to: hexOf(pick(keys)), value: BigInt(1 + Math.floor(rnd() * 1_000_000)), gas: 21_000n })
          } else if (r < 0.28) {
            kind = "deploy"
            tx = await ethTx(i, nonce, { data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: [`Token ${tokens.length}`, `T${tokens.length}`, BigInt(1 + Math.floor(rnd() * 1e9))] }), gas: 2_000_000n })
          } else if (r < 0.5) {
            kind = "transfer"
            // key 0 holds the supply; the others send what they may or may not have (then it reverts)
            const to = rnd() < 0.8 ? eth[otherEth(i)]!.account.address : hexOf(pick(keys))
            const amount = BigInt(1 + Math.floor(rnd() * (i === 0 ? 1_000_000 : 2_000)))
            tx = await ethTx(i, nonce, { to: token, data: encodeFunctionData({ abi, functionName: "transfer", args: [to, amount] }), gas: 200_000n })
          } else if (r < 0.62) {
            kind = "approve"
            const spender = otherEth(i)
            tx = await ethTx(i, nonce, { to: token, data: encodeFunctionData({ abi, functionName: "approve", args: [eth[spender]!.account.address, BigInt(Math.floor(rnd() * 5_000))] }), gas: 200_000n })
            approvals.push({ owner: i, spender, token })
          } else if (r < 0.76) {
            kind = "transfer-from"
            // mostly an allowance someone gave this key; otherwise one nobody gave (reverts)
            const mine = approvals.filter((x) => x.spender === i)
            const g = mine.length > 0 && rnd() < 0.8 ? pick(mine) : { owner: otherEth(i), token }
            tx = await ethTx(i, nonce, {
              to: g.token, data: encodeFunctionData({ abi, functionName: "transferFrom", args: [eth[g.owner]!.account.address, pick(eth).account.address, BigInt(1 + Math.floor(rnd() * 1_000))] }), gas: 200_000n
            })
          } else if (r < 0.84) {
            kind = "revert"
            // transfer to the zero address: require(to != address(0)) reverts with a reason
            tx = await ethTx(i, nonce, { to: token, data: encodeFunctionData({ abi, functionName: "transfer", args: ["0x0000000000000000000000000000000000000000", 1n] }), gas: 200_000n })
          } else if (r < 0.9) {
            kind = "out-of-gas"
            // enough for the intrinsic gas, not for the storage writes of a transfer
            tx = await ethTx(i, nonce, { to: token, data: encodeFunctionData({ abi, functionName: "transfer", args: [eth[otherEth(i)]!.account.address, 1n] }), gas: 26_000n })
          } else {
            kind = "bad-nonce"
            const bad = nonce > 0 && rnd() < 0.5 ? nonce - 1 : nonce + 1 + Math.floor(rnd() * 3)
            tx = await ethTx(i, bad, { to: eth[otherEth(i)]!.account.address, value: 1n, gas: 21_000n })
          }
          txs.push(tx)
          kinds.push(kind)
        }
      }

      const ra = await block(a.app, height, txs)
      const rb = await block(b.app, height, txs)
      assert.is(hex(rb.appHash), hex(ra.appHash), `app hash after block ${height}`)
      assert.equal(rb.txResults.map((t) => [t.code, t.gasUsed]), ra.txResults.map((t) => [t.code, t.gasUsed]), `tx codes and gas at ${height}`)
      assert.equal(rb.txResults.map((t) => t.events), ra.txResults.map((t) => t.events), `tx events at ${height}`)
      ra.txResults.forEach((r, k) => {
        const kind = kinds[k]!
        const tally = results.get(kind) ?? { ok: 0, reverted: 0, refused: 0 }
        results.set(kind, tally)
        if (r.code !== 0) {
          tally.refused++
          return
        }
        if (kind.startsWith("cosmos")) {
          tally.ok++
          return
        }
        const ev = ethEvent(ra, k)
        txTypes.add(ev.tx_type!)
        if (ev.status === "1") tally.ok++
        else tally.reverted++
        if (kind === "deploy" && ev.status === "1") tokens.push(ev.contract_address as Hex)
        if (kind === "revert") assert.is(ev.revert_reason, "ERC20: transfer to the zero address", `revert reason at ${height}`)
      })
    }

    // the random blocks did what they were meant to
    const got = Object.fromEntries(results)
    const want = (kind: Kind, what: "ok" | "reverted" | "refused") => assert.ok((results.get(kind)?.[what] ?? 0) > 0, `some ${kind} txs ${what}: ${JSON.stringify(got)}`)
    for (const kind of ["cosmos-send", "cosmos-to-eth", "value", "value-to-cosmos", "transfer", "approve", "transfer-from"] as const) want(kind, "ok")
    assert.ok((results.get("deploy")?.ok ?? 0) >= 2, `more than one token deployed: ${JSON.stringify(got)}`)
    want("transfer", "reverted")
    want("transfer-from", "reverted")
    assert.equal(results.get("revert"), { ok: 0, reverted: results.get("revert")!.reverted, refused: 0 }, "transfers to the zero address revert")
    assert.ok(results.get("revert")!.reverted > 0)
    assert.equal(results.get("out-of-gas"), { ok: 0, reverted: results.get("out-of-gas")!.reverted, refused: 0 }, "underfunded gas limits run out (status 0, code 0)")
    assert.ok(results.get("out-of-gas")!.reverted > 0)
    assert.equal(results.get("bad-nonce"), { ok: 0, reverted: 0, refused: results.get("bad-nonce")!.refused }, "bad nonces are refused")
    assert.ok(results.get("bad-nonce")!.refused > 0)
    assert.equal([...txTypes].sort(), ["0", "1", "2"], "legacy, EIP-2930 and EIP-1559 txs executed")

    // genesis export from A, a fresh app initialised from it, its export equal (the evm section first)
    const exported = await exportAppState(a, CHAIN_ID)
    const evmSection = exported.evm as { accounts: Array<{ code: string; storage: unknown[] }> }
    assert.ok(evmSection.accounts.filter((x) => x.code !== "0x" && x.storage.length > 0).length >= 2, "the export holds the tokens' code and storage")
    const d = await open(new MemoryStorage())
    apps.push(d)
    await initChain(d.app, exported)
    await block(d.app, 1, [])
    const again = await exportAppState(d, CHAIN_ID)
    assert.equal(again.evm, exported.evm, "the evm section round-trips")
    assert.equal(again, exported, "the whole app_state round-trips")
    for (const addr of [eth[0]!.account.address, eth[1]!.account.address, tokens[0]!]) {
      assert.equal(await evmQuery(d.app, "Account", { address: addr }), await evmQuery(a.app, "Account", { address: addr }), `account ${addr} after import`)
    }
    // both run the same next txs alike (app hashes differ: IAVL node versions start again at 1)
    const next = [
      await sign(0, { chainId: EVM_CHAIN_ID, type: "eip1559", nonce: await nonceOf(0), gas: 200_000n, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, to: tokens[0]!, data: encodeFunctionData({ abi, functionName: "transfer", args: [eth[3]!.account.address, 7n] }) }),
      await sign(1, { chainId: EVM_CHAIN_ID, type: "eip1559", nonce: await nonceOf(1), gas: 21_000n, maxFeePerGas: 5n, maxPriorityFeePerGas: 1n, to: eth[2]!.account.address, value: 5n })
    ]
    const strip = (r: ResponseFinalizeBlock) => r.txResults.map((t) => ({ code: t.code, gasUsed: t.gasUsed, events: t.events }))
    const ra = await block(a.app, BLOCKS + 1, next)
    const rd = await block(d.app, 2, next)
    assert.equal(strip(rd), strip(ra), "the imported chain runs the next txs as the exporter does")
    assert.is(ethEvent(ra, 0).status, "1")
  } finally {
    for (const x of apps) await x.evm.close().catch(() => undefined)
  }
})

test("refused Ethereum txs carry the codes docs/evm.md gives (nonce 3, funds 5, intrinsic gas 11) and change nothing; an unknown query path is UnknownRequest (6)", async () => {
  // A gets the refused txs, B the same blocks empty: their app hashes must stay equal
  const [a, b] = [await openEvmChain(), await openEvmChain()]
  try {
    await a.next([])
    await b.next([])
    const to = a.eth[1]!.account.address
    const cases: Array<[string, number, Uint8Array]> = [
      ["a nonce already used", 3, await a.sign(0, { nonce: 5, gas: 21_000n, to, value: 1n })],
      ["too little balance for gas x max fee + value", 5, await a.sign(0, { nonce: 0, gas: 21_000n, to, value: 10n ** 13n })],
      ["a gas limit below the intrinsic gas", 11, await a.sign(0, { nonce: 0, gas: 20_000n, to, value: 1n })]
    ]
    const got: string[] = []
    for (const [what, code, tx] of cases) {
      const ra = await a.next([tx])
      const rb = await b.next([])
      const r = ra.txResults[0]!
      assert.is.not(r.code, 0, `${what}: refused`)
      assert.is(hex(ra.appHash), hex(rb.appHash), `${what}: refused, so nothing changed`)
      if (r.code !== code) got.push(`${what}: code ${r.code}, want ${code} (log: ${r.log.slice(0, 90)}…)`)
    }
    const q = await a.app.query({ path: "/cyberkernel.evm.v1.Query/NoSuchMethod", data: new Uint8Array(), height: 0n, prove: false })
    if (q.code !== 6) got.push(`unknown query path: code ${q.code}, want 6 (plugins/evm/internal/Queries.ts doc)`)
    assert.equal(got, [], got.join("\n"))
  } finally {
    await a.close()
    await b.close()
  }
})

test.run()
