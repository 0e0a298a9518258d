/**
 * `cyberkernel package install <zip> [--yes] | list | uninstall <name:publisher>`: manage the
 * userspace packages of a node home (packages/Installer.ts). Install checks the zip and its
 * manifest (errors name the bad field), prints the capabilities each process requests and asks
 * for approval (`--yes` approves without asking; without a terminal and without --yes the install
 * is refused). While the files are written, progress goes to stderr (internal/Progress.ts: a
 * redrawn line on a terminal, plain lines in a log, then a summary line). Works on the home's
 * registry: installed packages start at the next node start
 * (bootPackages); on a running node use the installer process `installer:distro:sys`.
 */
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { readFile } from "node:fs/promises"
import { basename } from "node:path"
import { Installer } from "../../packages/Installer.ts"
import { CliFailure, emit, home, readLine } from "../Globals.ts"
import { formatBytes, Progress } from "../internal/Progress.ts"

const fail = (e: unknown) => new CliFailure({ message: e instanceof Error ? e.message : String(e) })

const install = Command.make("install", {
  zip: Argument.String("zip").pipe(Argument.withDescription("path of the package zip")),
  yes: Flag.Boolean("yes").pipe(Flag.withAlias("y"), Flag.withDescription("approve the requested capabilities without asking"), Flag.withDefault(false))
}, ({ zip, yes }) =>
  Effect.gen(function* () {
    const dir = yield* home
    const bytes = yield* Effect.tryPromise({ try: () => readFile(zip), catch: fail })
    const installer = yield* Effect.tryPromise({ try: () => Installer.open(dir), catch: fail })
    // progress of the files written, on stderr (stdout carries the result, JSON with --output json)
    let progress: Progress | undefined
    const p = yield* Effect.tryPromise({
      try: () =>
        installer.install(new Uint8Array(bytes), async (requested, pkg) => {
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
        }, (written, total) => {
          progress ??= new Progress({ label: `installing ${basename(zip)}`, total: total.bytes, format: formatBytes })
          progress.set(written.bytes)
          if (written.files === total.files) progress.finish(`${total.files} files`)
        }),
      catch: fail
    })
    yield* emit({ installed: p.id, processes: p.manifest.map((e) => e.process_name) }, () => `installed ${p.id} (${p.manifest.map((e) => e.process_name).join(", ")}); it starts with the node`)
  })
).pipe(Command.withDescription("Install a package zip into the node home (asks to approve its capabilities; --yes to approve)"))

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
  Command.withSubcommands([install, list, uninstall])
)
