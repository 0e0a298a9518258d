// A program that tries to act as someone else, for the capability tests (docs/capabilities.md).
// Each command makes one cross-machine call; a refusal fails the call with the host's error, so
// the transaction's log carries the capability error (principal, capability, failed constraint).
//   steal <victim> <to> <amount>   bank.send with from = victim
//   mint <amount>                  bank.mint (no program holds it by default)
//   link-as <victim>               graph.link with neuron = victim
//   forge <victim-program>         cyberwasm.deliver: a message that names another sender
//   pay <to> <amount>              bank.send from itself (allowed)
//   link                           graph.link as itself (allowed)
//   balance <owner>                bank.balance through query_machine (allowed)
import { Program, Outcome, bytesToString, stringToBytes, callMachine, queryMachine, bankSend, bankMint, createCyberlink } from "../assembly"
export { cabi_realloc } from "../assembly"

/** Protobuf writer for the few records used here (field numbers = WIT field positions). */
class Pb {
  buf: Array<u8> = new Array<u8>()
  varint(v: u64): Pb {
    while (v >= 0x80) { this.buf.push(<u8>((v & 0x7f) | 0x80)); v >>= 7 }
    this.buf.push(<u8>v)
    return this
  }
  bytes(field: u32, b: Uint8Array): Pb {
    this.varint((<u64>field << 3) | 2)
    this.varint(b.length)
    for (let i = 0; i < b.length; i++) this.buf.push(b[i])
    return this
  }
  str(field: u32, s: string): Pb { return this.bytes(field, stringToBytes(s)) }
  done(): Uint8Array {
    const out = new Uint8Array(this.buf.length)
    for (let i = 0; i < this.buf.length; i++) out[i] = this.buf[i]
    return out
  }
}

function coin(denom: string, amount: string): Uint8Array { return new Pb().str(1, denom).str(2, amount).done() }

function result(r: string | null, okText: string): Outcome {
  return r == null ? Outcome.ok(stringToBytes(okText)) : Outcome.err(r!)
}

function handle(input: Uint8Array): Outcome {
  const parts = bytesToString(input).split(" ")
  const cmd = parts[0]
  if (cmd == "steal") {
    // bank send-request {from, to, amount: list<coin>}
    const body = new Pb().str(1, parts[1]).str(2, parts[2]).bytes(3, coin("boot", parts[3])).done()
    const r = callMachine("bank", "send", body)
    return r.ok ? Outcome.ok(stringToBytes("stolen")) : Outcome.err(r.error)
  }
  if (cmd == "mint") return result(bankMint("boot", U64.parseInt(parts[1])), "minted")
  if (cmd == "link-as") {
    // graph link-request {neuron, links: list<link {from, to}>}
    const link = new Pb().str(1, "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG").str(2, "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR").done()
    const r = callMachine("graph", "link", new Pb().str(1, parts[1]).bytes(2, link).done())
    return r.ok ? Outcome.ok(stringToBytes("linked-as")) : Outcome.err(r.error)
  }
  if (cmd == "forge") {
    // cyberwasm deliver-request {message}: any bytes; the capability check comes first
    const r = callMachine("cyberwasm", "deliver", new Pb().bytes(1, stringToBytes(parts[1])).done())
    return r.ok ? Outcome.ok(stringToBytes("forged")) : Outcome.err(r.error)
  }
  if (cmd == "pay") return result(bankSend(parts[1], "boot", U64.parseInt(parts[2])), "paid")
  if (cmd == "link") return result(createCyberlink("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", "QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR"), "linked")
  if (cmd == "balance") {
    const r = queryMachine("bank", "balance", new Pb().str(1, parts[1]).str(2, "boot").done())
    return r.ok ? Outcome.ok(r.data) : Outcome.err(r.error)
  }
  return Outcome.err("unknown " + cmd)
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, handle)
}
