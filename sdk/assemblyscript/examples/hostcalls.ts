// Exercises the host functions for tests: each command returns a textual result.
import {
  Program, Outcome, bytesToString, stringToBytes, sha256, sha512, keccak256, blake2b256, blake3, ed25519Verify,
  secp256k1Verify, secp256k1Recover, stableGrow, stableSize, stableWrite, stableRead, emitEvent, log, selfAddress,
  caller, origin, blockHeight, blockTime, chainId, txHash, blockHash, gasRemaining, gasReserveBalance, gasBurnRate,
  bankBalance, bankSend, bankTotalSupply, bankMint, createCyberlink, depositToReserve
} from "../assembly"
export { cabi_realloc } from "../assembly"

function hex(b: Uint8Array): string {
  const digits = "0123456789abcdef"
  let s = ""
  for (let i = 0; i < b.length; i++) s += digits.charAt(b[i] >> 4) + digits.charAt(b[i] & 15)
  return s
}
function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1)
  for (let i = 0; i < out.length; i++) out[i] = <u8>I32.parseInt(s.substr(i * 2, 2), 16)
  return out
}

function handle(input: Uint8Array): Outcome {
  const s = bytesToString(input)
  const parts = s.split(" ")
  const cmd = parts[0]
  if (cmd == "hashes") {
    const d = stringToBytes(parts[1])
    return Outcome.ok(stringToBytes([hex(sha256(d)), hex(sha512(d)), hex(keccak256(d)), hex(blake2b256(d)), hex(blake3(d))].join(" ")))
  }
  if (cmd == "ed25519") return Outcome.ok(stringToBytes(ed25519Verify(unhex(parts[1]), unhex(parts[2]), unhex(parts[3])) ? "valid" : "invalid"))
  if (cmd == "secp") return Outcome.ok(stringToBytes(secp256k1Verify(unhex(parts[1]), unhex(parts[2]), unhex(parts[3])) ? "valid" : "invalid"))
  if (cmd == "recover") {
    const k = secp256k1Recover(unhex(parts[1]), unhex(parts[2]), <u8>I32.parseInt(parts[3]))
    return Outcome.ok(stringToBytes(k == null ? "none" : hex(k)))
  }
  if (cmd == "stable") {
    const old = stableGrow(2)
    stableWrite(65530, stringToBytes("across-the-page"))
    return Outcome.ok(stringToBytes(old.toString() + " " + stableSize().toString() + " " + bytesToString(stableRead(65530, 15))))
  }
  if (cmd == "stable-oob") {
    stableRead(stableSize() * 65536, 1)
    return Outcome.ok(new Uint8Array(0))
  }
  if (cmd == "context") {
    emitEvent("ping", stringToBytes("pong"))
    log("hello from " + selfAddress())
    return Outcome.ok(stringToBytes([selfAddress(), caller(), origin(), blockHeight().toString(), blockTime().toString(), chainId(),
      txHash().length.toString(), blockHash().length.toString(), (gasRemaining() > 0 ? "gas" : "nogas"),
      gasReserveBalance().toString(), gasBurnRate().toString()].join(" ")))
  }
  if (cmd == "bank") {
    const before = bankBalance(selfAddress(), "boot")
    const err = bankSend(parts[1], "boot", U64.parseInt(parts[2]))
    const supply = bankTotalSupply("boot")
    const mint = bankMint("boot", 5)
    return Outcome.ok(stringToBytes(before.toString() + " " + (err == null ? "sent" : err!) + " " + (supply > 0 ? "supply" : "nosupply") + " " + (mint == null ? "minted" : mint!)))
  }
  if (cmd == "deposit") {
    const err = depositToReserve(U64.parseInt(parts[1]))
    return Outcome.ok(stringToBytes(err == null ? gasReserveBalance().toString() : err!))
  }
  if (cmd == "link") {
    const err = createCyberlink("QmA", "QmB")
    return Outcome.ok(stringToBytes(err == null ? "linked" : err!))
  }
  return Outcome.err("unknown " + cmd)
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatchOutcome(ptr, len, handle)
}
