/**
 * Typed errors of the CyberWasm machine (codespace "cyberwasm"). Each carries a log that names
 * what is wrong; the multiplexer reports codespace + code like any chain error (chain/ChainError.ts,
 * duck-typed by `isChainError`). Out of gas is the SDK's OutOfGas (code 11).
 *
 * Source: wasmd x/wasm/types/errors.go (codespace "wasm": create 2, instantiate 4, execute 5,
 * migrate 11, invalid 21...), renumbered for CyberWasm.
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const cyberwasmError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "cyberwasm", code)

/** Code 2: the uploaded binary is refused (format, feature, import or limit). */
export class ProgramRejected extends cyberwasmError("ProgramRejected", 2) {}
/** Code 3: the program trapped (unreachable, bounds, stack limit, abort) or returned an error. */
export class ProgramFailed extends cyberwasmError("ProgramFailed", 3) {}
/** Code 4: no program / code at that address or hash. */
export class ProgramNotFound extends cyberwasmError("ProgramNotFound", 4) {}
/** Code 5: the program is frozen (reserve empty) or evicted. */
export class ProgramFrozen extends cyberwasmError("ProgramFrozen", 5) {}
/** Code 6: a synchronous call was refused (depth limit, reentrancy). */
export class CallRefused extends cyberwasmError("CallRefused", 6) {}
/** Code 7: the sender may not do this (upgrade by a non-admin). */
export class NotAdmin extends cyberwasmError("NotAdmin", 7) {}
/** Code 8: reserve too small for the operation. */
export class ReserveTooLow extends cyberwasmError("ReserveTooLow", 8) {}
