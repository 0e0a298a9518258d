/**
 * Support for @confio/relayer tests and benches: one chain started by the CLI (test/e2e/harness.ts)
 * with the modules given, a relayer client on its first dev account and a CosmJS client for a
 * second account of the same mnemonic (m/44'/118'/0'/0/1), funded from the first, so the user who
 * transfers is never the relayer paying fees.
 */
import * as assert from "uvu/assert"
import { stringToPath } from "@cosmjs/crypto"
import { DirectSecp256k1HdWallet, Registry, type GeneratedType } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate"
import relayerClient from "@confio/relayer/build/lib/ibcclient.js"
import relayerLink from "@confio/relayer/build/lib/link.js"
import { makeHome, startNode, type NodeProcess, type TestHome } from "../e2e/harness.ts"

/** The relayer's classes, imported past its index (which needs its own devDependencies). */
export const { IbcClient } = relayerClient
export const { Link } = relayerLink
export type IbcClient = Awaited<ReturnType<typeof IbcClient.connectWithSigner>>
export type Link = Awaited<ReturnType<typeof Link.createWithNewConnections>>

/** ICS-04 orders (cosmjs-types ibc/core/channel/v1 Order). */
export const ORDER_UNORDERED = 1
export const ORDER_ORDERED = 2

/** One running chain. */
export interface RelayerChain {
  readonly h: TestHome
  readonly node: NodeProcess
  /** The relayer's client, signing as `relayer`. */
  readonly ibc: IbcClient
  readonly query: StargateClient
  readonly relayer: string
  readonly user: string
  /** CosmJS client of the wallet holding both accounts. */
  readonly client: SigningStargateClient
}

/** Start a chain `chainId` with `modules` and fund its user with `userFunds` boot. */
export const relayerChain = async (
  chainId: string, modules: ReadonlyArray<"cyberwasm" | "ibc">, opts: { readonly userFunds?: string; readonly registryTypes?: ReadonlyArray<[string, GeneratedType]>; readonly blockTimeMs?: number } = {}
): Promise<RelayerChain> => {
  const h = await makeHome(opts.blockTimeMs ?? 300, { modules, chainId })
  const node = await startNode(h)
  const wallet = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber", hdPaths: [stringToPath("m/44'/118'/0'/0/0"), stringToPath("m/44'/118'/0'/0/1")] })
  const [relayer, user] = await wallet.getAccounts()
  const price = GasPrice.fromString("0.01boot")
  const ibc = await IbcClient.connectWithSigner(h.rpcUrl, wallet as never, relayer!.address, { gasPrice: price as never, estimatedBlockTime: opts.blockTimeMs ?? 300, estimatedIndexerTime: 100 })
  const client = await SigningStargateClient.connectWithSigner(h.rpcUrl, wallet, {
    registry: new Registry([...defaultRegistryTypes, ...(opts.registryTypes ?? [])]), gasPrice: price, broadcastPollIntervalMs: 100
  })
  const funded = await client.sendTokens(relayer!.address, user!.address, [{ denom: "boot", amount: opts.userFunds ?? "10000000" }], "auto")
  assert.is(funded.code, 0, funded.rawLog)
  return { h, node, ibc, query: await StargateClient.connect(h.rpcUrl), relayer: relayer!.address, user: user!.address, client }
}

/** The last output of both nodes, for a set-up failure's report. */
export const nodesOutput = (a: RelayerChain | undefined, b: RelayerChain | undefined): string =>
  `node A:\n${a?.node.output().slice(-3000)}\nnode B:\n${b?.node.output().slice(-3000)}\n`
