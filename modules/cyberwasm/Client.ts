/**
 * Client helpers: CosmJS registry entries for the cyberwasm messages, so wallets and
 * SigningStargateClient can sign them (`new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes])`).
 */
import type { GeneratedType } from "@cosmjs/proto-signing"
import * as M from "./Messages.ts"

const generated = <V>(codec: { encode(v: V): Uint8Array; decode(b: Uint8Array): V }): GeneratedType =>
  ({
    encode: (v: V) => ({ finish: () => codec.encode(v) }),
    decode: (b: Uint8Array) => codec.decode(b),
    fromPartial: (o: V) => o
  }) as unknown as GeneratedType

/** Registry entries for the cyberwasm messages (values are the Messages.ts shapes). */
export const cyberwasmRegistryTypes: ReadonlyArray<[string, GeneratedType]> = [
  [M.TypeUrl.storeCode, generated(M.MsgStoreCode)],
  [M.TypeUrl.instantiate, generated(M.MsgInstantiate)],
  [M.TypeUrl.execute, generated(M.MsgExecute)],
  [M.TypeUrl.deposit, generated(M.MsgDeposit)],
  [M.TypeUrl.upgrade, generated(M.MsgUpgrade)],
  [M.TypeUrl.updateParams, generated(M.MsgUpdateParams)]
]
