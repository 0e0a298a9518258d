/**
 * Errors of the bank codespace (x/bank/types/errors.go), in the shape of chain/ChainError.ts
 * (tagged, with codespace + code + log) so the multiplexer reports them like any chain error.
 */
import { chainErrorClass } from "../../chain/ChainError.ts"

const bankError = <const Tag extends string>(tag: Tag, code: number) => chainErrorClass(tag, "bank", code)

/** bank code 2: MultiSend without inputs. */
export class NoInputs extends bankError("BankNoInputs", 2) {}
/** bank code 3: MultiSend without outputs. */
export class NoOutputs extends bankError("BankNoOutputs", 3) {}
/** bank code 4: MultiSend inputs and outputs differ. */
export class InputOutputMismatch extends bankError("BankInputOutputMismatch", 4) {}
/** bank code 5: sending this denom is disabled by params. */
export class SendDisabled extends bankError("BankSendDisabled", 5) {}
/** bank code 6: denom metadata not found. */
export class DenomMetadataNotFound extends bankError("BankDenomMetadataNotFound", 6) {}
/** bank code 9: more than one MultiSend input (SDK 0.47+ allows exactly one; 8 is DuplicateEntry). */
export class MultipleSenders extends bankError("BankMultipleSenders", 9) {}
