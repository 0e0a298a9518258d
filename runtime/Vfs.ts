/**
 * The `vfs:distro:sys` runtime module: drives per package under `<root>/<package>/<drive>/`.
 *
 * Requests (JSON; file data travels as the message's blob both ways):
 * - `{"op":"create-drive","drive"}`: the caller's package drive; the caller gets
 *   `{"vfs":"read","drive":"<package>/<drive>"}` and `{"vfs":"write",...}` issued by vfs;
 * - `{"op":"write","drive","path","package"?}` (blob = contents; needs write),
 *   `{"op":"read",...}` → blob (needs read), `{"op":"list",...}` → `{"entries":[...]}` (read),
 *   `{"op":"remove",...}` (write), `{"op":"mkdir",...}` (write).
 *
 * Path confinement: a path is relative, `/`-separated segments of `[A-Za-z0-9._-]` with no
 * empty, `.` or `..` segment and no backslash or NUL; every existing component is checked with
 * lstat and a symbolic link anywhere on the path is refused (`PathRefused`), and files are
 * opened with O_NOFOLLOW. So no request reaches outside its drive by `..`, links or absolute paths.
 *
 * Source: Hyperware's vfs runtime module (hyperware-ai/hyperware kernel/src/vfs.rs).
 */
import { Schema } from "effect"
import { constants } from "node:fs"
import { lstat, mkdir, open, readdir, rm } from "node:fs/promises"
import { join } from "node:path"
import type { Address } from "../kernel/Address.ts"
import type { KernelApi } from "../kernel/Kernel.ts"
import { response } from "../kernel/Message.ts"
import type { NativeProcess } from "../kernel/Process.ts"
import { answer, DEFER, jsonModule, ModuleError, packageOf, runtimeId } from "./Module.ts"

const Drive = Schema.String.check(Schema.isPattern(/^[a-z0-9-]{1,64}$/))
const Package = Schema.String.check(Schema.isPattern(/^[a-z0-9-]+:[a-z0-9.-]+$/))

/** vfs requests. */
export const VfsRequest = Schema.Union([
  Schema.Struct({ op: Schema.Literal("create-drive"), drive: Drive }),
  Schema.Struct({
    op: Schema.Literals(["read", "write", "list", "remove", "mkdir"]),
    drive: Drive,
    path: Schema.String,
    package: Schema.optional(Package)
  })
])

/** The params of a vfs capability on drive `drive` of `pkg`. */
export const vfsCapability = (kind: "read" | "write", pkg: string, drive: string): string => JSON.stringify({ drive: `${pkg}/${drive}`, vfs: kind })

const SEGMENT = /^[A-Za-z0-9._-]+$/

/**
 * The segments of a drive-relative path, or PathRefused: absolute paths, `..`, `.`, empty
 * segments, backslashes, NUL and characters outside `[A-Za-z0-9._-]` are refused. "" is the root.
 */
export const confinePath = (path: string): string[] => {
  if (path === "") return []
  if (path.startsWith("/")) throw new ModuleError("PathRefused", `absolute path ${JSON.stringify(path)}`)
  const parts = path.split("/")
  for (const p of parts) {
    if (p === "" || p === "." || p === ".." || !SEGMENT.test(p)) {
      throw new ModuleError("PathRefused", `path ${JSON.stringify(path)}: segment ${JSON.stringify(p)} is not allowed`)
    }
  }
  return parts
}

/** Refuse when any existing component under `base` along `parts` is a symbolic link. */
const noLinks = async (base: string, parts: ReadonlyArray<string>): Promise<void> => {
  let p = base
  for (const seg of ["", ...parts]) {
    if (seg !== "") p = join(p, seg)
    const st = await lstat(p).catch(() => undefined)
    if (st === undefined) return
    if (st.isSymbolicLink()) throw new ModuleError("PathRefused", `a symbolic link on the path (${seg || "drive root"})`)
  }
}

/** The vfs module over `root`. */
export const vfsModule = (kernel: KernelApi, root: string): NativeProcess => {
  const self: Address = kernel.address(runtimeId("vfs"))
  const need = (source: Address, kind: "read" | "write", pkg: string, drive: string): void => {
    if (!kernel.hasCapability(source, { issuer: self, params: vfsCapability(kind, pkg, drive) })) {
      throw new ModuleError("CapabilityNotHeld", `${kind} of drive ${pkg}/${drive} needs its ${kind} capability`)
    }
  }
  const driveDir = (pkg: string, drive: string): string => join(root, pkg.replace(":", "@"), drive)

  return jsonModule(VfsRequest, ({ ctx, source, req, blob }) => {
    if (req.op === "create-drive") {
      const pkg = packageOf(source)
      return mkdir(driveDir(pkg, req.drive), { recursive: true }).then(() => {
        kernel.grant(source, [
          { issuer: self, params: vfsCapability("read", pkg, req.drive) },
          { issuer: self, params: vfsCapability("write", pkg, req.drive) }
        ])
        return { drive: `${pkg}/${req.drive}` }
      })
    }
    const pkg = req.package ?? packageOf(source)
    need(source, req.op === "read" || req.op === "list" ? "read" : "write", pkg, req.drive)
    const parts = confinePath(req.path)
    const base = driveDir(pkg, req.drive)
    const target = join(base, ...parts)
    const run = async (): Promise<unknown> => {
      await noLinks(base, parts)
      switch (req.op) {
        case "write": {
          if (parts.length === 0) throw new ModuleError("PathRefused", "cannot write the drive root")
          await mkdir(join(base, ...parts.slice(0, -1)), { recursive: true })
          await noLinks(base, parts)
          const f = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW)
          try {
            await f.writeFile(blob?.bytes ?? new Uint8Array(0))
          } finally {
            await f.close()
          }
          return { written: blob?.bytes.length ?? 0 }
        }
        case "read": {
          const f = await open(target, constants.O_RDONLY | constants.O_NOFOLLOW).catch((e: NodeJS.ErrnoException) => {
            throw new ModuleError(e.code === "ENOENT" ? "NotFound" : "PathRefused", `${req.path}: ${e.code}`)
          })
          try {
            return { bytes: await f.readFile() }
          } finally {
            await f.close()
          }
        }
        case "list":
          return { entries: (await readdir(target)).sort() }
        case "remove":
          await rm(target, { recursive: true, force: true })
          return true
        case "mkdir":
          await mkdir(target, { recursive: true })
          return true
      }
    }
    const pending = ctx.pending()
    run().then(
      (v) => {
        if (pending === undefined) return
        const r = v as { bytes?: Uint8Array }
        if (r?.bytes !== undefined) ctx.respondTo(pending, response(answer({ ok: { size: r.bytes.length } })), { bytes: r.bytes })
        else ctx.respondTo(pending, response(answer({ ok: v ?? null })))
      },
      (e: unknown) => {
        if (pending === undefined) return
        const err = e instanceof ModuleError ? { tag: e.tag, message: e.message } : { tag: "Failed", message: String(e) }
        ctx.respondTo(pending, response(answer({ error: err })))
      }
    )
    return DEFER
  })
}
