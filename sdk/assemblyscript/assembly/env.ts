// Raw imports of the CyberWasm syscall table (wit/program.wit, module "cyberwasm"), canonical ABI
// flattened: list<u8>/string -> (ptr, len); u64 -> i64; compound results -> trailing retptr.
// Use the typed wrappers in index.ts instead.

@external("cyberwasm", "self_address") export declare function self_address(ret: usize): void
@external("cyberwasm", "caller") export declare function caller(ret: usize): void
@external("cyberwasm", "origin") export declare function origin(ret: usize): void
@external("cyberwasm", "block_height") export declare function block_height(): u64
@external("cyberwasm", "block_time") export declare function block_time(): u64
@external("cyberwasm", "chain_id") export declare function chain_id(ret: usize): void
@external("cyberwasm", "tx_hash") export declare function tx_hash(ret: usize): void
@external("cyberwasm", "block_hash") export declare function block_hash(ret: usize): void
@external("cyberwasm", "call") export declare function call(tp: usize, tl: usize, ip: usize, il: usize, ret: usize): void
@external("cyberwasm", "call_with_gas") export declare function call_with_gas(tp: usize, tl: usize, ip: usize, il: usize, gas: u64, ret: usize): void
@external("cyberwasm", "send") export declare function send(tp: usize, tl: usize, ip: usize, il: usize): u64
@external("cyberwasm", "send_with_reply") export declare function send_with_reply(tp: usize, tl: usize, ip: usize, il: usize, tag: u64): u64
@external("cyberwasm", "send_delayed") export declare function send_delayed(tp: usize, tl: usize, ip: usize, il: usize, blocks: u64): u64
@external("cyberwasm", "query_machine") export declare function query_machine(mp: usize, ml: usize, pp: usize, pl: usize, dp: usize, dl: usize, ret: usize): void
@external("cyberwasm", "call_machine") export declare function call_machine(mp: usize, ml: usize, pp: usize, pl: usize, dp: usize, dl: usize, ret: usize): void
@external("cyberwasm", "schedule_periodic") export declare function schedule_periodic(every: u64, ip: usize, il: usize): u64
@external("cyberwasm", "schedule_at") export declare function schedule_at(height: u64, ip: usize, il: usize): u64
@external("cyberwasm", "schedule_delayed") export declare function schedule_delayed(blocks: u64, ip: usize, il: usize): u64
@external("cyberwasm", "cancel_schedule") export declare function cancel_schedule(id: u64): bool
@external("cyberwasm", "gas_remaining") export declare function gas_remaining(): u64
@external("cyberwasm", "gas_reserve_balance") export declare function gas_reserve_balance(): u64
@external("cyberwasm", "gas_burn_rate") export declare function gas_burn_rate(): u64
@external("cyberwasm", "deposit_to_reserve") export declare function deposit_to_reserve(amount: u64, ret: usize): void
@external("cyberwasm", "sha256") export declare function sha256(p: usize, l: usize, ret: usize): void
@external("cyberwasm", "sha512") export declare function sha512(p: usize, l: usize, ret: usize): void
@external("cyberwasm", "keccak256") export declare function keccak256(p: usize, l: usize, ret: usize): void
@external("cyberwasm", "blake2b256") export declare function blake2b256(p: usize, l: usize, ret: usize): void
@external("cyberwasm", "blake3") export declare function blake3(p: usize, l: usize, ret: usize): void
@external("cyberwasm", "ed25519_verify") export declare function ed25519_verify(mp: usize, ml: usize, sp: usize, sl: usize, kp: usize, kl: usize): bool
@external("cyberwasm", "secp256k1_verify") export declare function secp256k1_verify(mp: usize, ml: usize, sp: usize, sl: usize, kp: usize, kl: usize): bool
@external("cyberwasm", "secp256k1_recover") export declare function secp256k1_recover(mp: usize, ml: usize, sp: usize, sl: usize, recid: u8, ret: usize): void
@external("cyberwasm", "bank_send") export declare function bank_send(tp: usize, tl: usize, dp: usize, dl: usize, amount: u64, ret: usize): void
@external("cyberwasm", "bank_balance") export declare function bank_balance(op: usize, ol: usize, dp: usize, dl: usize): u64
@external("cyberwasm", "bank_total_supply") export declare function bank_total_supply(dp: usize, dl: usize): u64
@external("cyberwasm", "bank_mint") export declare function bank_mint(dp: usize, dl: usize, amount: u64, ret: usize): void
@external("cyberwasm", "bank_burn") export declare function bank_burn(dp: usize, dl: usize, amount: u64, ret: usize): void
@external("cyberwasm", "stable_read") export declare function stable_read(offset: u64, len: u32, ret: usize): void
@external("cyberwasm", "stable_write") export declare function stable_write(offset: u64, p: usize, l: usize): void
@external("cyberwasm", "stable_size") export declare function stable_size(): u64
@external("cyberwasm", "stable_grow") export declare function stable_grow(pages: u64): i64
@external("cyberwasm", "create_cyberlink") export declare function create_cyberlink(fp: usize, fl: usize, tp: usize, tl: usize, ret: usize): void
@external("cyberwasm", "query_rank") export declare function query_rank(p: usize, l: usize): u64
@external("cyberwasm", "query_backlinks") export declare function query_backlinks(p: usize, l: usize, limit: u32, ret: usize): void
@external("cyberwasm", "query_outlinks") export declare function query_outlinks(p: usize, l: usize, limit: u32, ret: usize): void
@external("cyberwasm", "emit_event") export declare function emit_event(kp: usize, kl: usize, dp: usize, dl: usize): void
@external("cyberwasm", "log") export declare function log(p: usize, l: usize): void
@external("cyberwasm", "abort") export declare function abort(p: usize, l: usize): void
@external("cyberwasm", "allow_reentry") export declare function allow_reentry(allow: bool): void
