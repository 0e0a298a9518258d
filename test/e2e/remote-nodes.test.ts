/**
 * Issue 14 item 2 end to end: three nodes started by the CLI on loopback (`cyberkernel start`),
 * each with `[p2p]` on and a name (a.os, b.os, c.os) registered in a.os's names machine (genesis
 * records with `~net-key` = the home's node key, `~ip`, `~tcp-port`); b and c resolve names
 * through a's RPC (`[p2p] names_rpc`). A userspace component installed on a with
 * `request_networking` calls a component on c by name and gets its answer; killing c makes the
 * call fail `offline`; restarting c restores delivery without restarting a. Per-pair order holds
 * over 10,000 requests from d to c's component.
 *
 * The call is triggered by a fourth, in-process node d.os (a real kernel on a real libp2p host via
 * node/network's makeNetwork, also registered on a's chain): the CLI nodes expose no endpoint
 * that sends a kernel message, so the test asks a's component from d over the network.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { execFileSync } from "node:child_process"
import { readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { toBase64 } from "@cosmjs/encoding"
import { strToU8, zipSync } from "fflate"
import { Effect, Exit, Scope } from "effect"
import { NETWORKING } from "../../capabilities/Capability.ts"
import { KERNEL_PROCESS, parseAddress } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { request } from "../../kernel/Message.ts"
import { buildComponent } from "../../kernel/userspace/Build.ts"
import { parseNoteValue } from "../../modules/names/NoteValue.ts"
import { generateEd25519, readEd25519KeyFile } from "../../node/home/ValidatorKey.ts"
import { makeNetwork } from "../../node/network/Network.ts"
import { namesPeerDirectory } from "../../node/network/PeerDirectory.ts"
import { json, parse, SERVICE_SOURCE } from "../userspace/setup.ts"
import { editGenesis, freePort, makeHome, type NodeProcess, startNode, type TestHome } from "./harness.ts"

const root = new URL("../..", import.meta.url).pathname

/** Set `[p2p]` keys in a home's config.toml (values are TOML literals). */
const setP2p = (home: string, values: Record<string, string>): void => {
  const path = join(home, "config", "config.toml")
  const text = readFileSync(path, "utf8")
  const start = text.indexOf("\n[p2p]\n")
  assert.ok(start >= 0, "config.toml has a [p2p] table")
  const next = text.indexOf("\n[", start + 1)
  let section = text.slice(start, next < 0 ? undefined : next)
  for (const [k, v] of Object.entries(values)) {
    const re = new RegExp(`\\n${k} = .*`)
    assert.ok(re.test(section), `[p2p] ${k} exists`)
    section = section.replace(re, `\n${k} = ${v}`)
  }
  writeFileSync(path, text.slice(0, start) + section + (next < 0 ? "" : text.slice(next)))
}

const note = (key: string, text: string) => ({ key, value: toBase64(parseNoteValue(key, text)) })

const pkg = (wasm: Uint8Array, networking: boolean): Uint8Array =>
  zipSync({
    "pkg/manifest.json": strToU8(JSON.stringify([{
      process_name: "svc", process_wasm_path: "/svc.wasm", on_exit: "Restart", request_networking: networking,
      request_capabilities: [], grant_capabilities: [], public: true
    }])),
    "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: "demo", publisher: "alice.os" } })),
    "pkg/svc.wasm": wasm
  }, { level: 0 })

const install = (h: TestHome, zip: Uint8Array): void => {
  const file = join(h.home, "demo.zip")
  writeFileSync(file, zip)
  const out = execFileSync(process.execPath, [join(root, "cli/main.ts"), "package", "install", file, "--yes", "--home", h.home], { cwd: root, encoding: "utf8" })
  assert.match(out, /demo:alice\.os/)
}

test("a component on a calls one on c by name; c killed: offline; c restarted: delivered again, a never restarted", async () => {
  const wasm = new Uint8Array(readFileSync(await buildComponent(SERVICE_SOURCE)))
  const names = ["a.os", "b.os", "c.os"] as const
  const homes: Record<string, TestHome> = {}
  const ports: Record<string, number> = {}
  for (const n of names) {
    homes[n] = await makeHome(200, n === "a.os" ? { modules: ["names"] } : {})
    ports[n] = await freePort()
  }
  ports["d.os"] = await freePort()
  const dKey = generateEd25519()
  const keyOf = (n: string) => (n === "d.os" ? dKey.pubkey : readEd25519KeyFile(join(homes[n]!.home, "config", "node_key.json")).pubkey)
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
  const a = homes["a.os"]!
  editGenesis(a.home, (g) => {
    const list = g.app_state.names.names as unknown[]
    for (const n of [...names, "d.os"]) {
      list.push({ name: n, owner: a.devAddress, open: false, notes: [note("~net-key", hex(keyOf(n))), note("~ip", "127.0.0.1"), note("~tcp-port", String(ports[n]))] })
    }
  })
  for (const n of names) {
    setP2p(homes[n]!.home, {
      enabled: "true",
      listen: JSON.stringify([`/ip4/127.0.0.1/tcp/${ports[n]}`]),
      name: JSON.stringify(n),
      names_rpc: JSON.stringify(n === "a.os" ? "" : a.rpcUrl)
    })
  }
  install(a, pkg(wasm, true))
  install(homes["c.os"]!, pkg(wasm, false))

  const nodes: Record<string, NodeProcess> = {}
  const scope = Effect.runSync(Scope.make())
  try {
    for (const n of names) nodes[n] = await startNode(homes[n]!, 60_000)
    const aPid = nodes["a.os"]!.child.pid
    // d.os: a kernel on a libp2p host in this process, resolving names through a's RPC.
    const net = await Effect.runPromise(
      makeNetwork({
        key: dKey,
        our: "d.os",
        listen: [`/ip4/127.0.0.1/tcp/${ports["d.os"]}`],
        directory: namesPeerDirectory({ rpc: a.rpcUrl }),
        limits: { dialTimeoutMs: 2000, reconnectMaxMs: 1000 }
      }).pipe(Scope.provide(scope))
    )
    const kd = makeKernel({ node: "d.os" })
    kd.attachTransport(net.transport)
    const client = kd.spawn({ id: { processName: "client", packageName: "test", publisherNode: "sys" }, process: {}, grants: [{ issuer: KERNEL_PROCESS, params: NETWORKING }] })
    const svcA = parseAddress("a.os@svc:demo:alice.os")
    const callC = async (n: number) =>
      parse((await client.request(svcA, request(json({ op: "call", target: "c.os@svc:demo:alice.os", body: { op: "ping", n }, timeoutMs: 8000 }), 20_000))).response.body)

    assert.equal(await callC(1), { pong: 1 }, "a's component reached c's by name")
    assert.equal(await callC(2), { pong: 2 })

    // Per-pair order over 10,000 requests from d to c's component across the network, 256 in
    // flight: requests leave in increasing n, so answers arrive in increasing n only if c's kernel
    // received them in the order sent (the component answers one message at a time).
    const svcC = parseAddress("c.os@svc:demo:alice.os")
    const order: number[] = []
    let next = 0
    const lane = async (): Promise<void> => {
      while (next < 10_000) {
        const n = next++
        order.push((parse((await client.request(svcC, request(json({ op: "ping", n }), 120_000))).response.body) as { pong: number }).pong)
      }
    }
    const tOrder = performance.now()
    await Promise.all(Array.from({ length: 256 }, lane))
    assert.is(order.length, 10_000)
    const firstOut = order.findIndex((n, i) => n !== i)
    assert.is(firstOut, -1, `answer ${firstOut} is ping ${order[firstOut]}`)
    console.log(`10,000 ordered round trips d -> c in ${(performance.now() - tOrder).toFixed(0)} ms`)

    await nodes["c.os"]!.kill("SIGKILL")
    const t0 = performance.now()
    assert.equal(await callC(3), { error: "offline" }, "c is down: a's component gets offline")
    const offlineMs = performance.now() - t0
    assert.ok(offlineMs < 8000, "offline came before the 8 s timeout")

    nodes["c.os"] = await startNode(homes["c.os"]!, 60_000)
    // a's transport may be in its reconnect back-off: ask until delivered (bounded).
    let answer: unknown
    const t1 = performance.now()
    const end = t1 + 30_000
    let tries = 0
    for (let i = 4; performance.now() < end; i++) {
      tries++
      answer = await callC(i)
      if ((answer as { pong?: number }).pong === i) break
      await new Promise((r) => setTimeout(r, 250))
    }
    assert.ok((answer as { pong?: number }).pong !== undefined, `delivery restored, last answer ${JSON.stringify(answer)}`)
    console.log(`offline after ${offlineMs.toFixed(0)} ms; delivered again ${(performance.now() - t1).toFixed(0)} ms after c answered RPC (${tries} tries)`)
    assert.is(nodes["a.os"]!.child.exitCode, null, "a ran throughout")
    assert.is(nodes["a.os"]!.child.pid, aPid, "the same a process")
    kd.shutdown()
  } catch (e) {
    for (const n of names) process.stderr.write(`---- ${n}\n${nodes[n]?.output().slice(-3000) ?? ""}\n`)
    throw e
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    for (const n of names) await nodes[n]?.kill()
    for (const n of names) rmSync(homes[n]!.home, { recursive: true, force: true })
  }
})

test.run()
