/**
 * `cyberkernel status`: the node's CometBFT `status` RPC (network, latest height, block hash,
 * app hash, validator, and the node's secp256k1 verifier from `node_info.other`) through
 * CosmJS's Comet client (connectComet picks the Comet 0.38 client from the node's version).
 *
 * Source: cometbft v0.38 rpc/core/status.go.
 */
import { Effect } from "effect"
import { Command } from "effect/cli"
import { toHex } from "../../lib/Bytes.ts"
import { CliFailure, emit, NodeUrl } from "../Globals.ts"

/** Upper-case hex, as the CometBFT status RPC prints hashes and addresses; "" when absent. */
const hex = (b: Uint8Array | undefined) => (b ? toHex(b).toUpperCase() : "")

/** `status`. */
export const statusCommand = Command.make("status", {}, () =>
  Effect.gen(function* () {
    const node = yield* NodeUrl
    const { connectComet } = yield* Effect.promise(() => import("@cosmjs/tendermint-rpc"))
    const client = yield* Effect.tryPromise({
      try: () => connectComet(node),
      catch: (e) => new CliFailure({ message: `cannot reach ${node}: ${e instanceof Error ? e.message : String(e)}` })
    })
    yield* Effect.addFinalizer(() => Effect.sync(() => client.disconnect()))
    const s = yield* Effect.tryPromise({
      try: () => client.status(),
      catch: (e) => new CliFailure({ message: `status failed: ${e instanceof Error ? e.message : String(e)}` })
    })
    const out = {
      node_info: { network: s.nodeInfo.network, version: s.nodeInfo.version, moniker: s.nodeInfo.moniker, listen_addr: s.nodeInfo.listenAddr },
      sync_info: {
        latest_block_height: s.syncInfo.latestBlockHeight,
        latest_block_hash: hex(s.syncInfo.latestBlockHash),
        latest_app_hash: hex(s.syncInfo.latestAppHash),
        latest_block_time: s.syncInfo.latestBlockTime.toISOString(),
        catching_up: s.syncInfo.catchingUp
      },
      validator_info: { address: hex(s.validatorInfo.address), voting_power: s.validatorInfo.votingPower },
      // Ours, in node_info.other: which secp256k1 verifier the node runs and on how many threads.
      secp256k1_verifier: s.nodeInfo.other.get("secp256k1_verifier") ?? "unknown",
      signature_workers: Number(s.nodeInfo.other.get("signature_workers") ?? 0),
      // The network service when [p2p] is enabled (docs/network.md): libp2p peer id, name, listen multiaddrs.
      ...(s.nodeInfo.other.get("p2p_peer_id")
        ? { p2p: { peer_id: s.nodeInfo.other.get("p2p_peer_id")!, name: s.nodeInfo.other.get("p2p_name") ?? "", listen: (s.nodeInfo.other.get("p2p_listen") ?? "").split(",").filter((a) => a !== "") } }
        : {})
    }
    yield* emit(out, () => [
      `network:      ${out.node_info.network}`,
      `moniker:      ${out.node_info.moniker}`,
      `version:      ${out.node_info.version}`,
      `height:       ${out.sync_info.latest_block_height}`,
      `block hash:   ${out.sync_info.latest_block_hash}`,
      `app hash:     ${out.sync_info.latest_app_hash}`,
      `block time:   ${out.sync_info.latest_block_time}`,
      `catching up:  ${out.sync_info.catching_up}`,
      `validator:    ${out.validator_info.address} (power ${out.validator_info.voting_power})`,
      `verifier:     ${out.secp256k1_verifier}${out.signature_workers > 0 ? ` (+ ${out.signature_workers} pre-verification threads)` : ""}`,
      ...(out.p2p ? [`p2p name:     ${out.p2p.name}`, `p2p peer id:  ${out.p2p.peer_id}`, ...out.p2p.listen.map((a) => `p2p listen:   ${a}`)] : [])
    ].join("\n"))
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Show the node's status (chain id, latest height, hashes) from --node"))
