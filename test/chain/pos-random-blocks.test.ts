/**
 * Determinism of proof of stake, governance and plugin activation: two independent Applications
 * (auth, bank, distribution, gov, staking, and the hello plugin's code loaded inert) are fed the
 * same 300 random blocks of sends, staking (create validator, delegate, undelegate, redelegate),
 * reward withdrawals, governance (proposals that activate hello, spend from the gov account, update
 * staking params; deposits; votes) and MsgHello. Their app hashes must agree after every block; B is
 * closed and reopened from its stored state at block 150 (a fresh process: new machines, new
 * Application, the plugin loaded again). The test also asserts that the random blocks really did
 * these things (validators created, unbondings paid, proposals passed and failed, hello activated).
 */
import { DirectSecp256k1Wallet, Registry, type GeneratedType } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate"
import { sha256 } from "@noble/hashes/sha2.js"
import { toBech32 } from "@cosmjs/encoding"
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx"
import { QueryParamsRequest, QueryParamsResponse } from "cosmjs-types/cosmos/staking/v1beta1/query"
import type { Params } from "cosmjs-types/cosmos/staking/v1beta1/staking"
import { MsgUpdateParams } from "cosmjs-types/cosmos/staking/v1beta1/tx"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import type { Any } from "cosmjs-types/google/protobuf/any"
import type { ResponseFinalizeBlock } from "cosmjs-types/tendermint/abci/types"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { Application } from "../../chain/Application.ts"
import { authorityMsgFromJSON } from "../../chain/Authority.ts"
import type { Machine } from "../../chain/Machine.ts"
import { moduleAccountBytes } from "../../chain/Principal.ts"
import { listRecords, REGISTRY_NAMESPACE } from "../../chain/Registry.ts"
import { toHex } from "../../lib/Bytes.ts"
import { AuthMachine } from "../../modules/auth/Auth.ts"
import { BankMachine } from "../../modules/bank/Bank.ts"
import { DistributionMachine } from "../../modules/distribution/Distribution.ts"
import { GovMachine } from "../../modules/gov/Gov.ts"
import { StakingMachine } from "../../modules/staking/Staking.ts"
import { activationProposal, installPlugin, loadPlugin } from "../../node/Plugins.ts"
import { pluginHost } from "../../plugins/Host.ts"
import { helloCodecs, type MsgHello } from "../../plugins/hello/Codecs.ts"
import { MSG_HELLO } from "../../plugins/hello/Hello.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { createValidatorMsg, delegateMsg, redelegateMsg, undelegateMsg } from "../staking/msgs.ts"
import { bondedPool, consKey, stakingGenesis, valoper } from "../staking/support.ts"
import { depositMsg, submitMsg, voteMsg } from "../gov/support/GovChain.ts"
import { accountOf, appState, CHAIN_ID, initChain, prng } from "../registry/registryChain.ts"

const BLOCKS = 300
const REOPEN_AT = 150
const OPTS = { bech32Prefix: "cyber", bondDenom: "boot" }
const GOV = toBech32("cyber", moduleAccountBytes("gov"))
const DEPOSIT = 10_000_000n
const HELLO_DIR = new URL("../../plugins/hello", import.meta.url).pathname
const codecs = helloCodecs(pluginHost)

const MsgHelloType: GeneratedType = {
  encode: (m: MsgHello) => ({ finish: () => codecs.msgHello.encode(m) }),
  decode: (b: Uint8Array) => codecs.msgHello.decode(b),
  fromPartial: (o: Partial<MsgHello>) => ({ sender: o.sender ?? "", text: o.text ?? "" })
} as unknown as GeneratedType

interface Key {
  readonly address: string
  readonly signer: SigningStargateClient
  readonly cons: Uint8Array
}

const makeKeys = async (n: number): Promise<Key[]> => {
  const registry = new Registry([...defaultRegistryTypes, [MSG_HELLO, MsgHelloType]])
  const out: Key[] = []
  for (let i = 0; i < n; i++) {
    const wallet = await DirectSecp256k1Wallet.fromKey(sha256(new TextEncoder().encode(`pos key ${i}`)), "cyber")
    const address = (await wallet.getAccounts())[0]!.address
    out.push({ address, signer: await SigningStargateClient.offline(wallet, { registry }), cons: consKey(`pos ${i}`) })
  }
  return out
}

const open = async (memory: MemoryStorage, helloDir: string): Promise<Application> => {
  const auth = new AuthMachine({ minGasPrices: "0.001boot" })
  const hello = (await loadPlugin(helloDir, OPTS)).machine
  const machines: Machine[] = [auth, new BankMachine({}), new DistributionMachine(OPTS), new GovMachine(OPTS), new StakingMachine(OPTS), hello]
  const store = await openCommitMultiStore({ memory, namespaces: Application.namespaces() })
  return new Application({ chainId: CHAIN_ID, store, machines, pipeline: auth })
}

const finalize = async (app: Application, height: number, txs: Uint8Array[]): Promise<ResponseFinalizeBlock> => {
  const hash = sha256(new TextEncoder().encode(`block ${height}`))
  const res = await app.finalizeBlock({
    txs, decidedLastCommit: { round: 0, votes: [] }, misbehavior: [], hash, height: BigInt(height),
    time: { seconds: 1_767_225_600n + BigInt(height), nanos: 0 }, nextValidatorsHash: new Uint8Array(32), proposerAddress: new Uint8Array(20)
  })
  await app.commit()
  return res
}

test("300 random blocks of staking, distribution, gov and plugin activation: two apps agree at every height, one reopened midway", async () => {
  const home = mkdtempSync(join(tmpdir(), "ck-pos-random-"))
  try {
    const installed = await installPlugin(HELLO_DIR, home, OPTS)
    const keys = await makeKeys(6)
    const rnd = prng(20261202)
    const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(rnd() * xs.length)]!
    const amount = (max: number) => BigInt(1 + Math.floor(rnd() * max))

    // genesis: keys 0 and 1 validate (5M and 3M bonded); gov periods 20 s (20 blocks), unbonding 30 s
    const g0 = stakingGenesis(keys[0]!.address, keys[0]!.cons, 5_000_000n, 30n)
    const g1 = stakingGenesis(keys[1]!.address, keys[1]!.cons, 3_000_000n, 30n)
    const state = appState(keys.map((k) => ({ address: k.address, signer: k.signer })), {
      staking: { ...g0, validators: [...g0.validators, ...g1.validators], delegations: [...g0.delegations, ...g1.delegations] },
      gov: { params: { max_deposit_period: "20s", voting_period: "20s" } },
      registry: { machines: ["auth", "bank", "distribution", "gov", "staking"].map((name) => ({ name })) }
    })
    const bank = state.bank as { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> }
    bank.balances.push({ address: bondedPool, coins: [{ denom: "boot", amount: "8000000" }] })

    const memB = new MemoryStorage()
    const a = await open(new MemoryStorage(), installed.dir)
    let b = await open(memB, installed.dir)
    const ia = await initChain(a, state)
    const ib = await initChain(b, state)
    assert.is(ia.validators.length, 2, "staking returns the genesis validators to InitChain")
    assert.equal(ib.validators, ia.validators)

    const validators = [keys[0]!, keys[1]!].map((k) => valoper(k.address))
    const isValidator = new Set([keys[0]!.address, keys[1]!.address])
    let proposals = 0
    let stakingParams: Params | undefined // genesis params, read after the first commit
    const proposalMsgs = (height: number): Any[] => {
      const r = rnd()
      if (r < 0.4) return [] // filled below (async)
      if (r < 0.6) return [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: GOV, toAddress: pick(keys).address, amount: [{ denom: "boot", amount: String(amount(5000)) }] }).finish() }]
      if (r < 0.8) {
        return [{ typeUrl: "/cosmos.staking.v1beta1.MsgUpdateParams", value: MsgUpdateParams.encode({ authority: GOV, params: { ...stakingParams!, maxValidators: 2 + Math.floor(rnd() * 4) } }).finish() }]
      }
      void height
      return [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: keys[0]!.address, toAddress: GOV, amount: [{ denom: "boot", amount: "1" }] }).finish() }]
    }

    // a recent proposal id (most votes and deposits land while the proposal is open)
    const recent = () => BigInt(Math.max(1, proposals - Math.floor(rnd() * 3)))
    const results: Record<string, { ok: number; failed: number }> = {}
    const record = (kind: string, code: number) => {
      const r = (results[kind] ??= { ok: 0, failed: 0 })
      if (code === 0) r.ok++
      else r.failed++
    }
    const events = new Set<string>()

    for (let height = 1; height <= BLOCKS; height++) {
      if (height === REOPEN_AT) b = await open(memB, installed.dir) // B "restarts" from its committed state
      if (height === 2) {
        stakingParams = QueryParamsResponse.decode((await a.query({ path: "/cosmos.staking.v1beta1.Query/Params", data: QueryParamsRequest.encode({}).finish(), height: 0n, prove: false })).value).params!
        assert.is(stakingParams.unbondingTime?.seconds, 30n)
      }
      const txs: Uint8Array[] = []
      const kinds: string[] = []
      const pool = [...keys]
      const n = height === 1 ? 0 : Math.floor(rnd() * 4)
      for (let i = 0; i < n; i++) {
        const key = pool.splice(Math.floor(rnd() * pool.length), 1)[0]!
        const r = rnd()
        let kind: string
        let msgs: Any[]
        if (r < 0.08) {
          kind = "send"
          msgs = [{ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: MsgSend.encode({ fromAddress: key.address, toAddress: pick(keys).address, amount: [{ denom: "boot", amount: String(amount(1000)) }] }).finish() }]
        } else if (r < 0.28) {
          kind = "delegate"
          msgs = [delegateMsg(key.address, pick(validators), amount(2_000_000))]
        } else if (r < 0.38) {
          kind = "undelegate"
          msgs = [undelegateMsg(key.address, pick(validators), amount(600_000))]
        } else if (r < 0.46) {
          kind = "redelegate"
          msgs = [redelegateMsg(key.address, pick(validators), pick(validators), amount(600_000))]
        } else if (r < 0.5 && !isValidator.has(key.address)) {
          kind = "create-validator"
          msgs = [createValidatorMsg(key.address, key.cons, amount(3_000_000))]
          isValidator.add(key.address)
          validators.push(valoper(key.address))
        } else if (r < 0.58) {
          kind = "withdraw"
          msgs = [{
            typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward",
            value: (await import("cosmjs-types/cosmos/distribution/v1beta1/tx")).MsgWithdrawDelegatorReward.encode({ delegatorAddress: key.address, validatorAddress: pick(validators) }).finish()
          }]
        } else if (r < 0.68) {
          kind = "propose"
          let inner = proposalMsgs(height)
          if (inner.length === 0) {
            const json = await activationProposal(installed.dir, { ...OPTS, height: height + 30, deposit: "1boot", genesis: { greetings: [{ address: key.address, text: `from proposal at ${height}` }] } })
            inner = [authorityMsgFromJSON((json.messages as Array<Record<string, unknown>>)[0]!)]
          }
          // half the proposals start below min deposit and need a MsgDeposit
          msgs = [submitMsg(key.address, inner, rnd() < 0.5 ? DEPOSIT : DEPOSIT / 2n)]
          proposals++
        } else if (r < 0.74 && proposals > 0) {
          kind = "deposit"
          msgs = [depositMsg(key.address, recent(), DEPOSIT / 2n)]
        } else if (r < 0.9 && proposals > 0) {
          kind = "vote"
          // mostly yes, so that proposals pass; validators' votes carry their delegators
          const option = rnd() < 0.75 ? 1 : 1 + Math.floor(rnd() * 4)
          msgs = [voteMsg(key.address, recent(), option)]
        } else {
          kind = "hello"
          msgs = [{ typeUrl: MSG_HELLO, value: codecs.msgHello.encode({ sender: key.address, text: `gm ${height}` }) }]
        }
        const acc = await accountOf(a, key.address)
        const raw = await key.signer.sign(key.address, msgs.map((m) => ({ typeUrl: m.typeUrl, value: key.signer.registry.decode(m) })), { amount: [{ denom: "boot", amount: "600" }], gas: "600000" }, "", {
          accountNumber: BigInt(acc.accountNumber), sequence: acc.sequence, chainId: CHAIN_ID
        })
        txs.push(TxRaw.encode(raw).finish())
        kinds.push(kind)
      }
      const ra = await finalize(a, height, txs)
      const rb = await finalize(b, height, txs)
      assert.is(toHex(rb.appHash), toHex(ra.appHash), `app hash after block ${height}`)
      assert.equal(rb.txResults.map((t) => t.code), ra.txResults.map((t) => t.code), `tx codes at ${height}`)
      assert.equal(rb.validatorUpdates, ra.validatorUpdates, `validator updates at ${height}`)
      ra.txResults.forEach((t, i) => record(kinds[i]!, t.code))
      for (const e of ra.events) {
        if (e.type === "active_proposal" || e.type === "machine_activated" || e.type === "complete_unbonding") {
          events.add(`${e.type}:${e.attributes.find((x) => x.key === "proposal_result")?.value ?? ""}`)
        }
      }
      if (ra.validatorUpdates.length > 0) events.add("validator_updates")
    }

    // the random blocks exercised what they were meant to
    for (const kind of ["send", "delegate", "undelegate", "redelegate", "create-validator", "withdraw", "propose", "deposit", "vote", "hello"]) {
      assert.ok((results[kind]?.ok ?? 0) > 0, `some ${kind} txs succeeded: ${JSON.stringify(results)}`)
    }
    assert.ok((results.hello?.failed ?? 0) > 0, "MsgHello is refused before hello is active")
    const helloRec = listRecords((a as unknown as { opts: { store: { store(n: string): never } } }).opts.store.store(REGISTRY_NAMESPACE)).find((r) => r.name === "hello")
    assert.is(helloRec?.status, "active", "a proposal activated hello")
    assert.ok(events.has("machine_activated:"), `events: ${[...events].join(", ")}`)
    assert.ok(events.has("complete_unbonding:"), `an unbonding matured: ${[...events].join(", ")}`)
    assert.ok(events.has("validator_updates"), "validator power changed")
    assert.ok([...events].some((e) => e.startsWith("active_proposal:proposal_passed")), `a proposal passed: ${[...events].join(", ")}`)
    assert.ok([...events].some((e) => e.startsWith("active_proposal:proposal_failed") || e.startsWith("active_proposal:proposal_rejected")), `a proposal failed or was rejected: ${[...events].join(", ")}`)
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
})

test.run()
