/**
 * The EVM and ZK plugins on a real node (child process, the real CLI): installed with `plugin
 * install`, activated by one governance proposal at a height (the messages of `plugin proposal` for
 * each, submitted and voted with CosmJS; zk's genesis stores a circom circuit's verifying key). Before that height an Ethereum tx is refused by the node (code 2) and no Ethereum
 * endpoint listens; after it, viem and ethers (real clients, unchanged) deploy an ERC-20 compiled
 * here from Solidity with solc, transfer, read balanceOf, fetch Transfer logs with eth_getLogs,
 * estimate gas and see a revert reason; CosmJS's bank query shows the same coins as eth_getBalance;
 * `cyberkernel tx evm send-raw` and `query evm account|call` work against it; a Solidity contract
 * verifies the circuit's proof through the zk precompile; through CosmJS, MsgVerifyProof verifies
 * the proof and refuses one changed input (zk 3), a malformed proof (zk 4) and an oversized key (zk 6).
 */
import { toBech32 } from "@cosmjs/encoding"
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing"
import { defaultRegistryTypes, SigningStargateClient, StargateClient } from "@cosmjs/stargate"
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx"
import { Contract, JsonRpcProvider, Wallet } from "ethers"
import { appendFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { test } from "uvu"
import * as assert from "uvu/assert"
import { createPublicClient, createWalletClient, defineChain, encodeFunctionData, http, parseAbiItem, type Abi } from "viem"
import { cli, root } from "../cli/cliProcess.ts"
import { editGenesis, freePort, makeHome, rpc, setGovParams, startNode, submitAndVote, type NodeProcess, type ProposalFile } from "../e2e/harness.ts"
import { ethKeys, ethPrivateKey } from "./fixtures/evmChain.ts"
import { contracts } from "./fixtures/solidity.ts"
import { buildCircuit, keyHashOf, releaseSnarkjs } from "../zk/fixtures/circuit.ts"
import { zkRegistryTypes } from "../zk/fixtures/client.ts"
import { MSG_STORE_KEY, MSG_VERIFY_PROOF } from "../../plugins/zk/Zk.ts"

const FUNDS = 10n ** 15n
const height = async (url: string): Promise<number> => Number((await rpc(url, "status")).sync_info.latest_block_height)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test("evm and zk activated by governance: refused before, then viem, ethers and CosmJS agree on one chain", async () => {
  const h = await makeHome(200)
  const ethPort = await freePort()
  const ethUrl = `http://127.0.0.1:${ethPort}`
  appendFileSync(join(h.home, "config", "config.toml"), `\n[plugins.evm]\nrpc_address = "127.0.0.1:${ethPort}"\n`)
  setGovParams(h.home, { voting_period: "3s", expedited_voting_period: "1s" })
  const [alice, bob] = ethKeys(2)
  editGenesis(h.home, (g) => {
    for (const k of [alice!, bob!]) g.app_state.bank.balances.push({ address: k.bech32, coins: [{ denom: "boot", amount: FUNDS.toString() }] })
    const supply = g.app_state.bank.supply?.find((c: { denom: string }) => c.denom === "boot")
    if (supply) supply.amount = (BigInt(supply.amount) + 2n * FUNDS).toString()
  })
  for (const p of ["evm", "zk"]) {
    const installed = await cli(["plugin", "install", join(root, "plugins", p), "--home", h.home])
    assert.is(installed.code, 0, installed.stderr)
  }
  const circuit = await buildCircuit(1)
  await releaseSnarkjs()
  const zkGenesis = join(h.home, "zk-genesis.json")
  writeFileSync(zkGenesis, JSON.stringify({ keys: [{ key: circuit.vkey }] }))
  const { Token, Cyber } = contracts()
  const abi = Token!.abi as Abi
  let node: NodeProcess | undefined
  try {
    node = await startNode(h)
    const chain = defineChain({ id: 1337, name: "cyberkernel", nativeCurrency: { name: "boot", symbol: "BOOT", decimals: 18 }, rpcUrls: { default: { http: [ethUrl] } } })
    const wallet = createWalletClient({ account: alice!.account, chain, transport: http(ethUrl) })

    // before activation: the node refuses Ethereum txs and no Ethereum endpoint listens
    const early = await alice!.account.signTransaction({ chainId: 1337, type: "eip1559", nonce: 0, gas: 21_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, to: bob!.account.address, value: 1n })
    const refused = await rpc(h.rpcUrl, "broadcast_tx_sync", { tx: early })
    assert.is(refused.code, 2, JSON.stringify(refused))
    assert.is(await fetch(ethUrl, { method: "POST" }).then(() => "listening", () => "refused"), "refused")

    const at = (await height(h.rpcUrl)) + 75
    const props = await Promise.all([
      cli(["plugin", "proposal", join(root, "plugins/evm"), "--height", String(at), "--home", h.home]),
      cli(["plugin", "proposal", join(root, "plugins/zk"), "--height", String(at), "--genesis", zkGenesis, "--home", h.home])
    ])
    for (const p of props) assert.is(p.code, 0, p.stderr)
    const file = JSON.parse(props[0]!.stdout) as ProposalFile
    file.messages.push(...(JSON.parse(props[1]!.stdout) as ProposalFile).messages)
    await submitAndVote(h, file)
    const deadline = performance.now() + 90_000
    while ((await height(h.rpcUrl)) < at && performance.now() < deadline) await sleep(200)
    assert.ok((await height(h.rpcUrl)) >= at, "the chain reached the activation height")

    // the endpoint comes up once evm is active
    const pub = createPublicClient({ chain, transport: http(ethUrl), pollingInterval: 100 })
    let chainId = 0
    for (let i = 0; i < 100 && chainId === 0; i++) chainId = await pub.getChainId().catch(() => 0) || (await sleep(100), 0)
    assert.is(chainId, 1337)

    // viem: deploy, transfer, balanceOf, logs, estimate, revert reason
    const deployHash = await wallet.deployContract({ abi, bytecode: Token!.bytecode, args: ["Cyber Token", "CYT", 1_000_000n] })
    const deployed = await pub.waitForTransactionReceipt({ hash: deployHash, timeout: 30_000 })
    assert.is(deployed.status, "success")
    const token = deployed.contractAddress!
    const gas = await pub.estimateContractGas({ address: token, abi, functionName: "transfer", args: [bob!.account.address, 100n], account: alice!.account })
    assert.ok(gas > 21_000n && gas < 200_000n, `estimate ${gas}`)
    const sent = await wallet.writeContract({ address: token, abi, functionName: "transfer", args: [bob!.account.address, 100n] })
    const receipt = await pub.waitForTransactionReceipt({ hash: sent, timeout: 30_000 })
    assert.is(receipt.status, "success")
    assert.ok(receipt.gasUsed <= gas, "the estimate covers the gas used")
    assert.is(await pub.readContract({ address: token, abi, functionName: "balanceOf", args: [bob!.account.address] }), 100n)
    const logs = await pub.getLogs({ address: token, event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"), fromBlock: 1n })
    assert.is(logs.length, 2)
    assert.equal(logs.map((l) => l.args.value), [1_000_000n, 100n])
    assert.is(logs[1]!.transactionHash, sent)
    const revert = await pub.simulateContract({ address: token, abi, functionName: "transfer", args: [alice!.account.address, 10n ** 9n], account: bob!.account }).then(() => "", (e: Error) => e.message)
    assert.match(revert, /ERC20: transfer amount exceeds balance/)

    // ethers: the same contract through its provider and wallet
    const provider = new JsonRpcProvider(ethUrl, 1337, { staticNetwork: true, pollingInterval: 100 })
    const bobWallet = new Wallet(ethPrivateKey(2), provider)
    const erc20 = new Contract(token, abi as never, bobWallet)
    const est = await erc20.getFunction("transfer").estimateGas(alice!.account.address, 40n)
    assert.ok(est > 21_000n)
    const tx = await erc20.getFunction("transfer")(alice!.account.address, 40n)
    const rc = await tx.wait()
    assert.is(rc.status, 1)
    assert.is(await erc20.getFunction("balanceOf")(bob!.account.address), 60n)
    const ethersRevert = await erc20.getFunction("transfer")(alice!.account.address, 10n ** 9n).then(() => "", (e: { reason?: string; code?: string }) => `${e.code}: ${e.reason}`)
    assert.is(ethersRevert, "CALL_EXCEPTION: ERC20: transfer amount exceeds balance")
    const filtered = await provider.getLogs({ address: token, fromBlock: 1, topics: [null, null, "0x" + alice!.account.address.slice(2).toLowerCase().padStart(64, "0")] })
    assert.equal(filtered.map((l) => BigInt(l.data)), [1_000_000n, 40n], "the Transfers to alice (mint, then bob's), by topic")
    provider.destroy()

    // CosmJS sees the same coins as eth_getBalance
    const stargate = await StargateClient.connect(h.rpcUrl)
    for (const k of [alice!, bob!]) {
      const viaEth = await pub.getBalance({ address: k.account.address })
      const viaBank = BigInt((await stargate.getBalance(toBech32("cyber", Buffer.from(k.account.address.slice(2), "hex")), "boot")).amount)
      assert.is(viaBank, viaEth)
      assert.ok(viaEth < FUNDS, "fees were paid in boot")
    }
    stargate.disconnect()

    // the CLI: a raw value transfer with `tx evm send-raw`, state with `query evm account|call`
    const rpcFlags = ["--node", h.rpcUrl, "--output", "json"]
    const nonce = await pub.getTransactionCount({ address: alice!.account.address })
    const raw = await alice!.account.signTransaction({ chainId: 1337, type: "eip1559", nonce, gas: 21_000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, to: bob!.account.address, value: 12_345n })
    const bobBefore = await pub.getBalance({ address: bob!.account.address })
    const sentRaw = await cli(["tx", "evm", "send-raw", raw, ...rpcFlags])
    assert.is(sentRaw.code, 0, sentRaw.stderr)
    const rawHash = JSON.parse(sentRaw.stdout).hash as `0x${string}`
    assert.is((await pub.waitForTransactionReceipt({ hash: rawHash, timeout: 30_000 })).status, "success")
    const shown = await cli(["query", "evm", "account", bob!.account.address, ...rpcFlags])
    assert.is(shown.code, 0, shown.stderr)
    assert.is(BigInt(JSON.parse(shown.stdout).balance), bobBefore + 12_345n)
    const viaCli = await cli(["query", "evm", "call", token, "--data", encodeFunctionData({ abi, functionName: "balanceOf", args: [bob!.account.address] }), ...rpcFlags])
    assert.is(BigInt(JSON.parse(viaCli.stdout).return_data), 60n)
    const replay = await cli(["tx", "evm", "send-raw", raw, ...rpcFlags])
    assert.is(replay.code, 1)
    assert.match(replay.stderr, /refused with code 3: tx already exists in cache/, "the mempool's cache refuses the same bytes again (a new replay is refused by nonce: test/evm/machine)")

    // both plugins on one chain: a contract verifies the circuit's proof through the zk precompile
    const cyberAbi = Cyber!.abi as Abi
    const made = await pub.waitForTransactionReceipt({ hash: await wallet.deployContract({ abi: cyberAbi, bytecode: Cyber!.bytecode }), timeout: 30_000 })
    const verify = (inputs: bigint[]) => pub.readContract({ address: made.contractAddress!, abi: cyberAbi, functionName: "verify", args: [`0x${keyHashOf(circuit.vkey)}`, circuit.proof, inputs] })
    assert.is(await verify(circuit.publicSignals.map(BigInt)), true)
    assert.is(await verify(circuit.publicSignals.map((x, i) => BigInt(x) + (i === 0 ? 1n : 0n))), false)

    // zk messages through CosmJS on the same node: a valid proof verifies; one changed input, a
    // malformed proof and an oversized key are refused with zk's typed codes; the chain goes on
    const dev = await DirectSecp256k1HdWallet.fromMnemonic(h.mnemonic, { prefix: "cyber" })
    const signing = await SigningStargateClient.connectWithSigner(h.rpcUrl, dev, { registry: new Registry([...defaultRegistryTypes, ...zkRegistryTypes]), broadcastPollIntervalMs: 100 })
    const fee = { amount: [{ denom: "boot", amount: "20000" }], gas: "2000000" }
    const enc = (t: string) => new TextEncoder().encode(t)
    const zkTx = async (msg: { typeUrl: string; value: unknown }) => {
      const signed = await signing.sign(h.devAddress, [msg], fee, "")
      // JSON-RPC POST: the oversized key does not fit a GET URL
      const r = await fetch(h.rpcUrl, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "broadcast_tx_sync", params: { tx: Buffer.from(TxRaw.encode(signed).finish()).toString("base64") } })
      })
      const j = (await r.json()) as { result?: { code: number; codespace: string; log: string }; error?: unknown }
      if (!j.result) throw new Error(`broadcast_tx_sync: ${JSON.stringify(j.error)}`)
      return j.result
    }
    const proofMsg = (inputs: ReadonlyArray<string>, proof = circuit.proof) =>
      ({ typeUrl: MSG_VERIFY_PROOF, value: { sender: h.devAddress, keyHash: keyHashOf(circuit.vkey), proof: enc(proof), publicInputs: inputs } })
    const changed = await zkTx(proofMsg([String(BigInt(circuit.publicSignals[0]!) + 1n), ...circuit.publicSignals.slice(1)]))
    assert.equal([changed.code, changed.codespace], [3, "zk"], changed.log)
    const malformed = await zkTx(proofMsg(circuit.publicSignals, "{\"pi_a\": 1}"))
    assert.equal([malformed.code, malformed.codespace], [4, "zk"], malformed.log)
    const oversized = await zkTx({ typeUrl: MSG_STORE_KEY, value: { sender: h.devAddress, key: enc(circuit.vkey + " ".repeat(40_000)) } })
    assert.equal([oversized.code, oversized.codespace], [6, "zk"], oversized.log)
    const verified = await signing.signAndBroadcast(h.devAddress, [proofMsg(circuit.publicSignals)], fee)
    assert.is(verified.code, 0, verified.rawLog)
    assert.ok(verified.events.some((e) => e.type === "zk_proof_verified"), "the verification is recorded")
    signing.disconnect()
  } finally {
    await node?.kill("SIGTERM")
  }
})

test.run()
