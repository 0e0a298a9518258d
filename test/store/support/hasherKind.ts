/**
 * Prints, as one JSON line, which commit hashing this process uses (store/internal/NativeHash.ts
 * `hasherInfo()`, which reads CYBERKERNEL_STORE_HASH) and the app hash of a small fixed store,
 * so that a test can check a child process with another setting.
 */
import { MemoryStorage, openCommitMultiStore } from "../../../store/IavlMultiStore.ts"
import { hasherInfo } from "../../../store/internal/NativeHash.ts"

const ms = await openCommitMultiStore({ memory: new MemoryStorage(), namespaces: ["a", "b"] })
for (let v = 0; v < 3; v++) {
  for (let i = 0; i < 3_000; i++) ms.store(i % 3 === 0 ? "a" : "b").set(new TextEncoder().encode(`key ${(i * 7919) % 5_000}`), new TextEncoder().encode(`value ${v} ${i}`))
  await ms.commit()
}
const { hash } = ms.lastCommit()
await ms.close()
process.stdout.write(JSON.stringify({ ...hasherInfo(), appHash: Buffer.from(hash).toString("hex") }) + "\n")
