/**
 * ICS-20 escrow is a principal (chain/Principal.ts `escrow:<port>.<channel>`): the ibc machine
 * releases escrowed coins as the channel's escrow account, whose address the executor derives as
 * ibc-go's GetEscrowAddress does, so transfer's grants let it move escrowed coins and a MsgTransfer
 * signer's coins, never another account's.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { toBech32 } from "@cosmjs/encoding"
import { CAPABILITIES_NAMESPACE, checkCapability, grantCapability } from "../../chain/Capabilities.ts"
import { escrowPrincipal, parsePrincipal, selfAddress } from "../../chain/Principal.ts"
import { escrowAddressBytes } from "../../modules/ibc/apps/transfer/Denom.ts"
import { TRANSFER_GRANTS } from "../../modules/ibc/apps/transfer/Transfer.ts"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"

const store = async () => (await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: [CAPABILITIES_NAMESPACE] })).store(CAPABILITIES_NAMESPACE)
const send = (from: string) => ({ from, to: "cosmos1receiver", amount: [{ denom: "uatom", amount: "1" }] })
const refusal = (f: () => void): string => {
  try {
    f()
  } catch (e) {
    return (e as Error).message
  }
  return ""
}

test("an escrow principal's address is gaiad's escrow address of its channel (transfer/channel-141)", () => {
  assert.is(selfAddress(parsePrincipal(escrowPrincipal("transfer", "channel-141")), "cosmos"), "cosmos1x54ltnyg88k0ejmk8ytwrhd3ltm84xehrnlslf")
  assert.is(toBech32("cosmos", escrowAddressBytes("transfer", "channel-141")), "cosmos1x54ltnyg88k0ejmk8ytwrhd3ltm84xehrnlslf")
  // a port with dots: the channel is what follows the last one
  assert.is(selfAddress(parsePrincipal("escrow:cyberwasm.x.channel-0"), "cosmos"), toBech32("cosmos", escrowAddressBytes("cyberwasm.x", "channel-0")))
  assert.throws(() => parsePrincipal("escrow:nodot"), /invalid principal "escrow:nodot"/)
  assert.throws(() => parsePrincipal("escrow:transfer."), /invalid principal/)
})

test("transfer's grants: escrow out only from the escrow account itself, escrow in only from the tx signer", async () => {
  const s = await store()
  for (const g of TRANSFER_GRANTS) grantCapability(s, g)
  const escrow = escrowPrincipal("transfer", "channel-0")
  const escrowAddr = selfAddress(parsePrincipal(escrow), "cosmos")
  const victim = "cosmos1victim"
  // the escrow account sends its own coins
  checkCapability(s, escrow, "bank", "send", send(escrowAddr), { self: escrowAddr, signers: ["cosmos1relayer"] })
  // ...and nobody else's: not the relayer's, not another channel's escrow
  const other = selfAddress(parsePrincipal(escrowPrincipal("transfer", "channel-1")), "cosmos")
  assert.match(refusal(() => checkCapability(s, escrow, "bank", "send", send(victim), { self: escrowAddr, signers: [victim] })), /escrow:transfer\.channel-0/)
  assert.match(refusal(() => checkCapability(s, escrow, "bank", "send", send(other), { self: escrowAddr, signers: [] })), /bank\.send/)
  // the ibc machine itself moves only the MsgTransfer signer's coins (escrow in)
  checkCapability(s, "machine:ibc", "bank", "send", send("cosmos1sender"), { self: "cosmos1ibcmodule", signers: ["cosmos1sender"] })
  assert.match(refusal(() => checkCapability(s, "machine:ibc", "bank", "send", send(victim), { self: "cosmos1ibcmodule", signers: ["cosmos1relayer"] })), /machine:ibc/)
  assert.match(refusal(() => checkCapability(s, "machine:ibc", "bank", "send", send(escrowAddr), { self: "cosmos1ibcmodule", signers: ["cosmos1relayer"] })), /machine:ibc/)
})

test.run()
