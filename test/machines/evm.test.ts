// The machine conformance suite (test/machines/conformance.ts) on the evm plugin machine
// (plugins/evm), built by its package's factory with the host API as the node's loader does. Its
// message (MsgEthereumTx) rides only in raw Ethereum txs, so the samples are raw txs signed with
// viem by the fixture's own Ethereum keys (test/evm/fixtures/evmChain.ts ethKeys, funded in bank
// genesis): an ERC-20 compiled from Solidity with solc (test/evm/fixtures/solidity.ts) deployed and
// used with legacy EIP-155, EIP-2930 and EIP-1559 txs.
import { encodeDeployData, encodeFunctionData, getContractAddress, type Abi, type Hex, type TransactionSerializable } from "viem"
import { pluginHost } from "../../plugins/Host.ts"
import createEvm, { EVM_QUERY } from "../../plugins/evm/Evm.ts"
import { evmCodecs } from "../../plugins/evm/internal/Codecs.ts"
import { EVM_CHAIN_ID, ethKeys } from "../evm/fixtures/evmChain.ts"
import { contracts } from "../evm/fixtures/solidity.ts"
import { baseMachines, fundedGenesis, SIGNER_FUNDS, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"

const codecs = evmCodecs(pluginHost)
const enc = (s: string) => new TextEncoder().encode(s)
const { Token } = contracts()
const abi = Token!.abi as Abi
const [alice, bob] = ethKeys(2) as [ReturnType<typeof ethKeys>[0], ReturnType<typeof ethKeys>[0]]
const A = alice.account.address
const B = bob.account.address
const token = getContractAddress({ from: A, nonce: 0n })

const sign = async (who: typeof alice, tx: Omit<TransactionSerializable, "chainId">): Promise<Uint8Array> => {
  const signed = await who.account.signTransaction({ chainId: EVM_CHAIN_ID, ...tx } as TransactionSerializable)
  return new Uint8Array(Buffer.from(signed.slice(2), "hex"))
}
const fee1559 = { type: "eip1559", maxFeePerGas: 5n, maxPriorityFeePerGas: 1n } as const
const call = (fn: string, args: unknown[]): Hex => encodeFunctionData({ abi, functionName: fn, args })

// in order on a fresh chain: alice deploys the token, transfers, approves bob, pays bob; bob transfers from alice
const RAW = [
  await sign(alice, { ...fee1559, nonce: 0, gas: 2_000_000n, data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: ["Conformance", "CNF", 1_000_000n] }) }),
  await sign(alice, { ...fee1559, nonce: 1, gas: 200_000n, to: token, data: call("transfer", [B, 250n]) }),
  await sign(alice, { type: "eip2930", gasPrice: 2n, accessList: [], nonce: 2, gas: 200_000n, to: token, data: call("approve", [B, 100n]) }),
  await sign(alice, { type: "legacy", gasPrice: 3n, nonce: 3, gas: 21_000n, to: B, value: 1_000n }),
  await sign(bob, { ...fee1559, nonce: 0, gas: 200_000n, to: token, data: call("transferFrom", [A, B, 50n]) })
]
// each valid right after RAW (alice at nonce 4, bob at nonce 1)
const NEXT = await sign(alice, { ...fee1559, nonce: 4, gas: 200_000n, to: token, data: call("transfer", [B, 1n]) })
const SMALL = await sign(alice, { ...fee1559, nonce: 4, gas: 200_000n, to: token, data: call("approve", [B, 7n]) })
const LARGE = await sign(bob, { ...fee1559, nonce: 1, gas: 3_000_000n, data: encodeDeployData({ abi, bytecode: Token!.bytecode, args: ["A token with a much longer name ".repeat(4), "LONG", 5n] }) })
const PAY = await sign(alice, { ...fee1559, nonce: 4, gas: 21_000n, to: B, value: 123n })

const json = (v: unknown) => enc(JSON.stringify(v))

const fixture: MachineFixture = {
  name: "evm",
  machines: () => [...baseMachines(), createEvm({ bech32Prefix: "cyber", bondDenom: "boot", host: pluginHost })],
  genesis: (keys) => {
    const g = fundedGenesis(keys) as { bank: { balances: Array<{ address: string; coins: Array<{ denom: string; amount: string }> }> } }
    for (const k of [alice, bob]) g.bank.balances.push({ address: k.bech32, coins: [{ denom: "boot", amount: SIGNER_FUNDS }] })
    return { ...g, evm: { params: { chain_id: String(EVM_CHAIN_ID) } } }
  },
  messages: () => [],
  rawTxs: () => RAW,
  nextRawTx: () => NEXT,
  sizedRawTxs: () => [SMALL, LARGE],
  queries: () => [
    { path: EVM_QUERY + "Params", data: new Uint8Array() },
    { path: EVM_QUERY + "Account", data: json({ address: A }) },
    { path: EVM_QUERY + "Code", data: json({ address: token }) },
    { path: EVM_QUERY + "Storage", data: json({ address: token, slot: `0x${"0".repeat(63)}3` }) },
    // every field of a call is optional (eth_call {} runs an empty creation from the zero address)
    { path: EVM_QUERY + "Call", data: json({ to: token, data: call("balanceOf", [B]) }), emptyValid: true },
    { path: EVM_QUERY + "EstimateGas", data: json({ from: A, to: token, data: call("transfer", [B, 1n]) }), emptyValid: true }
  ],
  calls: () => [{ method: "call", body: codecs.callRequest.encode({ to: token, data: new Uint8Array(Buffer.from(call("balanceOf", [B]).slice(2), "hex")), gas: 0n }) }],
  // alice pays bob: the machine debits the signer through its `bank.send {from: signer}` grant
  crossCall: () => ({
    rawTx: PAY,
    grant: { principal: "machine:evm", capability: { interface: "bank", method: "send", constraints: [{ field: "from", op: "signer", value: "" }] } }
  })
}

machineConformance(fixture).run()
