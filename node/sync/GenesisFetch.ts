/**
 * `cyberkernel start --sync-from` on a home without genesis.json: ask the peer for its genesis
 * document over `/cyberkernel/sync/1`, check it against the hash in the peer's status, and write
 * it to `<home>/config/genesis.json`, so the home is then created around the peer's chain
 * instead of a dev chain. The peer is trusted for the genesis document (as CometBFT operators
 * trust the genesis.json they download); every block after it is verified.
 */
import { randomBytes } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { equalBytes, sha256 } from "../../lib/Bytes.ts"
import { SyncClient } from "./SyncClient.ts"
import { startSyncHost } from "./SyncHost.ts"
import { canonicalJson, SyncProtocolError } from "./SyncProtocol.ts"

/** Fetch the genesis document of the peer at `address` and write it to `path`; returns its chain id. */
export const fetchGenesis = async (address: string, path: string): Promise<string> => {
  // a throwaway identity: the node key does not exist yet on a fresh home
  const host = await startSyncHost(new Uint8Array(randomBytes(32)))
  try {
    const client = await SyncClient.connect(host.libp2p, address)
    try {
      const status = await client.status()
      const json = await client.genesis()
      if (!equalBytes(sha256(json), status.genesisHash)) throw new SyncProtocolError({ reason: `${address} sent a genesis document that does not match its status hash` })
      let doc: unknown
      try {
        doc = JSON.parse(new TextDecoder().decode(json))
      } catch (e) {
        throw new SyncProtocolError({ reason: `${address} sent a genesis document that is not JSON: ${e instanceof Error ? e.message : String(e)}` })
      }
      const chainId = (doc as { chain_id?: unknown }).chain_id
      if (typeof chainId !== "string" || chainId !== status.chainId) throw new SyncProtocolError({ reason: `${address} sent a genesis document for chain ${String(chainId)}, its status says ${status.chainId}` })
      if (canonicalJson(doc) !== new TextDecoder().decode(json)) throw new SyncProtocolError({ reason: `${address} sent a genesis document that is not canonical JSON` })
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, JSON.stringify(doc, null, 2) + "\n")
      return chainId
    } finally {
      await client.close()
    }
  } finally {
    await host.stop()
  }
}
