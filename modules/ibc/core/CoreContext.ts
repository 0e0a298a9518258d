/**
 * What the IBC core keepers see of a block: the `ibc` namespace, this chain as a light client sees
 * it (height with the revision from the chain id, block time in ns, chain id), and the event sink.
 *
 * Source: ibc-go's use of sdk.Context in the core keepers (clienttypes.GetSelfHeight, ctx.BlockTime).
 */
import type { Event } from "cosmjs-types/tendermint/abci/types"
import type { BlockContext } from "../../../chain/Machine.ts"
import type { KVStore } from "../../../store/KVStore.ts"
import type { HostContext } from "../LightClient.ts"
import { selfHeight } from "./Height.ts"

/** The keepers' context. */
export interface CoreContext {
  readonly store: KVStore
  readonly host: HostContext
  emit(event: Event): void
}

/** This chain at `block`: height `<revision>-<block height>`, time in unix ns. */
export const hostOf = (block: Pick<BlockContext, "chainId" | "height" | "time">): HostContext => ({
  chainId: block.chainId,
  height: selfHeight(block.chainId, block.height),
  timeNs: block.time.seconds * 1_000_000_000n + BigInt(block.time.nanos)
})

/** A core context over an execution context (its store is the ibc namespace). */
export const coreContext = (ctx: BlockContext & { readonly store: KVStore; emit(event: Event): void }): CoreContext => ({
  store: ctx.store,
  host: hostOf(ctx),
  emit: (e) => ctx.emit(e)
})
