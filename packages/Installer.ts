/**
 * Installing packages on a node: files under `<home>/packages/<package>@<publisher>/pkg/`, and a
 * registry (`<home>/packages/registry.json`, node-plane JSON) of the installed packages with
 * their manifests and, per process, the capabilities it holds. `bootPackages` starts every
 * installed process with exactly the capabilities recorded (the manifest's on first start; the
 * snapshot `snapshotCapabilities` took since), its on-exit and its visibility, so after a node
 * restart every installed process runs again as it was.
 *
 * The installer process `installer:distro:sys` (private: only holders of its messaging
 * capability may use it) takes `{"op":"install","approve":true}` with the zip as the blob,
 * `{"op":"uninstall","package":"name:publisher"}` and `{"op":"list"}`; it issues the kernel
 * commands (initialize, grant, run, kill) itself. The CLI (`cyberkernel package ...`) works on a
 * stopped node's home through the same Installer.
 *
 * Source: Hyperware's app-store install flow (hyperware-ai/hyperware
 * hyperware/packages/app-store/app-store/src/utils.rs: install, manifest, capabilities).
 */
import { Data, Schema } from "effect"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import { NETWORKING } from "../capabilities/Capability.ts"
import { formatProcessId, KERNEL_PROCESS, parseProcessId, type ProcessId } from "../kernel/Address.ts"
import type { KernelApi } from "../kernel/Kernel.ts"
import { transpileComponent, type Transpiled } from "../kernel/userspace/Build.ts"
import type { LitePool } from "../kernel/userspace/LitePool.ts"
import { isLiteComponent, type LiteProgram, loadLiteProgram } from "../kernel/userspace/LiteProgram.ts"
import { loadProgram, type Program } from "../kernel/userspace/Program.ts"
import { type UserspaceOptions, userspaceProcess } from "../kernel/userspace/UserspaceProcess.ts"
import type { NativeProcess } from "../kernel/Process.ts"
import { jsonModule, ModuleError, runtimeId } from "../runtime/Module.ts"
import type { ManifestEntry } from "./Manifest.ts"
import { type CapabilityGrant, entryProcessId, type PackageContents, readPackage, resolveCapability, resolveOnExit } from "./Package.ts"

/** A refused or failed installer operation. */
export class InstallError extends Data.TaggedError("InstallError")<{ readonly package: string; readonly reason: string }> {
  override get message(): string {
    return `${this.package}: ${this.reason}`
  }
}

/** An installed package as the registry records it. */
export interface InstalledPackage {
  readonly id: string
  readonly packageName: string
  readonly publisher: string
  readonly manifest: ReadonlyArray<ManifestEntry>
  /** Process name → the capabilities it holds (absent: not yet snapshotted; the manifest's). */
  readonly capabilities: Record<string, ReadonlyArray<CapabilityGrant>>
  readonly installedAt: string
}

interface Registry {
  packages: Record<string, InstalledPackage>
}

/** Files and bytes of a package install (written so far, or in all). */
export interface InstallProgress {
  readonly files: number
  readonly bytes: number
}

/** What the approval callback sees. */
export type ApprovalRequest = PackageContents["requested"]

/**
 * How installed processes run. A component of the process-lite world (light guest,
 * docs/userspace.md "Light guests") runs on `pool`, the node's LitePool; without one it is
 * refused with InstallError. A process-v1 component runs in its own worker (UserspaceProcess).
 */
export interface PackageRunOptions extends UserspaceOptions {
  /** Linear memory cap of one instance, bytes. */
  readonly memoryLimitBytes?: number
  /** The node's light-guest pool. */
  readonly pool?: LitePool
  /** Fuel of one light-guest call (LiteOptions.fuel). */
  readonly liteFuel?: number
}

/** The installed packages of a node home. */
export class Installer {
  readonly home: string
  readonly #cacheDir: string | undefined
  /** Loaded light programs by transpiled directory: compiled once per package version. */
  readonly #lite = new Map<string, Promise<LiteProgram>>()
  /** The processes startPackage created, by process id text (for `cyberkernel ps`). */
  readonly #running = new Map<string, readonly [ProcessId, NativeProcess]>()
  #registry: Registry

  private constructor(home: string, registry: Registry, cacheDir: string | undefined) {
    this.home = home
    this.#registry = registry
    this.#cacheDir = cacheDir
  }

  /**
   * Open the registry of `home` (empty when none). `cacheDir`: where transpiled components are
   * kept, keyed by the component's hash (default: each package's `js/` folder).
   */
  static async open(home: string, options: { readonly cacheDir?: string } = {}): Promise<Installer> {
    const text = await readFile(Installer.registryPath(home), "utf8").catch(() => undefined)
    return new Installer(home, text === undefined ? { packages: {} } : (JSON.parse(text) as Registry), options.cacheDir)
  }

  static registryPath(home: string): string {
    return join(home, "packages", "registry.json")
  }

  /** The directory of package `id` (`name:publisher`). */
  packageDir(id: string): string {
    return join(this.home, "packages", id.replace(":", "@"))
  }

  /** The processes this installer started (still running or not), for ProcessStats.collectProcessStats. */
  running(): Array<readonly [ProcessId, NativeProcess]> {
    return [...this.#running.values()]
  }

  /** Installed packages, by id. */
  list(): InstalledPackage[] {
    return Object.values(this.#registry.packages).sort((a, b) => a.id.localeCompare(b.id))
  }

  get(id: string): InstalledPackage | undefined {
    return this.#registry.packages[id]
  }

  async #save(): Promise<void> {
    const path = Installer.registryPath(this.home)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(`${path}.tmp`, JSON.stringify(this.#registry, null, 2))
    await rename(`${path}.tmp`, path)
  }

  /**
   * Install the package in `zip`: check it (ManifestError naming the bad field), ask `approve`
   * with the capabilities it requests (InstallError when refused, or when already installed),
   * write its files and record it. Does not start it (bootPackages / startPackage do).
   * `onProgress`, if given, is called once before the first file (nothing written) and after
   * each file written, with what is written so far and what the package holds in all.
   */
  async install(
    zip: Uint8Array,
    approve: (requested: ApprovalRequest, pkg: PackageContents) => boolean | Promise<boolean>,
    onProgress?: (written: InstallProgress, total: InstallProgress) => void
  ): Promise<InstalledPackage> {
    const pkg = readPackage(zip)
    if (this.#registry.packages[pkg.id] !== undefined) throw new InstallError({ package: pkg.id, reason: "already installed (uninstall it first)" })
    if (!(await approve(pkg.requested, pkg))) throw new InstallError({ package: pkg.id, reason: "the requested capabilities were not approved" })
    const dir = this.packageDir(pkg.id)
    await rm(dir, { recursive: true, force: true })
    const total: InstallProgress = { files: pkg.files.size, bytes: [...pkg.files.values()].reduce((a, b) => a + b.length, 0) }
    const written = { files: 0, bytes: 0 }
    onProgress?.({ ...written }, total)
    for (const [name, bytes] of pkg.files) {
      const path = join(dir, "pkg", name)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, bytes)
      written.files++
      written.bytes += bytes.length
      onProgress?.({ ...written }, total)
    }
    const installed: InstalledPackage = {
      id: pkg.id,
      packageName: pkg.packageName,
      publisher: pkg.publisher,
      manifest: pkg.manifest,
      capabilities: {},
      installedAt: new Date().toISOString()
    }
    this.#registry.packages[pkg.id] = installed
    await this.#save()
    return installed
  }

  /** Remove package `id`: its processes (when `kernel` is given), files and registry entry. */
  async uninstall(id: string, kernel?: KernelApi): Promise<void> {
    const p = this.#registry.packages[id]
    if (p === undefined) throw new InstallError({ package: id, reason: "not installed" })
    if (kernel !== undefined) {
      for (const e of p.manifest) {
        const pid = entryProcessId(e, p.packageName, p.publisher)
        if (kernel.has(pid)) kernel.kill(pid)
        this.#running.delete(formatProcessId(pid))
      }
    }
    delete this.#registry.packages[id]
    await this.#save()
    await rm(this.packageDir(id), { recursive: true, force: true })
  }

  /** Record the capabilities every installed process holds now (call before a node stops). */
  async snapshotCapabilities(kernel: KernelApi): Promise<void> {
    for (const p of Object.values(this.#registry.packages)) {
      const caps: Record<string, CapabilityGrant[]> = {}
      for (const e of p.manifest) {
        const pid = entryProcessId(e, p.packageName, p.publisher)
        if (!kernel.has(pid)) continue
        caps[e.process_name] = kernel
          .capabilitiesOf(pid)
          .filter((c) => c.issuer.node === kernel.our)
          .map((c) => ({ issuer: formatProcessId(c.issuer.process), params: c.params }))
          .sort((a, b) => (a.issuer + a.params).localeCompare(b.issuer + b.params))
      }
      this.#registry.packages[p.id] = { ...p, capabilities: { ...p.capabilities, ...caps } }
    }
    await this.#save()
  }

  #transpile(p: InstalledPackage, e: ManifestEntry): Promise<Transpiled> {
    const dir = this.packageDir(p.id)
    return transpileComponent(join(dir, "pkg", e.process_wasm_path.replace(/^\//, "")), this.#cacheDir ?? join(dir, "js"))
  }

  /** Load the program of one manifest entry (transpiled once into the package's `js/` cache). */
  async program(p: InstalledPackage, e: ManifestEntry, memoryLimitBytes?: number): Promise<Program> {
    return loadProgram(await this.#transpile(p, e), memoryLimitBytes)
  }

  /** The process of one manifest entry: a light process on `options.pool` or a process-v1 worker. */
  async #process(p: InstalledPackage, e: ManifestEntry, options: PackageRunOptions): Promise<NativeProcess> {
    const t = await this.#transpile(p, e)
    if (!(await isLiteComponent(t))) return userspaceProcess(await loadProgram(t, options.memoryLimitBytes), options)
    const pool = options.pool
    if (pool === undefined) throw new InstallError({ package: p.id, reason: `${e.process_name} is a process-lite component and this host has no light-guest pool` })
    const key = `${t.dir}#${options.memoryLimitBytes ?? ""}`
    let program = this.#lite.get(key)
    if (program === undefined) {
      program = loadLiteProgram(t, options.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: options.memoryLimitBytes })
      this.#lite.set(key, program)
      program.catch(() => this.#lite.delete(key))
    }
    return pool.process(await program, {
      ...(options.state ? { state: options.state } : {}),
      ...(options.print ? { print: options.print } : {}),
      ...(options.liteFuel !== undefined ? { fuel: options.liteFuel } : {}),
      ...(e.pipeline !== undefined ? { pipeline: e.pipeline } : {})
    })
  }

  /**
   * Start the processes of installed package `p` on `kernel`: initialize each with its recorded
   * capabilities (or the manifest's requested ones), on-exit and visibility; then apply its
   * grant_capabilities; then run them. Processes already running are left alone.
   */
  async startPackage(kernel: KernelApi, p: InstalledPackage, options: PackageRunOptions = {}): Promise<ProcessId[]> {
    const started: ProcessId[] = []
    for (const [i, e] of p.manifest.entries()) {
      const pid = entryProcessId(e, p.packageName, p.publisher)
      if (kernel.has(pid)) continue
      // request_networking: the kernel's networking capability (messages to other nodes).
      const caps = p.capabilities[e.process_name] ??
        [...e.request_capabilities.map(resolveCapability), ...(e.request_networking ? [{ issuer: formatProcessId(KERNEL_PROCESS), params: NETWORKING }] : [])]
      const process = await this.#process(p, e, options)
      kernel.initialize({
        id: pid,
        process,
        public: e.public,
        onExit: resolveOnExit(e.on_exit, kernel.our, `manifest.json[${i}]`),
        grants: caps.map((c) => ({ issuer: parseProcessId(c.issuer), params: c.params }))
      })
      this.#running.set(formatProcessId(pid), [pid, process])
      started.push(pid)
    }
    for (const e of p.manifest) {
      const issuer = entryProcessId(e, p.packageName, p.publisher)
      for (const g of e.grant_capabilities) {
        const { issuer: holder, params } = resolveCapability(g)
        const h = parseProcessId(holder)
        if (kernel.has(h)) kernel.grant(h, [{ issuer, params }])
      }
    }
    for (const pid of started) kernel.run(pid)
    return started
  }
}

/** Start every installed package (node start). Returns the started process ids. */
export const bootPackages = async (kernel: KernelApi, installer: Installer, options: PackageRunOptions = {}): Promise<ProcessId[]> => {
  const out: ProcessId[] = []
  for (const p of installer.list()) out.push(...(await installer.startPackage(kernel, p, options)))
  return out
}

/** installer requests. */
export const InstallerRequest = Schema.Union([
  Schema.Struct({ op: Schema.Literal("install"), approve: Schema.Boolean }),
  Schema.Struct({ op: Schema.Literal("uninstall"), package: Schema.String }),
  Schema.Struct({ op: Schema.Literal("list") })
])

/** The installer process (spawn it private as `installer:distro:sys`). */
export const installerProcess = (kernel: KernelApi, installer: Installer, options: PackageRunOptions = {}): NativeProcess =>
  jsonModule(InstallerRequest, async ({ req, blob }) => {
    switch (req.op) {
      case "install": {
        if (blob === undefined) throw new ModuleError("InvalidRequest", "the package zip travels as the request's blob")
        try {
          const p = await installer.install(blob.bytes, () => req.approve)
          const started = await installer.startPackage(kernel, p, options)
          return { package: p.id, started: started.map(formatProcessId) }
        } catch (e) {
          const err = e as { _tag?: string; message?: string }
          throw new ModuleError(err._tag ?? "Failed", err.message ?? String(e))
        }
      }
      case "uninstall":
        await installer.uninstall(req.package, kernel)
        return { package: req.package }
      case "list":
        return { packages: installer.list().map((p) => ({ id: p.id, processes: p.manifest.map((e) => e.process_name) })) }
    }
  })

/** The installer's process id. */
export const INSTALLER_ID: ProcessId = runtimeId("installer")
