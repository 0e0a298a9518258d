/**
 * The capability check the multiplexer asks before every cross-machine call or send.
 * The node implements it over the kernel's capability table: machine `caller` (process
 * `<caller>:chain:sys`) may call `method` of `target` when it holds the capability
 * `{issuer: <target>:chain:sys, params: {"call": method}}` or `{"call": "*"}`.
 *
 * Source: ARCHITECTURE.md "capabilities checked by the kernel on every cross-machine call";
 * Hyperware capabilities (issuer + params).
 */
export interface ChainAuthority {
  /** True when machine `caller` may invoke `method` on machine `target`. Pure, synchronous. */
  mayCall(caller: string, target: string, method: string): boolean
}

/** The canonical params string of the capability that allows calling `method`. */
export const callCapabilityParams = (method: string): string => JSON.stringify({ call: method }) // determinism-ok: capability params, not state
