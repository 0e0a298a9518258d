/**
 * `cyberkernel package install <zip> [--yes] | list | uninstall <name:publisher>`: manage the
 * userspace packages of a node home (packages/Installer.ts). Install checks the zip and its
 * manifest (errors name the bad field), prints the capabilities each process requests and asks
 * for approval (`--yes` approves without asking; without a terminal and without --yes the install
 * is refused). While the files are written, progress goes to stderr (internal/Progress.ts: a
 * redrawn line on a terminal, plain lines in a log, then a summary line). Works on the home's
 * registry: installed packages start at the next node start
 * (bootPackages); on a running node use the installer process `installer:distro:sys`.
 *
 * `install name:publisher` installs from the node that publishes the package (packages/PeerInstall.ts):
 * the listing `name.publisher` and the serving node are read from the names machine through
 * `--node` (trusted RPC), the zip comes over libp2p, and its sha256 must equal the chain's
 * `~package-hash`. `publish <zip> <from>` keeps the zip for this node to serve
 * (packages/Published.ts) and lists it on chain in one tx signed by `from` (docs/names.md).
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { existsSync } from "node:fs"
import { Installer } from "../../packages/Installer.ts"
import type { PackageContents } from "../../packages/Package.ts"
import { CliFailure, configOrDefault, emit, home, NodeUrl, readLine } from "../Globals.ts"
import { formatBytes, Progress } from "../internal/Progress.ts"

const fail = (e: unknown) => new CliFailure({ message: e instanceof Error ? e.message : String(e) })

const PACKAGE_ID = /^[a-z0-9-]+:[a-z0-9.-]+$/

const install = Command.make("install", {
  zip: Argument.String("zip-or-package").pipe(Argument.withDescription("path of the package zip, or name:publisher to install from the node that publishes it")),
  yes: Flag.Boolean("yes").pipe(Flag.withAlias("y"), Flag.withDescription("approve the requested capabilities without asking"), Flag.withDefault(false)),
  maxBytes: Flag.Int("max-bytes").pipe(Flag.withDescription("largest zip accepted from a peer, bytes (default 32 MiB)"), Flag.withDefault(32 * 1024 * 1024))
}, ({ zip, yes, maxBytes }) =>
  Effect.gen(function* () {
    const dir = yield* home
    const installer = yield* Effect.tryPromise({ try: () => Installer.open(dir), catch: fail })
    // progress of the files written, on stderr (stdout carries the result, JSON with --output json)
    let progress: Progress | undefined
    const approve = async (requested: PackageContents["requested"], pkg: PackageContents) => {
      const lines = [`package ${pkg.id} requests:`]
      for (const r of requested) {
        lines.push(`  ${r.process}${r.networking ? " (networking)" : ""}`)
        for (const c of r.capabilities) lines.push(`    ${c.issuer} ${c.params}`)
        if (r.capabilities.length === 0) lines.push("    (no capabilities)")
      }
      process.stderr.write(lines.join("\n") + "\n")
      if (yes) return true
      if (!process.stdin.isTTY) return false
      const answer = await readLine("Approve? [y/N] ").catch(() => "")
      return /^y(es)?$/i.test(answer.trim())
    }
    const onProgress = (label: string) => (written: { files: number; bytes: number }, total: { files: number; bytes: number }) => {
      progress ??= new Progress({ label: `installing ${label}`, total: total.bytes, format: formatBytes })
      progress.set(written.bytes)
      if (written.files === total.files) progress.finish(`${total.files} files`)
    }
    if (!existsSync(zip) && PACKAGE_ID.test(zip)) {
      const node = yield* NodeUrl
      const p = yield* Effect.tryPromise({
        try: async () => {
          const { installFromPeer, withDialer } = await import("../../packages/PeerInstall.ts")
          const { rpcNameRecords, rpcNodeRecords } = await import("../../modules/names/NodeRecord.ts")
          return withDialer((libp2p) => installFromPeer(installer, zip, { libp2p, names: rpcNameRecords(node), nodes: rpcNodeRecords(node), maxBytes }, approve, onProgress(zip)))
        },
        catch: fail
      })
      return yield* emit({ installed: p.id, processes: p.manifest.map((e) => e.process_name), from: p.from, sha256: p.hash }, () =>
        `installed ${p.id} (${p.manifest.map((e) => e.process_name).join(", ")}) from ${p.from}, sha256 ${p.hash} as on chain; it starts with the node`)
    }
    const bytes = yield* Effect.tryPromise({ try: () => readFile(zip), catch: fail })
    const p = yield* Effect.tryPromise({ try: () => installer.install(new Uint8Array(bytes), approve, onProgress(basename(zip))), catch: fail })
    yield* emit({ installed: p.id, processes: p.manifest.map((e) => e.process_name) }, () => `installed ${p.id} (${p.manifest.map((e) => e.process_name).join(", ")}); it starts with the node`)
  })
).pipe(Command.withDescription("Install a package zip, or name:publisher from its publishing node, into the node home (asks to approve its capabilities; --yes to approve)"))

const publish = Command.make("publish", {
  zip: Argument.String("zip").pipe(Argument.withDescription("path of the package zip")),
  from: Argument.String("from").pipe(Argument.withDescription("key (name or address in the keyring) that owns the publisher name")),
  nodeName: Flag.String("node-name").pipe(Flag.withDescription("name of the node that serves the zip (default: [p2p] name of this home)"), Flag.withDefault(""))
}, (o) =>
  Effect.gen(function* () {
    const dir = yield* home
    const config = yield* configOrDefault(dir)
    const serving = o.nodeName !== "" ? o.nodeName : config.p2p.name
    if (serving === "") return yield* Effect.fail(new CliFailure({ message: "no serving node name: set [p2p] name in config.toml or pass --node-name" }))
    const bytes = yield* Effect.tryPromise({ try: () => readFile(o.zip), catch: fail })
    const { keepPublished } = yield* Effect.promise(() => import("../../packages/Published.ts"))
    const kept = yield* Effect.tryPromise({ try: () => keepPublished(dir, new Uint8Array(bytes)), catch: fail })
    const node = yield* NodeUrl
    const { rpcNameRecords } = yield* Effect.promise(() => import("../../modules/names/NodeRecord.ts"))
    const listed = yield* Effect.tryPromise({ try: () => rpcNameRecords(node)(kept.name), catch: fail })
    const { broadcastNames } = yield* Effect.promise(() => import("../../modules/names/cli/Commands.ts"))
    const { MSG_REGISTER_URL, MSG_SET_NOTE_URL } = yield* Effect.promise(() => import("../../modules/names/Messages.ts"))
    const hex = Buffer.from(kept.hash).toString("hex")
    process.stderr.write(`publishing ${kept.id} as ${kept.name}: ~package-hash ${hex}, ~package-node ${serving}\n`)
    yield* broadcastNames(o.from, (address) => [
      ...(listed ? [] : [{ typeUrl: MSG_REGISTER_URL, value: { sender: address, name: kept.name, owner: "" } }]),
      { typeUrl: MSG_SET_NOTE_URL, value: { owner: address, name: kept.name, key: "~package-hash", value: kept.hash } },
      { typeUrl: MSG_SET_NOTE_URL, value: { owner: address, name: kept.name, key: "~package-node", value: new TextEncoder().encode(serving) } }
    ])
  })
).pipe(Command.withDescription("Publish a package zip: keep it for this node to serve and list it on chain (name.publisher with ~package-hash and ~package-node)"))

const list = Command.make("list", {}, () =>
  Effect.gen(function* () {
    const dir = yield* home
    const installer = yield* Effect.tryPromise({ try: () => Installer.open(dir), catch: fail })
    const all = installer.list().map((p) => ({ id: p.id, processes: p.manifest.map((e) => e.process_name), installed_at: p.installedAt }))
    yield* emit(all, () => (all.length === 0 ? "no packages installed" : all.map((p) => `${p.id}  ${p.processes.join(", ")}`).join("\n")))
  })
).pipe(Command.withDescription("List installed packages"))

const uninstall = Command.make("uninstall", {
  id: Argument.String("package").pipe(Argument.withDescription("package id, name:publisher"))
}, ({ id }) =>
  Effect.gen(function* () {
    const dir = yield* home
    yield* Effect.tryPromise({ try: async () => (await Installer.open(dir)).uninstall(id), catch: fail })
    yield* emit({ uninstalled: id }, () => `uninstalled ${id}`)
  })
).pipe(Command.withDescription("Uninstall a package (its processes, files and registry entry)"))

/** `package` and its subcommands. */
export const packageCommand = Command.make("package").pipe(
  Command.withDescription("Manage userspace packages (Wasm components) of the node home"),
  Command.withSubcommands([install, publish, list, uninstall])
)
