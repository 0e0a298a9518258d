/**
 * The chain precompiles' Solidity interfaces (worker side): ABI decoding of a call into a
 * {@link PrecompileOp} the machine performs as the calling contract, and encoding of the answer.
 * Gas per call is fixed (docs/evm.md); the callee machine's own work is not charged again.
 *
 * | address | interface |
 * |---------|-----------|
 * | 0x…0a01 | `ICyberBank`: balanceOf(address account, string denom) view returns (uint256); send(address from, address to, string denom, uint256 amount) returns (bool) |
 * | 0x…0a02 | `ICyberGraph`: rank(string particle) view returns (uint64); link(string from, string to) returns (bool) |
 * | 0x…0a03 | `ICyberZk`: verify(bytes32 keyHash, string proof, uint256[] publicInputs) view returns (bool) |
 *
 * Source: Solidity ABI spec (via viem's encoder/decoder); revert data is Solidity's Error(string).
 */
import { decodeFunctionData, encodeErrorResult, encodeFunctionResult, parseAbi, type Abi } from "viem"
import type { PrecompileOp } from "./Protocol.ts"

/** A decoded precompile call. */
export interface DecodedCall {
  readonly fn: string
  readonly op: PrecompileOp
  /** Whether it changes another machine's state (refused in a static call). */
  readonly mutates: boolean
  /** EVM gas it costs. */
  readonly gas: bigint
}

/** One precompile: its address, ABI, decoder and encoders. */
export interface PrecompileSpec {
  readonly name: string
  readonly address: string
  readonly abi: Abi
  decode(data: Uint8Array): DecodedCall
  encode(fn: string, value: bigint | boolean): Uint8Array
  revertData(reason: string): Uint8Array
}

/** Gas of the precompile calls (docs/evm.md "Precompiles"). */
export const PRECOMPILE_GAS = {
  read: 2_600n,
  write: 25_000n,
  zkBase: 180_000n,
  zkPerInput: 6_000n
} as const

const ERROR_ABI = parseAbi(["error Error(string)"])
const toHex = (b: Uint8Array): `0x${string}` => `0x${Buffer.from(b).toString("hex")}`
const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.slice(2), "hex"))
const addr = (a: string): string => a.slice(2).toLowerCase()

const spec = (name: string, address: string, signatures: string[], decode: (fn: string, args: readonly unknown[]) => Omit<DecodedCall, "fn">): PrecompileSpec => {
  const abi = parseAbi(signatures)
  return {
    name,
    address,
    abi,
    decode: (data) => {
      const { functionName, args } = decodeFunctionData({ abi, data: toHex(data) })
      return { fn: functionName, ...decode(functionName, args ?? []) }
    },
    encode: (fn, value) => fromHex(encodeFunctionResult({ abi, functionName: fn, result: value } as never)),
    revertData: (reason) => fromHex(encodeErrorResult({ abi: ERROR_ABI, errorName: "Error", args: [reason] }))
  }
}

/** The precompiles every EVM job has. */
export const PRECOMPILES: ReadonlyArray<PrecompileSpec> = [
  spec("bank", "0x0000000000000000000000000000000000000a01", [
    "function balanceOf(address account, string denom) view returns (uint256)",
    "function send(address from, address to, string denom, uint256 amount) returns (bool)"
  ], (fn, a) => fn === "balanceOf"
    ? { op: { op: "bank.balance", account: addr(a[0] as string), denom: a[1] as string }, mutates: false, gas: PRECOMPILE_GAS.read }
    : { op: { op: "bank.send", from: addr(a[0] as string), to: addr(a[1] as string), denom: a[2] as string, amount: a[3] as bigint }, mutates: true, gas: PRECOMPILE_GAS.write }),
  spec("graph", "0x0000000000000000000000000000000000000a02", [
    "function rank(string particle) view returns (uint64)",
    "function link(string from, string to) returns (bool)"
  ], (fn, a) => fn === "rank"
    ? { op: { op: "graph.rank", particle: a[0] as string }, mutates: false, gas: PRECOMPILE_GAS.read }
    : { op: { op: "graph.link", from: a[0] as string, to: a[1] as string }, mutates: true, gas: PRECOMPILE_GAS.write }),
  spec("zk", "0x0000000000000000000000000000000000000a03", [
    "function verify(bytes32 keyHash, string proof, uint256[] publicInputs) view returns (bool)"
  ], (_fn, a) => {
    const inputs = (a[2] as readonly bigint[]).map((x) => x.toString())
    return {
      op: { op: "zk.verify", keyHash: (a[0] as string).slice(2), proof: a[1] as string, publicInputs: inputs },
      mutates: false,
      gas: PRECOMPILE_GAS.zkBase + PRECOMPILE_GAS.zkPerInput * BigInt(inputs.length)
    }
  })
]
