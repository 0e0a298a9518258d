/**
 * errorsmod.Wrap for chain errors: the same error class (codespace and code kept, as ibc-go's
 * wrapped errors keep their root cause's ABCI code) with `<detail>: ` before its log.
 */
import { isChainError } from "../../../../chain/ChainError.ts"

/** Run `f`; a chain error it throws is rethrown as the same class with `detail: ` prefixed to its log. */
export const prefixError = <A>(detail: string, f: () => A): A => {
  try {
    return f()
  } catch (e) {
    if (!isChainError(e)) throw e
    const Ctor = e.constructor as new (fields: { log: string }) => Error
    throw new Ctor({ log: `${detail}: ${e.log}` })
  }
}
