/**
 * The EVM's view of chain state inside the EVM worker (plugins/evm/internal/Worker.ts): an
 * @ethereumjs StateManagerInterface whose unread entries are loaded from the machine through the
 * synchronous bridge (accounts with bank balances, code, storage) and whose writes stay here, in
 * a journal that checkpoint/commit/revert walk, until the job hands the net changes back ({@link
 * WorkerState.changes}). Nothing in the chain's store changes before the machine applies them.
 *
 * Source: @ethereumjs/common StateManagerInterface (v10); SimpleStateManager semantics, journaled
 * instead of copying maps per checkpoint.
 */
import { Account, bytesToHex, createAddressFromString, KECCAK256_NULL, KECCAK256_RLP, type Address } from "@ethereumjs/util"
import type { StateManagerInterface } from "@ethereumjs/common"
import { keccak_256 as keccak256 } from "@noble/hashes/sha3.js"

/** An account as the machine serves it: nonce, balance (wei = base units of the EVM denom), code hash. */
export interface LoadedAccount {
  readonly nonce: bigint
  readonly balance: bigint
  readonly codeHash: Uint8Array
  /** False when the chain has neither an EVM record nor a balance for it. */
  readonly exists: boolean
}

/** Synchronous loads from the machine (the bridge). Addresses and slots are lowercase hex without 0x. */
export interface StateLoader {
  account(address: string): LoadedAccount
  code(address: string): Uint8Array
  storage(address: string, slot: string): Uint8Array
}

/** Net changes of a job, applied by the machine (plugins/evm/internal/Apply.ts). */
export interface StateChanges {
  /** Touched accounts; `balance0` is the balance the chain served (0 for one never loaded). */
  readonly accounts: ReadonlyArray<{ address: string; nonce: bigint; balance: bigint; balance0: bigint; codeHash: Uint8Array; deleted: boolean }>
  /** Code set by the job, by address. */
  readonly code: ReadonlyArray<{ address: string; code: Uint8Array }>
  /** Addresses whose whole storage was cleared (before the `storage` writes). */
  readonly cleared: ReadonlyArray<string>
  /** Storage writes: 32-byte slot -> value (empty or all zero = delete). */
  readonly storage: ReadonlyArray<{ address: string; slot: string; value: Uint8Array }>
  /** Addresses whose code ran in the job (call targets and created contracts): the accounts whose coins the EVM may move besides the sender's. */
  readonly ran: ReadonlyArray<string>
}

type Undo = () => void
const NONE = Symbol("none")
const hex = (a: Address): string => a.toString().slice(2).toLowerCase()
const slotHex = (key: Uint8Array): string => bytesToHex(key).slice(2).padStart(64, "0")

const copy = (a: Account): Account => new Account(a.nonce, a.balance, a.storageRoot, a.codeHash)

/** A journaled state for one job (one transaction or call). */
export class WorkerState implements StateManagerInterface {
  private readonly loader: StateLoader
  /** What the chain served: the state at the start of the job (also the "original" storage values). */
  private readonly baseAccounts = new Map<string, LoadedAccount>()
  private readonly baseStorage = new Map<string, Uint8Array>()
  private readonly baseCode = new Map<string, Uint8Array>()
  /** Current values written by the job. `null` account: deleted. */
  private readonly accounts = new Map<string, Account | null>()
  private readonly code = new Map<string, Uint8Array>()
  private readonly storage = new Map<string, Uint8Array>()
  private readonly cleared = new Set<string>()
  private readonly journal: Undo[][] = []
  /** Journal depths at which a precompile changed another machine's state (not undoable here). */
  private readonly effects: number[] = []
  /** Set when a frame holding such a change reverted: the job's effects can no longer be consistent. */
  tainted = false
  private readonly executed = new Set<string>()

  /** Record that `address`'s code ran (a call target or a created contract). */
  ran(address: string): void {
    this.executed.add(address)
  }

  readonly originalStorageCache: { get(address: Address, key: Uint8Array): Promise<Uint8Array>; clear(): void }

  constructor(loader: StateLoader) {
    this.loader = loader
    this.originalStorageCache = {
      get: async (address, key) => this.base(hex(address), slotHex(key)),
      clear: () => undefined
    }
  }

  private record<K, V>(map: Map<K, V>, key: K): void {
    const top = this.journal[this.journal.length - 1]
    if (!top) return
    const prior = map.has(key) ? map.get(key)! : NONE
    top.push(() => {
      if (prior === NONE) map.delete(key)
      else map.set(key, prior as V)
    })
  }

  private loaded(address: string): LoadedAccount {
    let a = this.baseAccounts.get(address)
    if (!a) this.baseAccounts.set(address, (a = this.loader.account(address)))
    return a
  }

  private base(address: string, slot: string): Uint8Array {
    const key = address + slot
    let v = this.baseStorage.get(key)
    if (v === undefined) this.baseStorage.set(key, (v = this.loader.storage(address, slot)))
    return v
  }

  async getAccount(address: Address): Promise<Account | undefined> {
    const a = hex(address)
    const cur = this.accounts.get(a)
    if (cur !== undefined) return cur === null ? undefined : copy(cur)
    const l = this.loaded(a)
    return l.exists ? new Account(l.nonce, l.balance, KECCAK256_RLP, l.codeHash) : undefined
  }

  async putAccount(address: Address, account?: Account): Promise<void> {
    const a = hex(address)
    this.loaded(a) // the served balance is the baseline of the balance change
    this.record(this.accounts, a)
    this.accounts.set(a, account === undefined ? null : copy(account))
  }

  async deleteAccount(address: Address): Promise<void> {
    const a = hex(address)
    this.loaded(a)
    this.record(this.accounts, a)
    this.accounts.set(a, null)
    this.record(this.code, a)
    this.code.set(a, new Uint8Array())
    // a deleted account keeps no storage (EIP-6780 deletes a contract created in the same tx):
    // its address must be as fresh as one never used, or a later CREATE2 there would collide
    await this.clearStorage(address)
  }

  async modifyAccountFields(address: Address, fields: { nonce?: bigint; balance?: bigint; storageRoot?: Uint8Array; codeHash?: Uint8Array }): Promise<void> {
    const acc = (await this.getAccount(address)) ?? new Account()
    if (fields.nonce !== undefined) acc.nonce = fields.nonce
    if (fields.balance !== undefined) acc.balance = fields.balance
    if (fields.storageRoot !== undefined) acc.storageRoot = fields.storageRoot
    if (fields.codeHash !== undefined) acc.codeHash = fields.codeHash
    await this.putAccount(address, acc)
  }

  async putCode(address: Address, value: Uint8Array): Promise<void> {
    const a = hex(address)
    this.record(this.code, a)
    this.code.set(a, value)
    await this.modifyAccountFields(address, { codeHash: value.length === 0 ? KECCAK256_NULL : keccak256(value) })
  }

  async getCode(address: Address): Promise<Uint8Array> {
    const a = hex(address)
    const cur = this.code.get(a)
    if (cur !== undefined) return cur
    let c = this.baseCode.get(a)
    if (c === undefined) {
      const l = this.loaded(a)
      c = l.exists && !equal(l.codeHash, KECCAK256_NULL) ? this.loader.code(a) : new Uint8Array()
      this.baseCode.set(a, c)
    }
    return c
  }

  async getCodeSize(address: Address): Promise<number> {
    return (await this.getCode(address)).length
  }

  async getStorage(address: Address, key: Uint8Array): Promise<Uint8Array> {
    const a = hex(address)
    const k = a + slotHex(key)
    const cur = this.storage.get(k)
    if (cur !== undefined) return cur
    if (this.cleared.has(a)) return new Uint8Array()
    return this.base(a, slotHex(key))
  }

  async putStorage(address: Address, key: Uint8Array, value: Uint8Array): Promise<void> {
    const k = hex(address) + slotHex(key)
    this.record(this.storage, k)
    this.storage.set(k, value)
  }

  async clearStorage(address: Address): Promise<void> {
    const a = hex(address)
    const top = this.journal[this.journal.length - 1]
    if (!this.cleared.has(a)) {
      this.cleared.add(a)
      top?.push(() => this.cleared.delete(a))
    }
    for (const k of [...this.storage.keys()]) {
      if (k.startsWith(a)) {
        this.record(this.storage, k)
        this.storage.delete(k)
      }
    }
  }

  async checkpoint(): Promise<void> {
    this.journal.push([])
  }

  async commit(): Promise<void> {
    // an effect of the committed frame now belongs to its parent
    for (let i = 0; i < this.effects.length; i++) if (this.effects[i]! >= this.journal.length) this.effects[i] = this.journal.length - 1
    const top = this.journal.pop()
    const parent = this.journal[this.journal.length - 1]
    // undo entries fold into the parent: reverting it must undo this frame's writes too
    if (top && parent) parent.push(...top)
  }

  /** Record that a precompile just changed another machine's state (bank send) in the current frame. */
  noteEffect(): void {
    this.effects.push(this.journal.length)
  }

  async revert(): Promise<void> {
    if (this.effects.some((d) => d >= this.journal.length)) this.tainted = true
    const top = this.journal.pop()
    if (top) for (let i = top.length - 1; i >= 0; i--) top[i]!()
  }

  async getStateRoot(): Promise<Uint8Array> {
    return KECCAK256_RLP // no trie: the chain's app hash commits EVM state (docs/evm.md)
  }
  async setStateRoot(): Promise<void> {}
  async hasStateRoot(): Promise<boolean> {
    return true
  }
  clearCaches(): void {}
  shallowCopy(): StateManagerInterface {
    return new WorkerState(this.loader)
  }

  /** Net changes, in address / slot order (deterministic). */
  changes(): StateChanges {
    const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
    return {
      accounts: sorted(this.accounts).map(([address, acc]) => ({
        address,
        nonce: acc?.nonce ?? 0n,
        balance: acc?.balance ?? 0n,
        balance0: this.baseAccounts.get(address)?.balance ?? 0n,
        codeHash: acc?.codeHash ?? KECCAK256_NULL,
        deleted: acc === null
      })),
      code: sorted(this.code).map(([address, code]) => ({ address, code })),
      cleared: [...this.cleared].sort(),
      storage: sorted(this.storage).map(([k, value]) => ({ address: k.slice(0, 40), slot: k.slice(40), value })),
      ran: [...this.executed].sort()
    }
  }
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i])

/** Parse a hex address (no 0x) into an @ethereumjs Address. */
export const addressOf = (hexAddress: string): Address => createAddressFromString(`0x${hexAddress}`)
