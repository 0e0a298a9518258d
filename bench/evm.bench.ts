/**
 * ERC-20 transfers per second through the chain against @ethereumjs/vm running the same transfers
 * alone, in the same run (issue 11, "Measured").
 *
 * Chain: the real Application (auth, bank, the evm plugin loaded by the plugin loader) over an
 * in-memory IAVL store. Key 0 deploys an ERC-20 compiled from Solidity with solc
 * (test/evm/fixtures/solidity.ts) and hands every other sender a balance; then each measured block
 * carries `txs` EIP-1559 `transfer` txs signed with viem, from `senders` keys in turn (nonces in
 * order, several per sender per block), each to a fresh recipient (a new storage slot, as most
 * real transfers write). Timed: FinalizeBlock + Commit of the block (decode and sender recovery,
 * the EVM in its worker with state loaded on demand from IAVL, balances through bank, fees to the
 * fee collector, events, the app hash).
 *
 * Baseline: @ethereumjs/vm (the library the machine runs) alone: createVM with its default
 * in-memory Merkle state, the same accounts funded, the same setup txs, then the same signed txs,
 * each decoded from its bytes (createTxFromRLP) and run with runTx in a block with the same base
 * fee; the block's state root is computed after its txs (the counterpart of Commit). Both sides
 * must report the same gas for every block (checked), so they did the same EVM work.
 *
 * Run: `npx node bench/evm.bench.ts [txs] [blocks] [senders]` (defaults 100 10 10).
 */
import { createBlock } from "@ethereumjs/block"
import { createCustomCommon, Hardfork, Mainnet } from "@ethereumjs/common"
import { createTxFromRLP } from "@ethereumjs/tx"
import { createAccount, createAddressFromString } from "@ethereumjs/util"
import { createVM, runTx } from "@ethereumjs/vm"
import { encodeDeployData, encodeFunctionData, getContractAddress, keccak256, toHex, type Abi, type Hex, type TransactionSerializable } from "viem"
import { AuthMachine } from "../modules/auth/Auth.ts"
import { BankMachine } from "../modules/bank/Bank.ts"
import { loadPlugin } from "../node/Plugins.ts"
import type { EvmMachine } from "../plugins/evm/Evm.ts"
import { EVM_CHAIN_ID, EVM_DIR, ethKeys, type EthKey } from "../test/evm/fixtures/evmChain.ts"
import { contracts } from "../test/evm/fixtures/solidity.ts"
import { Chain } from "../test/machines/support/Chain.ts"

const TXS = Number(process.argv[2] ?? 100)
const BLOCKS = Number(process.argv[3] ?? 10)
const SENDERS = Number(process.argv[4] ?? 10)
const FUNDS = 10n ** 15n
const GAS = 100_000n

const { Token } = contracts()
const abi = Token!.abi as Abi
const keys = ethKeys(SENDERS)
const token = getContractAddress({ from: keys[0]!.account.address, nonce: 0n })
const nonces = keys.map(() => 0)
const sign = async (k: number, tx: Omit<TransactionSerializable, "nonce" | "chainId">): Promise<Uint8Array> => {
  const key: EthKey = keys[k]!
  const signed = await key.account.signTransaction({ chainId: EVM_CHAIN_ID, type: "eip1559", maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, nonce: nonces[k]!++, ...tx } as TransactionSerializable)
  return new Uint8Array(Buffer.from(signed.slice(2), "hex"))
}
const transfer = (k: number, to: Hex, amount: bigint) => sign(k, { to: token, gas: GAS, data: encodeFunctionData({ abi, functionName: "transfer", args: [to, amount] }) })

// setup: key 0 deploys and gives every other sender tokens; then the measured blocks
const setup: Uint8Array[] = [await sign(0, { gas: 2_000_000n, data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: ["Bench", "BNC", 10n ** 30n] }) })]
for (let k = 1; k < SENDERS; k++) setup.push(await transfer(0, keys[k]!.account.address, 10n ** 24n))
const blocks: Uint8Array[][] = []
for (let b = 0; b < BLOCKS; b++) {
  const txs: Uint8Array[] = []
  for (let t = 0; t < TXS; t++) txs.push(await transfer(t % SENDERS, keccak256(toHex(`recipient ${b} ${t}`)).slice(0, 42) as Hex, BigInt(1 + t)))
  blocks.push(txs)
}
console.log(`${BLOCKS} blocks of ${TXS} ERC-20 transfers from ${SENDERS} senders (each to a fresh recipient), EIP-1559, base fee 1, tip 1`)

// ---- through the chain ----
const evm = (await loadPlugin(EVM_DIR, { bech32Prefix: "cyber", bondDenom: "boot" })).machine as EvmMachine
const chain = await Chain.open([new AuthMachine({ minGasPrices: "0.001boot" }), new BankMachine({}), evm])
await chain.init({
  auth: { accounts: [] },
  bank: { balances: keys.map((k) => ({ address: k.bech32, coins: [{ denom: "boot", amount: FUNDS.toString() }] })) },
  evm: { params: { chain_id: String(EVM_CHAIN_ID) } }
})
/** One chain block: ns of FinalizeBlock + Commit, and its total gas (every tx must succeed). */
const chainBlock = async (txs: Uint8Array[]): Promise<[bigint, bigint]> => {
  const t = process.hrtime.bigint()
  const results = await chain.block(txs)
  const ns = process.hrtime.bigint() - t
  let gas = 0n
  for (const r of results) {
    const status = r.events.find((e) => e.type === "ethereum_tx")?.attributes.find((a) => a.key === "status")?.value
    if (r.code !== 0 || status !== "1") throw new Error(`chain: tx failed: code ${r.code} status ${status} ${r.log}`)
    gas += r.gasUsed
  }
  return [ns, gas]
}
await chainBlock(setup)
const chainNs: bigint[] = []
const chainGas: bigint[] = []
for (const txs of blocks) {
  const [ns, gas] = await chainBlock(txs)
  chainNs.push(ns)
  chainGas.push(gas)
}
await evm.close()
await chain.close()

// ---- @ethereumjs/vm alone ----
const common = createCustomCommon({ chainId: EVM_CHAIN_ID }, Mainnet, { hardfork: Hardfork.Prague })
const vm = await createVM({ common })
for (const k of keys) await vm.stateManager.putAccount(createAddressFromString(k.account.address), createAccount({ balance: FUNDS }))
let height = 1n
const vmBlock = async (txs: Uint8Array[]): Promise<[bigint, bigint, bigint]> => {
  height++
  const block = createBlock({ header: { number: height, timestamp: 1_700_000_000n + height * 5n, baseFeePerGas: 1n, gasLimit: 30_000_000n } }, { common })
  const t = process.hrtime.bigint()
  let gas = 0n
  for (const raw of txs) {
    const r = await runTx(vm, { tx: createTxFromRLP(raw, { common }), block })
    if (r.execResult.exceptionError) throw new Error(`vm: tx failed: ${r.execResult.exceptionError.error}`)
    gas += r.totalGasSpent
  }
  const run = process.hrtime.bigint() - t
  await vm.stateManager.getStateRoot()
  return [run, process.hrtime.bigint() - t, gas]
}
await vmBlock(setup)
const vmRunNs: bigint[] = []
const vmNs: bigint[] = []
for (const [i, txs] of blocks.entries()) {
  const [run, total, gas] = await vmBlock(txs)
  if (gas !== chainGas[i]) throw new Error(`block ${i}: the chain used ${chainGas[i]} gas, the vm ${gas}`)
  vmRunNs.push(run)
  vmNs.push(total)
}

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n)
const ms = (xs: bigint[]) => Number(sum(xs)) / 1e6 / xs.length
const tps = (xs: bigint[]) => (TXS * xs.length) / (Number(sum(xs)) / 1e9)
console.log(`gas per block ${chainGas[0]} (${chainGas[0]! / BigInt(TXS)} per transfer), equal on both sides in every block`)
console.log(`chain: FinalizeBlock + Commit          ${ms(chainNs).toFixed(1)} ms/block  ${tps(chainNs).toFixed(0)} transfers/s`)
console.log(`@ethereumjs/vm: runTx + state root     ${ms(vmNs).toFixed(1)} ms/block  ${tps(vmNs).toFixed(0)} transfers/s  (state root ${(ms(vmNs) - ms(vmRunNs)).toFixed(2)} ms/block: the Merkle trie is updated as each tx commits)`)
console.log(`chain / vm (runTx + state root) = ${(tps(chainNs) / tps(vmNs)).toFixed(3)}; chain time per transfer = ${(Number(sum(chainNs)) / Number(sum(vmNs))).toFixed(2)} x the vm's`)
