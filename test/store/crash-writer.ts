/**
 * Child process of persistence.test.ts: commits versions to a LevelDB store as fast as it can
 * and prints "version apphash-hex" after each commit resolves, until it is SIGKILLed.
 */
import { fileURLToPath } from "node:url"
import { openCommitMultiStore } from "../../store/IavlMultiStore.ts"

// Only as a child process: `uvu test/store` without a file pattern imports every file, and
// would then open (and recover stray logs into) a LevelDB in the test folder itself.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2]!
  const ms = await openCommitMultiStore({ path: dir, namespaces: ["a", "b"], pruning: { keepRecent: 4, keepEvery: 0 } })
  let x = 1
  for (let v = 1; v < 100000; v++) {
    for (let j = 0; j < 300; j++) {
      x = (x * 1103515245 + 12345) % 2147483648
      const k = new TextEncoder().encode(`k${x % 5000}`)
      if (x % 7 === 0) ms.store(x % 2 ? "a" : "b").delete(k)
      else ms.store(x % 2 ? "a" : "b").set(k, new TextEncoder().encode(`${v}`))
    }
    const c = await ms.commit()
    process.stdout.write(`${c.version} ${Buffer.from(c.hash).toString("hex")}\n`)
  }
}
