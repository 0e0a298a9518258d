// CyberWasm SDK for AssemblyScript: typed wrappers over the syscall table (wit/program.wit) and
// helpers for the three entry points. A program:
//
//   import { Program, bytesToString, stringToBytes } from "../assembly"
//   export { cabi_realloc } from "../assembly"
//   export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
//     return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => input)
//   }
//
// Build with `npm run sdk:build` (asc flags: --runtime incremental --exportStart _initialize
// --use abort=... , no floats used by the SDK). Linear memory and globals persist between calls:
// a top-level `const map = new Map<string, string>()` keeps its contents across calls.
import * as env from "./env"

// ---- memory helpers ----

const RET: usize = memory.data(16)

/** Allocator export the host uses to pass lists into the program (canonical ABI). */
export function cabi_realloc(old: usize, oldSize: usize, align: usize, newSize: usize): usize {
  if (old == 0) return heap.alloc(newSize)
  return heap.realloc(old, newSize)
}

function takeList(at: usize): Uint8Array {
  const ptr = load<u32>(at)
  const len = load<u32>(at, 4)
  const out = new Uint8Array(len)
  memory.copy(out.dataStart, ptr, len)
  heap.free(ptr)
  return out
}

/** UTF-8 bytes of a string. */
export function stringToBytes(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s))
}
/** String of UTF-8 bytes. */
export function bytesToString(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, b.length)
}

@inline function sp(s: ArrayBuffer): usize { return changetype<usize>(s) }

/** A result<list<u8>, string> from the host. */
export class HostResult {
  constructor(public ok: bool, public data: Uint8Array, public error: string) {}
}

function takeResult(): HostResult {
  const disc = load<u8>(RET)
  const data = takeList(RET + 4)
  if (disc == 0) return new HostResult(true, data, "")
  return new HostResult(false, new Uint8Array(0), bytesToString(data))
}
function takeUnit(): string | null {
  const disc = load<u8>(RET)
  if (disc == 0) return null
  return bytesToString(takeList(RET + 4))
}

// ---- context ----

export function selfAddress(): string { env.self_address(RET); return bytesToString(takeList(RET)) }
export function caller(): string { env.caller(RET); return bytesToString(takeList(RET)) }
export function origin(): string { env.origin(RET); return bytesToString(takeList(RET)) }
export function blockHeight(): u64 { return env.block_height() }
export function blockTime(): u64 { return env.block_time() }
export function chainId(): string { env.chain_id(RET); return bytesToString(takeList(RET)) }
export function txHash(): Uint8Array { env.tx_hash(RET); return takeList(RET) }
export function blockHash(): Uint8Array { env.block_hash(RET); return takeList(RET) }

// ---- inter-program ----

/** Synchronous call of another program's dispatch. */
export function call(target: string, input: Uint8Array): HostResult {
  const t = String.UTF8.encode(target)
  env.call(sp(t), t.byteLength, input.dataStart, input.length, RET)
  return takeResult()
}
export function callWithGas(target: string, input: Uint8Array, gas: u64): HostResult {
  const t = String.UTF8.encode(target)
  env.call_with_gas(sp(t), t.byteLength, input.dataStart, input.length, gas, RET)
  return takeResult()
}
export function send(target: string, input: Uint8Array): u64 {
  const t = String.UTF8.encode(target)
  return env.send(sp(t), t.byteLength, input.dataStart, input.length)
}
export function sendWithReply(target: string, input: Uint8Array, tag: u64): u64 {
  const t = String.UTF8.encode(target)
  return env.send_with_reply(sp(t), t.byteLength, input.dataStart, input.length, tag)
}
export function sendDelayed(target: string, input: Uint8Array, blocks: u64): u64 {
  const t = String.UTF8.encode(target)
  return env.send_delayed(sp(t), t.byteLength, input.dataStart, input.length, blocks)
}

// ---- cross-machine ----

/** Read-only method `method` of `machine`'s WIT interface, called as this program (request: the method's record, protobuf). */
export function queryMachine(machine: string, method: string, body: Uint8Array): HostResult {
  const m = String.UTF8.encode(machine)
  const p = String.UTF8.encode(method)
  env.query_machine(sp(m), m.byteLength, sp(p), p.byteLength, body.dataStart, body.length, RET)
  return takeResult()
}
/**
 * Method `method` of `machine`'s WIT interface (wit/chain/<machine>.wit), called as this program:
 * refused unless the program holds the capability and its constraints hold.
 */
export function callMachine(machine: string, method: string, body: Uint8Array): HostResult {
  const m = String.UTF8.encode(machine)
  const p = String.UTF8.encode(method)
  env.call_machine(sp(m), m.byteLength, sp(p), p.byteLength, body.dataStart, body.length, RET)
  return takeResult()
}

// ---- scheduling ----

export function schedulePeriodic(every: u64, input: Uint8Array): u64 { return env.schedule_periodic(every, input.dataStart, input.length) }
export function scheduleAt(height: u64, input: Uint8Array): u64 { return env.schedule_at(height, input.dataStart, input.length) }
export function scheduleDelayed(blocks: u64, input: Uint8Array): u64 { return env.schedule_delayed(blocks, input.dataStart, input.length) }
export function cancelSchedule(id: u64): bool { return env.cancel_schedule(id) }

// ---- gas and economics ----

export function gasRemaining(): u64 { return env.gas_remaining() }
export function gasReserveBalance(): u64 { return env.gas_reserve_balance() }
export function gasBurnRate(): u64 { return env.gas_burn_rate() }
/** Move tokens from this program's bank balance into its reserve; the error text or null. */
export function depositToReserve(amount: u64): string | null { env.deposit_to_reserve(amount, RET); return takeUnit() }

// ---- crypto ----

export function sha256(data: Uint8Array): Uint8Array { env.sha256(data.dataStart, data.length, RET); return takeList(RET) }
export function sha512(data: Uint8Array): Uint8Array { env.sha512(data.dataStart, data.length, RET); return takeList(RET) }
export function keccak256(data: Uint8Array): Uint8Array { env.keccak256(data.dataStart, data.length, RET); return takeList(RET) }
export function blake2b256(data: Uint8Array): Uint8Array { env.blake2b256(data.dataStart, data.length, RET); return takeList(RET) }
export function blake3(data: Uint8Array): Uint8Array { env.blake3(data.dataStart, data.length, RET); return takeList(RET) }
export function ed25519Verify(message: Uint8Array, signature: Uint8Array, pubkey: Uint8Array): bool {
  return env.ed25519_verify(message.dataStart, message.length, signature.dataStart, signature.length, pubkey.dataStart, pubkey.length)
}
export function secp256k1Verify(hash: Uint8Array, signature: Uint8Array, pubkey: Uint8Array): bool {
  return env.secp256k1_verify(hash.dataStart, hash.length, signature.dataStart, signature.length, pubkey.dataStart, pubkey.length)
}
/** Recovered compressed public key, or null. */
export function secp256k1Recover(hash: Uint8Array, signature: Uint8Array, recoveryId: u8): Uint8Array | null {
  env.secp256k1_recover(hash.dataStart, hash.length, signature.dataStart, signature.length, recoveryId, RET)
  if (load<u8>(RET) == 0) return null
  return takeList(RET + 4)
}

// ---- bank ----

export function bankSend(to: string, denom: string, amount: u64): string | null {
  const t = String.UTF8.encode(to)
  const d = String.UTF8.encode(denom)
  env.bank_send(sp(t), t.byteLength, sp(d), d.byteLength, amount, RET)
  return takeUnit()
}
export function bankBalance(owner: string, denom: string): u64 {
  const o = String.UTF8.encode(owner)
  const d = String.UTF8.encode(denom)
  return env.bank_balance(sp(o), o.byteLength, sp(d), d.byteLength)
}
export function bankTotalSupply(denom: string): u64 {
  const d = String.UTF8.encode(denom)
  return env.bank_total_supply(sp(d), d.byteLength)
}
export function bankMint(denom: string, amount: u64): string | null {
  const d = String.UTF8.encode(denom)
  env.bank_mint(sp(d), d.byteLength, amount, RET)
  return takeUnit()
}
export function bankBurn(denom: string, amount: u64): string | null {
  const d = String.UTF8.encode(denom)
  env.bank_burn(sp(d), d.byteLength, amount, RET)
  return takeUnit()
}

// ---- stable memory ----

export function stableRead(offset: u64, len: u32): Uint8Array { env.stable_read(offset, len, RET); return takeList(RET) }
export function stableWrite(offset: u64, data: Uint8Array): void { env.stable_write(offset, data.dataStart, data.length) }
export function stableSize(): u64 { return env.stable_size() }
export function stableGrow(pages: u64): i64 { return env.stable_grow(pages) }

// ---- graph ----

export function createCyberlink(from: string, to: string): string | null {
  const f = String.UTF8.encode(from)
  const t = String.UTF8.encode(to)
  env.create_cyberlink(sp(f), f.byteLength, sp(t), t.byteLength, RET)
  return takeUnit()
}
export function queryRank(particle: string): u64 {
  const p = String.UTF8.encode(particle)
  return env.query_rank(sp(p), p.byteLength)
}
export function queryBacklinks(particle: string, limit: u32): string {
  const p = String.UTF8.encode(particle)
  env.query_backlinks(sp(p), p.byteLength, limit, RET)
  return bytesToString(takeList(RET))
}
export function queryOutlinks(particle: string, limit: u32): string {
  const p = String.UTF8.encode(particle)
  env.query_outlinks(sp(p), p.byteLength, limit, RET)
  return bytesToString(takeList(RET))
}

// ---- events, diagnostics ----

export function emitEvent(kind: string, data: Uint8Array): void {
  const k = String.UTF8.encode(kind)
  env.emit_event(sp(k), k.byteLength, data.dataStart, data.length)
}
export function log(message: string): void {
  const m = String.UTF8.encode(message)
  env.log(sp(m), m.byteLength)
}
/** Abort the call: effects rolled back, gas charged. */
export function fail(message: string): void {
  const m = String.UTF8.encode(message)
  env.abort(sp(m), m.byteLength)
  unreachable()
}
export function allowReentry(allow: bool): void { env.allow_reentry(allow) }

/** The abort handler the build installs (`--use abort=...`): forwards to the host's abort. */
export function cyberwasmAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  let m = message ? message : "abort"
  if (fileName) m = m + " at " + fileName + ":" + line.toString() + ":" + column.toString()
  fail(m)
}

// ---- entry points ----

/** Result of a dispatch handler: data, or an error string (effects rolled back). */
export class Outcome {
  constructor(public ok: bool, public data: Uint8Array, public error: string) {}
  static ok(data: Uint8Array): Outcome { return new Outcome(true, data, "") }
  static err(error: string): Outcome { return new Outcome(false, new Uint8Array(0), error) }
}

let lastOutput: Uint8Array = new Uint8Array(0)

/** Entry-point plumbing: read the input the host placed at (ptr, len), run the handler, return the result area. */
export class Program {
  static input(ptr: usize, len: usize): Uint8Array {
    const input = new Uint8Array(<i32>len)
    memory.copy(input.dataStart, ptr, len)
    heap.free(ptr)
    return input
  }
  static result(out: Outcome): usize {
    lastOutput = out.ok ? out.data : stringToBytes(out.error)
    store<u8>(RET, out.ok ? 0 : 1)
    store<u32>(RET, <u32>lastOutput.dataStart, 4)
    store<u32>(RET, <u32>lastOutput.length, 8)
    return RET
  }
  /** Run `handler(input)` and return its data as ok. */
  static dispatch(ptr: usize, len: usize, handler: (input: Uint8Array) => Uint8Array): usize {
    return Program.result(Outcome.ok(handler(Program.input(ptr, len))))
  }
  /** Run `handler(input)` returning an Outcome (ok or err). */
  static dispatchOutcome(ptr: usize, len: usize, handler: (input: Uint8Array) => Outcome): usize {
    return Program.result(handler(Program.input(ptr, len)))
  }
}

/** True when `input` is a reply envelope (send_with_reply): 0xff 'R' tag:u64be ok:u8 data. */
export function isReply(input: Uint8Array): bool {
  return input.length >= 11 && input[0] == 0xff && input[1] == 0x52
}
export function replyTag(input: Uint8Array): u64 {
  let t: u64 = 0
  for (let i = 2; i < 10; i++) t = (t << 8) | <u64>input[i]
  return t
}
export function replyOk(input: Uint8Array): bool { return input[10] == 1 }
export function replyData(input: Uint8Array): Uint8Array { return input.slice(11) }

/** Little-endian u64 codec helpers for small programs. */
export function u64ToBytes(v: u64): Uint8Array {
  const out = new Uint8Array(8)
  store<u64>(out.dataStart, v)
  return out
}
export function bytesToU64(b: Uint8Array): u64 {
  if (b.length < 8) return 0
  return load<u64>(b.dataStart)
}
