/**
 * Typed errors of the CosmWasm layer, codespace "wasm" with wasmd's codes, so a client sees what
 * it would see from wasmd (`failed to execute message; message index: 0: ...: execute wasm
 * contract failed` has codespace wasm, code 5). Each carries a log naming what is wrong.
 *
 * Source: wasmd x/wasm/types/errors.go.
 */
import { chainErrorClass } from "../../../chain/ChainError.ts"

const wasmError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "wasm", code)

/** Code 2: the upload was refused (gzip, Wasm validation, capabilities). */
export class CreateFailed extends wasmError("CreateFailed", 2) {}
/** Code 3: the contract address is claimed by an external account. */
export class AccountExists extends wasmError("AccountExists", 3) {}
/** Code 4: the contract's instantiate returned an error. */
export class InstantiateFailed extends wasmError("InstantiateFailed", 4) {}
/** Code 5: the contract's execute (or sudo / reply) returned an error. */
export class ExecuteFailed extends wasmError("ExecuteFailed", 5) {}
/** Code 7: a genesis section is malformed. */
export class InvalidGenesis extends wasmError("InvalidGenesis", 7) {}
/** Code 8: no such record. */
export class WasmNotFound extends wasmError("WasmNotFound", 8) {}
/** Code 9: a smart query failed. */
export class QueryFailed extends wasmError("QueryFailed", 9) {}
/** Code 10: a CosmosMsg of a contract is malformed. */
export class InvalidMsg extends wasmError("InvalidMsg", 10) {}
/** Code 11: the contract's migrate returned an error, or migration is not possible. */
export class MigrationFailed extends wasmError("MigrationFailed", 11) {}
/** Code 12: a required field is empty. */
export class Empty extends wasmError("Empty", 12) {}
/** Code 13: a size or count limit is exceeded. */
export class Limit extends wasmError("Limit", 13) {}
/** Code 14: a value is invalid. */
export class Invalid extends wasmError("Invalid", 14) {}
/** Code 15: duplicate (instantiate2 address already taken). */
export class Duplicate extends wasmError("Duplicate", 15) {}
/** Code 17: unsupported for this contract (an IBC message from a contract without an IBC port). */
export class UnsupportedForContract extends wasmError("UnsupportedForContract", 17) {}
/** Code 20: a message kind of the contract this chain does not execute. */
export class UnknownMsg extends wasmError("UnknownMsg", 20) {}
/** Code 21: a contract event or attribute is invalid (empty key, reserved `_` prefix, short type). */
export class InvalidEvent extends wasmError("InvalidEvent", 21) {}
/** Code 22: no contract at that address. */
export class NoSuchContract extends wasmError("NoSuchContract", 22) {}
/** Code 28: no code with that id. */
export class NoSuchCode extends wasmError("NoSuchCode", 28) {}
/** Code 29: the VM failed the call (trap, abort, missing export, malformed result). */
export class VmError extends wasmError("VmError", 29) {}
/** Code 30: submessages nested deeper than the chain allows. */
export class MaxCallDepth extends wasmError("MaxCallDepth", 30) {}
