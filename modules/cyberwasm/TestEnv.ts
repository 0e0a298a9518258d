/**
 * TestEnv: run CyberWasm programs without a node, for program authors' unit tests and benchmarks.
 * Deploy, call, advance blocks, inspect reserve, schedule and pages. It drives the real
 * CyberWasmMachine (same engine, metering, persistence and lifecycle) over an in-memory store,
 * with a minimal bank behind `ctx.call("bank", ...)` (send, balance, supply), per-transaction
 * rollback (a failed message leaves no state behind except gas), the end-of-block async send FIFO
 * and beginBlock scheduling.
 *
 * Usage:
 *   const env = new TestEnv()
 *   const counter = env.deploy(wasmBytes, { reserve: 1_000_000n })
 *   env.call(counter, input)            // -> Uint8Array (throws the chain error on failure)
 *   env.advance(10)                     // 10 blocks: sends drained, schedules run
 *   env.reserve(counter), env.info(counter), env.page(counter, 0), env.schedule(counter)
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import { toBech32 } from "@cosmjs/encoding"
import { InsufficientFunds, isChainError, UnknownRequest } from "../../chain/ChainError.ts"
import { sha256 } from "../../lib/Bytes.ts"
import { bankDispatcher, bankInterface, type BankHandlers } from "../../chain/generated/bank.ts"
import { GasMeter } from "../../chain/Gas.ts"
import { checkCapability, grantCapability } from "../../chain/Capabilities.ts"
import { parsePrincipal, selfAddress } from "../../chain/Principal.ts"
import { CYBERWASM_GRANTS } from "./Grants.ts"
import type { ChainCall, ExecContext, MsgContext } from "../../chain/Machine.ts"
import type { KVStore } from "../../store/KVStore.ts"
import { CyberWasmMachine } from "./CyberWasmMachine.ts"
import { MemoryKVStore } from "./internal/MemoryKVStore.ts"
import { OverlayStore } from "./internal/OverlayStore.ts"
import * as M from "./Messages.ts"
import type { CyberWasmParams } from "./Params.ts"
import { decodeInfo, decodeMessage, Keys, prefixEnd, type ProgramInfo } from "./State.ts"
import { addressBytes } from "./internal/Address.ts"

/** Options of a TestEnv. */
export interface TestEnvOptions {
  readonly params?: Partial<CyberWasmParams>
  readonly chainId?: string
  /** Print programs' `log` calls (default: collected in `env.logs`). */
  readonly printLogs?: boolean
}

/** Options of a call. */
export interface CallOptions {
  readonly sender?: string
  /** Tx gas limit (default 10,000,000). */
  readonly gas?: number
}

/** Outcome of `tryCall`. */
export interface CallOutcome {
  readonly ok: boolean
  readonly data: Uint8Array
  readonly error: string
  readonly code: number
  readonly gasUsed: number
}


/** The test environment. */
export class TestEnv {
  machine: CyberWasmMachine
  readonly chainId: string
  private readonly opts: TestEnvOptions
  /** The cyberwasm namespace. */
  readonly store = new MemoryKVStore()
  /** The toy bank's balances (key: address/denom). */
  readonly balances = new Map<string, bigint>()
  readonly events: Event[] = []
  readonly logs: Array<{ address: string; message: string }> = []
  /** Height of the block being built (transactions run in it). */
  height = 1
  private pending: ChainCall[] = []
  /** A default funded account. */
  readonly alice: string

  constructor(opts: TestEnvOptions = {}) {
    this.chainId = opts.chainId ?? "testenv-1"
    this.opts = opts
    this.machine = this.newMachine()
    this.alice = this.account("alice")
    this.fund(this.alice, 1_000_000_000_000n)
    this.beginBlock()
  }

  private newMachine(): CyberWasmMachine {
    const opts = this.opts
    return new CyberWasmMachine({
      ...(opts.params ? { params: opts.params } : {}),
      log: (address, message) => {
        this.logs.push({ address, message })
        if (opts.printLogs) process.stdout.write(`[${address}] ${message}\n`)
      }
    })
  }

  /** Simulate a node restart: a new machine (empty code and instance caches) over the same state. */
  restart(): void {
    this.machine = this.newMachine()
  }

  /** A deterministic account address for `name`. */
  account(name: string): string {
    return toBech32(this.machine.params.addressPrefix, sha256(`account/${name}`).subarray(0, 20), 1023)
  }

  /** Credit `amount` of the fee denom (or `denom`) to `address`. */
  fund(address: string, amount: bigint, denom = this.machine.params.feeDenom): void {
    const k = `${address}/${denom}`
    this.balances.set(k, (this.balances.get(k) ?? 0n) + amount)
  }

  /** Bank balance. */
  balance(address: string, denom = this.machine.params.feeDenom): bigint {
    return this.balances.get(`${address}/${denom}`) ?? 0n
  }

  private context(store: KVStore, gas: GasMeter, events: Event[], bank: Map<string, bigint>, sends: ChainCall[], principal = "machine:cyberwasm", signers: ReadonlyArray<string> = []): MsgContext {
    const height = this.height
    return {
      principal,
      txSigners: signers,
      query: (c) => this.bankCall(bank, c, principal, true, signers),
      actAs: (p) => this.context(store, gas, events, bank, sends, p, signers),
      hasMachine: (name) => name === "bank" || name === "cyberwasm",
      execute: () => {
        throw new UnknownRequest({ log: "TestEnv runs no governance authority (execute)" })
      },
      executable: () => {
        throw new UnknownRequest({ log: "TestEnv runs no governance authority (executable)" })
      },
      chainId: this.chainId,
      height,
      time: { seconds: BigInt(1_700_000_000 + height * 5), nanos: 0 },
      proposer: new Uint8Array(20),
      blockHash: sha256(`block/${height}`),
      store,
      rawStore: store,
      gas,
      emit: (e) => events.push(e),
      call: (c) => this.bankCall(bank, c, principal, false, signers),
      send: (c) => sends.push(c),
      txHash: sha256(`tx/${height}/${this.events.length}`),
      signers: [...signers]
    }
  }

  /**
   * The toy bank behind ctx.call("bank", ...): the generated bank interface (wit/chain/bank.wit)
   * over a map, so it cannot drift from the real bank's API. `readOnly` refuses state-changing
   * methods as ExecContext.query does. Balances key: address/denom.
   */
  private bankCall(bank: Map<string, bigint>, c: ChainCall, caller = "machine:cyberwasm", readOnly = false, signers: ReadonlyArray<string> = []): Uint8Array {
    if (c.target !== "bank") throw new UnknownRequest({ log: `TestEnv has no machine "${c.target}"` })
    const spec = bankInterface.methods[c.method]
    if (!spec) throw new UnknownRequest({ log: `TestEnv bank has no method ${c.method}` })
    if (readOnly && !spec.readOnly) throw new UnknownRequest({ log: `bank.${c.method} changes state: not callable as a query` })
    // the chain's check, against the genesis grants of cyberwasm and its programs (docs/capabilities.md)
    const principal = parsePrincipal(caller)
    checkCapability(this.capabilities, caller, "bank", c.method, spec.request.decode(c.body), { self: selfAddress(principal, this.machine.params.addressPrefix), signers })
    return bankDispatcher(this.toyBank(bank))(undefined, caller, c.method, c.body)
  }

  /** The capability table TestEnv checks calls against: the cyberwasm machine's genesis grants (plus grants added by a test). */
  readonly capabilities: KVStore = (() => {
    const store = new MemoryKVStore()
    for (const g of CYBERWASM_GRANTS) grantCapability(store, g)
    return store
  })()

  private toyBank(bank: Map<string, bigint>): BankHandlers<undefined> {
    const get = (k: string) => bank.get(k) ?? this.balances.get(k) ?? 0n
    const keys = () => [...new Set([...this.balances.keys(), ...bank.keys()])].sort()
    return {
      send: (_ctx, _caller, req) => {
        for (const coin of req.amount) {
          const amount = BigInt(coin.amount)
          const from = `${req.from}/${coin.denom}`
          if (get(from) < amount) throw new InsufficientFunds({ log: `${req.from} has ${get(from)}${coin.denom}, needs ${amount}${coin.denom}: insufficient funds` })
          bank.set(from, get(from) - amount)
          const to = `${req.to}/${coin.denom}`
          bank.set(to, get(to) + amount)
        }
        return {}
      },
      mint: (_ctx, _caller, req) => {
        for (const coin of req.coins) bank.set(`${req.address}/${coin.denom}`, get(`${req.address}/${coin.denom}`) + BigInt(coin.amount))
        return {}
      },
      burn: (_ctx, _caller, req) => {
        for (const coin of req.coins) {
          const k = `${req.address}/${coin.denom}`
          if (get(k) < BigInt(coin.amount)) throw new InsufficientFunds({ log: `${req.address} cannot burn ${coin.amount}${coin.denom}: insufficient funds` })
          bank.set(k, get(k) - BigInt(coin.amount))
        }
        return {}
      },
      balance: (_ctx, _caller, req) => ({ balance: { denom: req.denom, amount: get(`${req.address}/${req.denom}`).toString() } }),
      balances: (_ctx, _caller, req) => ({
        balances: keys().filter((k) => k.startsWith(`${req.address}/`) && get(k) > 0n).map((k) => ({ denom: k.slice(req.address.length + 1), amount: get(k).toString() }))
      }),
      supply: (_ctx, _caller, req) => {
        let total = 0n
        for (const k of keys()) if (k.endsWith(`/${req.denom}`)) total += get(k)
        return { amount: { denom: req.denom, amount: total.toString() } }
      }
    }
  }

  /** Run one message as a transaction: all-or-nothing, gas charged either way. */
  private tx<T>(gasLimit: number, run: (ctx: MsgContext) => T, signers: ReadonlyArray<string> = []): { value?: T; error?: unknown; gasUsed: number } {
    const overlay = new OverlayStore(this.store)
    const gas = new GasMeter(gasLimit)
    const events: Event[] = []
    const bank = new Map<string, bigint>()
    const sends: ChainCall[] = []
    try {
      const value = run(this.context(overlay, gas, events, bank, sends, "machine:cyberwasm", signers))
      overlay.commit()
      for (const [k, v] of bank) this.balances.set(k, v)
      this.events.push(...events)
      this.pending.push(...sends)
      return { value, gasUsed: gas.consumed() }
    } catch (error) {
      return { error, gasUsed: Math.min(gas.consumed(), gas.limit) }
    }
  }

  private must<T>(r: { value?: T; error?: unknown }): T {
    if (r.error !== undefined) throw r.error
    return r.value as T
  }

  /** Upload code; returns its hash. Throws ProgramRejected for invalid code. */
  upload(wasm: Uint8Array, sender = this.alice): Uint8Array {
    return this.must(this.tx(100_000_000, (ctx) => {
      const res = this.machine.handle({ ...ctx, signers: [sender] }, { typeUrl: M.TypeUrl.storeCode, value: M.MsgStoreCode.encode({ sender, wasmByteCode: wasm }) })
      return M.MsgStoreCodeResponse.decode(res.value).codeHash
    }, [sender]))
  }

  /** Upload (if bytes) and instantiate; returns the program address. */
  deploy(code: Uint8Array, opts: { input?: Uint8Array; reserve?: bigint; admin?: string; sender?: string; label?: string; gas?: number; address?: string } = {}): string {
    const sender = opts.sender ?? this.alice
    const hash = code.length === 32 ? code : this.upload(code, sender)
    return this.must(this.tx(opts.gas ?? 100_000_000, (ctx) =>
      this.machine.instantiate(ctx, sender, hash, opts.admin ?? sender, opts.input ?? new Uint8Array(), opts.reserve ?? 10_000_000n, opts.label ?? "", ctx.txHash, opts.address ?? "").address, [sender]))
  }

  /** Call a program's dispatch; returns its data or throws the chain error. */
  call(address: string, input: Uint8Array, opts: CallOptions = {}): Uint8Array {
    const r = this.tryCall(address, input, opts)
    if (!r.ok) throw this.lastError
    return r.data
  }
  private lastError: unknown

  /** Call and report the outcome (never throws for program failures). */
  tryCall(address: string, input: Uint8Array, opts: CallOptions = {}): CallOutcome {
    const sender = opts.sender ?? this.alice
    const r = this.tx(opts.gas ?? 10_000_000, (ctx) => {
      const res = this.machine.handle({ ...ctx, signers: [sender] }, { typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender, program: address, input }) })
      return M.MsgExecuteResponse.decode(res.value).data
    }, [sender])
    if (r.error !== undefined) {
      this.lastError = r.error
      const e = r.error
      return { ok: false, data: new Uint8Array(), error: isChainError(e) ? e.log : String(e), code: isChainError(e) ? e.code : 1, gasUsed: r.gasUsed }
    }
    return { ok: true, data: r.value!, error: "", code: 0, gasUsed: r.gasUsed }
  }

  /**
   * Run a call in a branch that is then discarded (as CheckTx or a simulation does): returns the
   * outcome, leaves no state behind. The live instance is moved back on the next real call.
   */
  simulate(address: string, input: Uint8Array, opts: CallOptions = {}): CallOutcome {
    const sender = opts.sender ?? this.alice
    const overlay = new OverlayStore(this.store)
    const gas = new GasMeter(opts.gas ?? 10_000_000)
    try {
      const ctx = this.context(overlay, gas, [], new Map(), [])
      const res = this.machine.handle({ ...ctx, signers: [sender] }, { typeUrl: M.TypeUrl.execute, value: M.MsgExecute.encode({ sender, program: address, input }) })
      return { ok: true, data: M.MsgExecuteResponse.decode(res.value).data, error: "", code: 0, gasUsed: gas.consumed() }
    } catch (e) {
      return { ok: false, data: new Uint8Array(), error: isChainError(e) ? e.log : String(e), code: isChainError(e) ? e.code : 1, gasUsed: gas.consumed() }
    }
  }

  /** Deposit tokens into a program's reserve; returns the new reserve. */
  deposit(address: string, amount: bigint, sender = this.alice): bigint {
    return this.must(this.tx(10_000_000, (ctx) => this.machine.deposit(ctx, sender, address, amount), [sender]))
  }

  /** Upgrade a program to new code (bytes or an uploaded hash). Throws when the upgrade fails. */
  upgrade(address: string, code: Uint8Array, input = new Uint8Array(), sender = this.alice): Uint8Array {
    const hash = code.length === 32 ? code : this.upload(code, sender)
    return this.must(this.tx(100_000_000, (ctx) => this.machine.upgrade(ctx, ctx.store, sender, address, hash, input, ctx.txHash), [sender]))
  }

  /** Read-only dispatch (nothing persisted). */
  query(address: string, input: Uint8Array): Uint8Array {
    return this.machine.dispatchReadOnly({ chainId: this.chainId, height: this.height, store: this.store, query: () => new Uint8Array(), callAs: (p, c) => this.bankCall(this.balances, c, p, true) }, address, input)
  }

  /** End the current block (drain async sends) and begin `n` new ones (schedules run). */
  advance(n = 1): void {
    for (let i = 0; i < n; i++) {
      this.endBlock()
      this.height++
      this.beginBlock()
    }
  }

  private endBlock(): void {
    for (let i = 0; i < this.pending.length && i < 10_000; i++) {
      const c = this.pending[i]!
      this.tx(Number.MAX_SAFE_INTEGER, (ctx) => this.machine.onCall(ctx, "machine:cyberwasm", c.method, c.body))
    }
    this.pending = []
  }

  private beginBlock(): void {
    this.must(this.tx(Number.MAX_SAFE_INTEGER, (ctx) => this.machine.beginBlock(ctx as ExecContext)))
  }

  /** Async messages queued for the end of this block (decoded). */
  queued() {
    return this.pending.map((c) => decodeMessage(c.body))
  }

  /** The program record. */
  info(address: string): ProgramInfo {
    const b = this.store.get(Keys.info(addressBytes(address)))
    if (!b) throw new Error(`no program at ${address}`)
    return decodeInfo(b)
  }

  /** Reserve (gas units), as of the stored record (rent settles when the program is touched). */
  reserve(address: string): bigint {
    return this.info(address).reserve
  }

  /** A stored memory page (undefined = zero page). */
  page(address: string, index: number): Uint8Array | undefined {
    return this.store.get(Keys.page(addressBytes(address), index))
  }

  /** Indices of the pages stored for a program. */
  storedPages(address: string): number[] {
    const prefix = Keys.pagePrefix(addressBytes(address))
    return [...this.store.iterate(prefix, prefixEnd(prefix))].map(([k]) => new DataView(k.buffer, k.byteOffset).getUint32(k.length - 4))
  }

  /** The program's schedule entries. */
  schedule(address: string) {
    return M.decodeScheduleList(this.machine.query({ chainId: this.chainId, height: this.height, store: this.store, query: () => new Uint8Array(), callAs: (p, c) => this.bankCall(this.balances, c, p, true) },
      M.QueryPath.schedule, M.QueryAddress.encode({ address })))
  }

  /** Events of a given type emitted so far. */
  eventsOf(type: string): Event[] {
    return this.events.filter((e) => e.type === type)
  }
}
