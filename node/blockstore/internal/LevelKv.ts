/**
 * OrderedKv over LevelDB (`level` 10 / classic-level): UTF-8 keys, Uint8Array values, batches
 * written atomically by LevelDB's WriteBatch.
 */
import { Level } from "level"
import type { KvOp, OrderedKv } from "./OrderedKv.ts"

/** Open (creating if missing) a LevelDB database at `path`. */
export const openLevelKv = async (path: string): Promise<OrderedKv> => {
  // A 32 MiB memtable (LevelDB's default is 4 MiB): one large block's results and index fit in
  // it, so a save does not wait for a memtable flush.
  const db = new Level<string, Uint8Array>(path, { keyEncoding: "utf8", valueEncoding: "view", writeBufferSize: 32 * 1024 * 1024 })
  await db.open()
  return {
    get: async (key) => (await db.get(key)) as Uint8Array | undefined,
    getMany: async (keys) => (await db.getMany([...keys])) as ReadonlyArray<Uint8Array | undefined>,
    scan: async (gte, lt, reverse = false) => {
      const it = db.iterator({ gte, lt, reverse })
      const out: Array<readonly [string, Uint8Array]> = []
      try {
        for (;;) {
          const batch = await it.nextv(1000)
          if (batch.length === 0) return out
          for (const e of batch) out.push(e as readonly [string, Uint8Array])
        }
      } finally {
        await it.close()
      }
    },
    batch: (ops: ReadonlyArray<KvOp>) => db.batch(ops.map((o) => (o.type === "put" ? { type: "put", key: o.key, value: o.value } : { type: "del", key: o.key }))),
    close: () => db.close()
  }
}
