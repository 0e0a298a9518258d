/** @module Interface cyberkernel:program/host@0.1.0 **/
/**
 * ---- identity and context ----
 * This program's address.
 */
export function selfAddress(): Address;
/**
 * The immediate caller: the signer of the transaction, the calling program, or the program
 * itself for scheduled runs.
 */
export function caller(): Address;
/**
 * The first signer of the transaction that started this execution (empty in beginBlock).
 */
export function origin(): Address;
/**
 * Height of the block being executed.
 */
export function blockHeight(): bigint;
/**
 * Block time, seconds since the Unix epoch (from the header).
 */
export function blockTime(): bigint;
/**
 * The chain id.
 */
export function chainId(): string;
/**
 * sha256 of the transaction bytes (32 zero bytes outside a transaction).
 */
export function txHash(): Uint8Array;
/**
 * Deterministic per-block entropy: the hash of the block being executed.
 */
export function blockHash(): Uint8Array;
/**
 * ---- inter-program ----
 * Synchronous call: the caller is suspended, the callee runs `cyberwasm-dispatch(input)`
 * with its persisted memory, and its result is returned. All remaining gas is forwarded.
 * Depth is bounded (10); reentrancy is refused unless the callee opted in.
 */
export function call(target: Address, input: Uint8Array): Uint8Array;
/**
 * As `call`, forwarding at most `gas` units.
 */
export function callWithGas(target: Address, input: Uint8Array, gas: bigint): Uint8Array;
/**
 * Asynchronous send, delivered after the block's transactions; paid from this program's
 * reserve. Returns the message id.
 */
export function send(target: Address, input: Uint8Array): bigint;
/**
 * As `send`; the callee's result is delivered back to this program's dispatch as a reply
 * message carrying `tag` (see docs/cyberwasm.md, "Replies").
 */
export function sendWithReply(target: Address, input: Uint8Array, tag: bigint): bigint;
/**
 * As `send`, delivered `blocks` blocks later (at least 1).
 */
export function sendDelayed(target: Address, input: Uint8Array, blocks: bigint): bigint;
/**
 * ---- cross-machine ----
 * Read-only method of another machine's WIT interface (wit/chain/<machine>.wit), called as
 * this program and checked against its capabilities; request and response are the method's
 * records, protobuf-encoded. Methods that change state are refused.
 */
export function queryMachine(machine: string, method: string, body: Uint8Array): Uint8Array;
/**
 * Method of another machine's WIT interface, called as this program (`program:<address>`):
 * refused unless the program holds the capability and its constraints hold for the request
 * (by default: bank.send {from: self}, graph.link {neuron: self}, reads).
 */
export function callMachine(machine: string, method: string, body: Uint8Array): Uint8Array;
/**
 * ---- scheduling ----
 * Run `dispatch(input)` every `every` blocks from the next multiple; returns the schedule id.
 */
export function schedulePeriodic(every: bigint, input: Uint8Array): bigint;
/**
 * Run `dispatch(input)` once in beginBlock of `height` (must be in the future).
 */
export function scheduleAt(height: bigint, input: Uint8Array): bigint;
/**
 * Run `dispatch(input)` once, `blocks` blocks from now (at least 1).
 */
export function scheduleDelayed(blocks: bigint, input: Uint8Array): bigint;
/**
 * Cancel one of this program's schedules; false when no such schedule.
 */
export function cancelSchedule(id: bigint): boolean;
/**
 * ---- gas and economics ----
 * Gas left in the current execution.
 */
export function gasRemaining(): bigint;
/**
 * This program's gas reserve (gas units).
 */
export function gasReserveBalance(): bigint;
/**
 * Rent charged from the reserve per block for the memory this program holds.
 */
export function gasBurnRate(): bigint;
/**
 * Move `amount` of the fee denom from this program's bank balance into its reserve.
 */
export function depositToReserve(amount: bigint): void;
/**
 * ---- crypto ----
 */
export function sha256(data: Uint8Array): Uint8Array;
export function sha512(data: Uint8Array): Uint8Array;
export function keccak256(data: Uint8Array): Uint8Array;
export function blake2b256(data: Uint8Array): Uint8Array;
export function blake3(data: Uint8Array): Uint8Array;
/**
 * ed25519 signature over `message` (64-byte signature, 32-byte public key).
 */
export function ed25519Verify(message: Uint8Array, signature: Uint8Array, pubkey: Uint8Array): boolean;
/**
 * secp256k1 compact signature (64 bytes) over a 32-byte message hash; 33-byte compressed key.
 */
export function secp256k1Verify(messageHash: Uint8Array, signature: Uint8Array, pubkey: Uint8Array): boolean;
/**
 * Recover the compressed public key, none when the signature is invalid.
 */
export function secp256k1Recover(messageHash: Uint8Array, signature: Uint8Array, recoveryId: number): Uint8Array | undefined;
/**
 * ---- bank ----
 * Send `amount` of `denom` from this program's account.
 */
export function bankSend(to: Address, denom: string, amount: bigint): void;
export function bankBalance(owner: Address, denom: string): bigint;
export function bankTotalSupply(denom: string): bigint;
/**
 * Only with the bank mint capability granted to this program by governance.
 */
export function bankMint(denom: string, amount: bigint): void;
/**
 * Only with the bank burn capability granted to this program by governance.
 */
export function bankBurn(denom: string, amount: bigint): void;
/**
 * ---- stable memory (a second, byte-addressed store beside linear memory) ----
 */
export function stableRead(offset: bigint, len: number): Uint8Array;
export function stableWrite(offset: bigint, data: Uint8Array): void;
/**
 * Size in 64 KiB pages.
 */
export function stableSize(): bigint;
/**
 * Grow by `pages`; the old size, or -1 when over the limit.
 */
export function stableGrow(pages: bigint): bigint;
/**
 * ---- graph (when the graph machine is loaded) ----
 */
export function createCyberlink(source: string, destination: string): void;
/**
 * cyber-rank of a particle (CID), fixed point 1e-15 units.
 */
export function queryRank(particle: string): bigint;
/**
 * Newline-separated CIDs linking to `particle`, at most `limit`.
 */
export function queryBacklinks(particle: string, limit: number): Uint8Array;
/**
 * Newline-separated CIDs `particle` links to, at most `limit`.
 */
export function queryOutlinks(particle: string, limit: number): Uint8Array;
/**
 * ---- events, diagnostics ----
 * Emit an ABCI event `cyberwasm.<kind>` with the data as its value (kept only on success).
 */
export function emitEvent(kind: string, data: Uint8Array): void;
/**
 * Debug log (TestEnv prints it; a node ignores it). Costs gas like any call.
 */
export function log(message: string): void;
/**
 * Abort the call with a message: the call's effects are rolled back, gas is still charged.
 */
export function abort(message: string): void;
/**
 * Opt in (or out) of reentrant calls for the rest of this call.
 */
export function allowReentry(allow: boolean): void;
/**
 * A bech32 account or program address.
 */
export type Address = string;
