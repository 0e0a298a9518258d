/**
 * The ante step of an Ethereum tx (chain/TxPipeline.ts TxFormat.ante), in the evm machine's
 * namespace and the tx's ante branch, whose writes stick in a block even when the execution is
 * then refused (the SDK's rule for fees). It checks what Ethereum checks before executing, then
 * takes the tx's nonce and **escrows its maximum fee** (gas limit x effective gas price) from the
 * sender into the evm module account. Execution (Evm.ts handle) refunds what was not used. A tx
 * refused after it ran (a tainted precompile frame, an engine exception, an effect bank refuses)
 * has paid the escrow, which the machine's endBlock hands to the fee collector, and its nonce is
 * used: no work is free and the same bytes never run twice.
 *
 * Refusals: chain id (InvalidChainId 28), gas limit over the block's (InvalidRequest 18) or under the
 * intrinsic gas (OutOfGas 11), max fee under the base fee (InsufficientFee 13), nonce (InvalidSequence
 * 3, "nonce too low/high: expected n, got m"), balance under gas limit x max fee + value
 * (InsufficientFunds 5): all before anything is written.
 *
 * Source: Ethereum yellow paper / EIP-1559 validity rules (as @ethereumjs/vm runTx checks them).
 */
import type { ExecContext } from "../../../chain/Machine.ts"
import type { PluginHost } from "../../Host.ts"
import { bankBalance, bech32Of, execEnv } from "./Answers.ts"
import { ctxSend, EVM_MODULE } from "./Apply.ts"
import type { EthTx } from "./EthTx.ts"
import { EMPTY_CODE_HASH, type EvmParams, type EvmStore } from "./Store.ts"

/** The gas price `tx` pays at `baseFee` (legacy/2930: its gas price; 1559: min(max fee, base fee + tip)). */
export const effectivePrice = (tx: { gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint }, baseFee: bigint): bigint => {
  if (tx.maxFeePerGas !== undefined && tx.maxPriorityFeePerGas !== undefined) {
    const tip = tx.maxPriorityFeePerGas < tx.maxFeePerGas - baseFee ? tx.maxPriorityFeePerGas : tx.maxFeePerGas - baseFee
    return baseFee + tip
  }
  return tx.gasPrice ?? baseFee
}

/** The most a tx may pay per gas (its gas price, or its max fee). */
const maxPrice = (tx: { gasPrice?: bigint; maxFeePerGas?: bigint }): bigint => tx.maxFeePerGas ?? tx.gasPrice ?? 0n

/** Run the ante step (module doc); returns the escrowed amount. */
export const ethAnte = (ctx: ExecContext, host: PluginHost, evmStore: EvmStore, params: EvmParams, bech32Prefix: string, eth: EthTx): bigint => {
  const e = host.errors
  if (eth.chainId !== params.chainId) throw new e.InvalidChainId({ log: `ethereum tx for chain id ${eth.chainId}, this chain is ${params.chainId}` })
  if (eth.gasLimit > params.blockGasLimit) throw new e.InvalidRequest({ log: `ethereum tx gas limit ${eth.gasLimit} exceeds the block gas limit ${params.blockGasLimit}` })
  const intrinsic = eth.tx.getIntrinsicGas()
  if (eth.gasLimit < intrinsic) throw new e.OutOfGas({ log: `ethereum tx gas limit ${eth.gasLimit} is below its intrinsic gas ${intrinsic}` })
  const tx = eth.tx as { gasPrice?: bigint; maxFeePerGas?: bigint; maxPriorityFeePerGas?: bigint; value: bigint }
  if (maxPrice(tx) < params.baseFee) throw new e.InsufficientFee({ log: `ethereum tx max fee per gas ${maxPrice(tx)} is below the base fee ${params.baseFee}` })
  const store = ctx.rawStore ?? ctx.store
  const rec = evmStore.account(store, eth.sender)
  const nonce = rec?.nonce ?? 0n
  if (eth.nonce !== nonce) throw new e.InvalidSequence({ log: `nonce too ${eth.nonce < nonce ? "low" : "high"}: expected ${nonce}, got ${eth.nonce}` })
  const env = execEnv(ctx, { evmStore, params, host, bech32Prefix })
  const balance = bankBalance(env, undefined, eth.sender, params.denom)
  const upfront = eth.gasLimit * maxPrice(tx) + tx.value
  if (balance < upfront) {
    throw new e.InsufficientFunds({ log: `insufficient funds for gas x price + value: address 0x${eth.sender} has ${balance}, wants ${upfront}` })
  }
  const escrow = eth.gasLimit * effectivePrice(tx, params.baseFee)
  if (escrow > 0n) ctxSend(ctx, env, bech32Of(env, eth.sender), bech32Of(env, EVM_MODULE), escrow)
  evmStore.setAccount(store, eth.sender, { nonce: nonce + 1n, codeHash: rec?.codeHash ?? EMPTY_CODE_HASH })
  return escrow
}
