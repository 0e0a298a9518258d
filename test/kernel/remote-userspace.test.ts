/**
 * `request_networking` in a package manifest means something: the installed component holds the
 * kernel's networking capability and its send-and-await-response reaches a process on another
 * node (in-memory transport between two kernels); without it the kernel refuses the send.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { strToU8, zipSync } from "fflate"
import { readFile } from "node:fs/promises"
import { NETWORKING } from "../../capabilities/Capability.ts"
import { KERNEL_PROCESS } from "../../kernel/Address.ts"
import { makeKernel } from "../../kernel/Kernel.ts"
import { response } from "../../kernel/Message.ts"
import { buildComponent, CACHE_DIR } from "../../kernel/userspace/Build.ts"
import { Installer } from "../../packages/Installer.ts"
import { ask, json, parse, pid, removeHome, SERVICE_SOURCE, startNode, tempHome } from "../userspace/setup.ts"
import { MemoryNetwork } from "./remote-memory.ts"

const entry = (name: string, networking: boolean) => ({
  process_name: name,
  process_wasm_path: "/svc.wasm",
  on_exit: "None",
  request_networking: networking,
  request_capabilities: [],
  grant_capabilities: [],
  public: true
})

test("a component with request_networking calls a process on another node; one without is refused", async () => {
  const wasm = new Uint8Array(await readFile(await buildComponent(SERVICE_SOURCE)))
  const zip = zipSync({
    "pkg/manifest.json": strToU8(JSON.stringify([entry("net", true), entry("local", false)])),
    "pkg/metadata.json": strToU8(JSON.stringify({ properties: { package_name: "demo", publisher: "alice.os" } })),
    "pkg/svc.wasm": wasm
  }, { level: 0 })
  const home = await tempHome()
  const node = await startNode(home)
  const bob = makeKernel({ node: "bob.os" })
  const net = new MemoryNetwork()
  node.kernel.attachTransport(net.transport("alice.os"))
  bob.attachTransport(net.transport("bob.os"))
  try {
    const installer = await Installer.open(home, { cacheDir: CACHE_DIR })
    let shown: unknown
    const p = await installer.install(zip, (requested) => ((shown = requested), true))
    assert.equal((shown as Array<{ networking: boolean }>).map((r) => r.networking), [true, false], "approval shows the request")
    await installer.startPackage(node.kernel, p, { state: node.runtime.state })
    const netId = pid("net", "demo", "alice.os")
    const localId = pid("local", "demo", "alice.os")
    assert.ok(node.kernel.hasCapability(netId, { issuer: KERNEL_PROCESS, params: NETWORKING }))
    assert.not.ok(node.kernel.hasCapability(localId, { issuer: KERNEL_PROCESS, params: NETWORKING }))

    const sources: string[] = []
    bob.spawn({
      id: pid("echo", "test", "sys"),
      public: true,
      process: {
        onRequest(ctx, source, req) {
          sources.push(`${source.node}@${source.process.processName}`)
          ctx.respond(response(json({ echoed: parse(req.body) })))
        }
      }
    })
    const client = node.kernel.spawn({ id: pid("client"), process: {} })
    const call = { op: "call", target: "bob.os@echo:test:sys", body: { hi: 1 } }
    assert.equal(await ask(client, netId, call), { echoed: { hi: 1 } })
    assert.equal(sources, ["alice.os@net"], "bob saw the component as the sender")
    const refused = await ask(client, localId, call)
    // The WIT send-error has only offline/timeout: the host reports CapabilityNotHeld as offline.
    assert.equal(refused, { error: "offline" })
    assert.equal(sources, ["alice.os@net"], "nothing reached bob")
    // The grant is recorded with the package's capabilities, so it survives a node restart.
    await installer.snapshotCapabilities(node.kernel)
    const again = await Installer.open(home, { cacheDir: CACHE_DIR })
    assert.ok(again.get(p.id)!.capabilities["net"]!.some((c) => c.issuer === "kernel:distro:sys" && c.params === NETWORKING))
  } finally {
    await node.stop()
    bob.shutdown()
    await removeHome(home)
  }
})

test.run()
