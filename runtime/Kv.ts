/**
 * The `kv:distro:sys` runtime module: per-package key-value databases on LevelDB, under
 * `<root>/<package>/<db>` (package = `package:publisher` of the opener).
 *
 * Requests (JSON; keys and values are strings):
 * - `{"op":"open","db"}`: create or open the caller's package database `db`; the caller gets the
 *   capabilities `{"kv":"read","db":"<package>/<db>"}` and `{"kv":"write",...}` issued by kv.
 * - `{"op":"get","db","key","package"?}` → `{"value": string|null}` (needs read);
 * - `{"op":"set","db","key","value","package"?,"tx"?}`, `{"op":"delete",...}` (need write);
 * - `{"op":"begin","db","package"?}` → `{"tx": n}`; sets/deletes with `tx` are buffered and
 *   applied atomically (one LevelDB batch) by `{"op":"commit","tx"}` (needs write). Reads see
 *   committed data only.
 * `package` names another package's database: access then rests on capabilities that package
 * shared (attach them to a message; the receiver saves them with save-capabilities), and grants
 * exactly what they say (a read capability does not allow writes).
 *
 * Source: Hyperware's kv runtime module (hyperware-ai/hyperware kernel/src/kv.rs; RocksDB there).
 */
import { Schema } from "effect"
import { Level } from "level"
import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import type { KernelApi } from "../kernel/Kernel.ts"
import type { Address } from "../kernel/Address.ts"
import type { NativeProcess } from "../kernel/Process.ts"
import { jsonModule, ModuleError, packageOf, runtimeId } from "./Module.ts"

const Name = Schema.String.check(Schema.isPattern(/^[a-z0-9-]{1,64}$/))
const Package = Schema.String.check(Schema.isPattern(/^[a-z0-9-]+:[a-z0-9.-]+$/))
const Key = Schema.String

/** kv requests. */
export const KvRequest = Schema.Union([
  Schema.Struct({ op: Schema.Literal("open"), db: Name }),
  Schema.Struct({ op: Schema.Literal("get"), db: Name, key: Key, package: Schema.optional(Package) }),
  Schema.Struct({ op: Schema.Literal("set"), db: Name, key: Key, value: Schema.String, package: Schema.optional(Package), tx: Schema.optional(Schema.Number) }),
  Schema.Struct({ op: Schema.Literal("delete"), db: Name, key: Key, package: Schema.optional(Package), tx: Schema.optional(Schema.Number) }),
  Schema.Struct({ op: Schema.Literal("begin"), db: Name, package: Schema.optional(Package) }),
  Schema.Struct({ op: Schema.Literal("commit"), tx: Schema.Number })
])

/** The params of a kv capability on database `db` of `pkg`. */
export const kvCapability = (kind: "read" | "write", pkg: string, db: string): string => JSON.stringify({ db: `${pkg}/${db}`, kv: kind })

type Op = { type: "put"; key: string; value: string } | { type: "del"; key: string }

/** The kv module over `root` (a directory; one LevelDB per package database). */
export const kvModule = (kernel: KernelApi, root: string): NativeProcess & { close(): Promise<void> } => {
  const self: Address = kernel.address(runtimeId("kv"))
  const dbs = new Map<string, Level<string, string>>()
  /** Per database, the tail of its operation chain: requests apply in arrival order. */
  const tails = new Map<string, Promise<unknown>>()
  const txs = new Map<number, { name: string; ops: Op[]; owner: string }>()
  let nextTx = 1

  const serial = <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const r = (tails.get(name) ?? Promise.resolve()).then(f, f)
    tails.set(name, r.catch(() => undefined))
    return r
  }
  const db = async (name: string, create: boolean): Promise<Level<string, string>> => {
    let d = dbs.get(name)
    if (d !== undefined) return d
    const [pkg, dbName] = name.split("/") as [string, string]
    const dir = join(root, pkg.replace(":", "@"), dbName)
    if (!create) {
      const { stat } = await import("node:fs/promises")
      await stat(dir).catch(() => {
        throw new ModuleError("NoDatabase", `no database ${name}`)
      })
    }
    await mkdir(dir, { recursive: true })
    d = new Level<string, string>(dir, { valueEncoding: "utf8" })
    await d.open()
    dbs.set(name, d)
    return d
  }
  const need = (source: Address, kind: "read" | "write", pkg: string, dbName: string): string => {
    if (!kernel.hasCapability(source, { issuer: self, params: kvCapability(kind, pkg, dbName) })) {
      throw new ModuleError("CapabilityNotHeld", `${kind} of kv database ${pkg}/${dbName} needs its ${kind} capability`)
    }
    return `${pkg}/${dbName}`
  }

  const close = async (): Promise<void> => {
    const all = [...dbs.values()]
    dbs.clear()
    await Promise.all(all.map((d) => d.close()))
  }
  const process = jsonModule(
    KvRequest,
    ({ source, req }) => {
      switch (req.op) {
        case "open": {
          const pkg = packageOf(source)
          const name = `${pkg}/${req.db}`
          return serial(name, async () => {
            await db(name, true)
            kernel.grant(source, [
              { issuer: self, params: kvCapability("read", pkg, req.db) },
              { issuer: self, params: kvCapability("write", pkg, req.db) }
            ])
            return { db: name }
          })
        }
        case "get": {
          const name = need(source, "read", req.package ?? packageOf(source), req.db)
          return serial(name, async () => ({ value: (await (await db(name, false)).get(req.key)) ?? null }))
        }
        case "set":
        case "delete": {
          const name = need(source, "write", req.package ?? packageOf(source), req.db)
          const op: Op = req.op === "set" ? { type: "put", key: req.key, value: req.value } : { type: "del", key: req.key }
          if (req.tx !== undefined) {
            const tx = txs.get(req.tx)
            if (tx === undefined || tx.name !== name) throw new ModuleError("NoTransaction", `no open transaction ${req.tx} on ${name}`)
            tx.ops.push(op)
            return { buffered: tx.ops.length }
          }
          return serial(name, async () => {
            const d = await db(name, false)
            if (op.type === "put") await d.put(op.key, op.value)
            else await d.del(op.key)
            return true
          })
        }
        case "begin": {
          const name = need(source, "write", req.package ?? packageOf(source), req.db)
          const id = nextTx++
          txs.set(id, { name, ops: [], owner: `${source.node}@${source.process.processName}:${packageOf(source)}` })
          return { tx: id }
        }
        case "commit": {
          const tx = txs.get(req.tx)
          if (tx === undefined) throw new ModuleError("NoTransaction", `no open transaction ${req.tx}`)
          const [pkg, dbName] = tx.name.split("/") as [string, string]
          need(source, "write", pkg, dbName)
          txs.delete(req.tx)
          return serial(tx.name, async () => {
            await (await db(tx.name, false)).batch(tx.ops)
            return { applied: tx.ops.length }
          })
        }
      }
    },
    { terminate: () => void close() }
  )
  return Object.assign(process, { close })
}
