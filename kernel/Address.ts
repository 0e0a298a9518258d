/**
 * Process ids and addresses: `process:package:publisher` and `node@process:package:publisher`.
 *
 * Shapes are the WIT records `process-id` and `address` of wit/process.wit (checked against the
 * jco-generated types in kernel/Wit.ts). Names follow Hyperware's rules (hyperware-ai/hyperware
 * lib/src/core.rs ProcessId/Address FromStr; Hyperware book "Process Semantics"): node and
 * publisher names are `[a-z0-9-.]+`, process and package names are `[a-z0-9-]+`. The node name
 * `our` in a parsed string means this node when the caller says which node that is.
 */
import { Data } from "effect"

/** `process:package:publisher` (WIT `process-id`). */
export interface ProcessId {
  readonly processName: string
  readonly packageName: string
  readonly publisherNode: string
}

/** `node@process:package:publisher` (WIT `address`). */
export interface Address {
  readonly node: string
  readonly process: ProcessId
}

/** Which part of an address or process id string is wrong. */
export type AddressPart = "node" | "process" | "package" | "publisher" | "format"

/** A string that is not a valid address / process id; `part` names the bad part. */
export class AddressError extends Data.TaggedError("AddressError")<{
  readonly input: string
  readonly part: AddressPart
  readonly reason: string
}> {
  override get message(): string {
    return `invalid ${this.part} in "${this.input}": ${this.reason}`
  }
}

const NAME = /^[a-z0-9-]+$/
const NODE = /^[a-z0-9.-]+$/

const check = (input: string, part: AddressPart, value: string, re: RegExp, allowed: string): void => {
  if (value.length === 0) throw new AddressError({ input, part, reason: `${part} name is empty` })
  if (!re.test(value)) throw new AddressError({ input, part, reason: `"${value}" may contain only ${allowed}` })
}

/** Build a ProcessId, validating each part (throws AddressError). */
export const processId = (processName: string, packageName: string, publisherNode: string): ProcessId => {
  const input = `${processName}:${packageName}:${publisherNode}`
  check(input, "process", processName, NAME, "a-z, 0-9 and -")
  check(input, "package", packageName, NAME, "a-z, 0-9 and -")
  check(input, "publisher", publisherNode, NODE, "a-z, 0-9, - and .")
  return { processName, packageName, publisherNode }
}

/** Build an Address on `node` (throws AddressError naming the bad part). */
export const address = (node: string, process: ProcessId): Address => {
  check(`${node}@${formatProcessId(process)}`, "node", node, NODE, "a-z, 0-9, - and .")
  return { node, process }
}

/** Parse `process:package:publisher` (throws AddressError). */
export const parseProcessId = (input: string): ProcessId => {
  const parts = input.split(":")
  if (parts.length !== 3) {
    throw new AddressError({ input, part: "format", reason: `expected process:package:publisher (3 parts), got ${parts.length}` })
  }
  const [p, k, u] = parts as [string, string, string]
  check(input, "process", p, NAME, "a-z, 0-9 and -")
  check(input, "package", k, NAME, "a-z, 0-9 and -")
  check(input, "publisher", u, NODE, "a-z, 0-9, - and .")
  return { processName: p, packageName: k, publisherNode: u }
}

/**
 * Parse `node@process:package:publisher` (throws AddressError). When `our` is given, the node
 * name `our` stands for it (as in Hyperware's terminal).
 */
export const parseAddress = (input: string, our?: string): Address => {
  const at = input.indexOf("@")
  if (at < 0 || input.indexOf("@", at + 1) >= 0) {
    throw new AddressError({ input, part: "format", reason: "expected exactly one @ between node and process id" })
  }
  let node = input.slice(0, at)
  if (node === "our" && our !== undefined) node = our
  check(input, "node", node, NODE, "a-z, 0-9, - and .")
  let process: ProcessId
  try {
    process = parseProcessId(input.slice(at + 1))
  } catch (e) {
    if (e instanceof AddressError) throw new AddressError({ input, part: e.part, reason: e.reason })
    throw e
  }
  return { node, process }
}

/** `process:package:publisher`. */
export const formatProcessId = (p: ProcessId): string => `${p.processName}:${p.packageName}:${p.publisherNode}`

/** `node@process:package:publisher`. */
export const formatAddress = (a: Address): string => `${a.node}@${formatProcessId(a.process)}`

/** Same process id, part by part. */
export const processIdEquals = (a: ProcessId, b: ProcessId): boolean =>
  a.processName === b.processName && a.packageName === b.packageName && a.publisherNode === b.publisherNode

/** Same node and process id. */
export const addressEquals = (a: Address, b: Address): boolean => a.node === b.node && processIdEquals(a.process, b.process)

/** True when `x` is an Address (has a node), false for a bare ProcessId. */
export const isAddress = (x: Address | ProcessId): x is Address => (x as Address).node !== undefined

/** The process id of the kernel itself, `kernel:distro:sys` (Hyperware's name). */
export const KERNEL_PROCESS: ProcessId = { processName: "kernel", packageName: "distro", publisherNode: "sys" }

/**
 * The process id of a chain-plane machine: `<name>:chain:sys`, e.g. `bank:chain:sys`
 * (chain/Machine.ts). Throws AddressError for a name outside [a-z0-9-]+.
 */
export const machineProcessId = (name: string): ProcessId => processId(name, "chain", "sys")
