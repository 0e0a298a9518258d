/**
 * Golden app hashes, proofs and database records: a fixed sequence of random blocks
 * (support/goldenRun.ts: 24 blocks of 0 to 6,000 writes into three namespaces, pruning) must
 * give exactly what the store gave at commit d4417ae, before the commit path was reworked for
 * speed (issue 15 item 4), on the Map double (with and without pipelined batches) and on LevelDB
 * (whose batches go through the writer thread and come back as recycled buffers).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { MemoryStorage, openCommitMultiStore } from "../../store/IavlMultiStore.ts"
import { goldenRun, recordsDigest } from "./support/goldenRun.ts"

const t = suite("golden")

const names = ["bank", "graph", "wasm"]
const pruning = { keepRecent: 5, keepEvery: 8 }

/** Recorded at d4417ae (the store before the commit-speed work) with support/goldenRun.ts. */
const APP_HASHES = [
  "a76342312d6bbaa84bd59f6847b8fb1d731d1e471f2154ca15bedfd4e812c925",
  "56c2f34aef8365ea9f73539332f3c2eaeb45750ee2bab821f1fdefa5aeda0e18",
  "244f070bb137613d74914c14ce44787d284e845cca8b2cc88530df07aad8b173",
  "fe095d4ed8304fe256f75ea5c0b3f33ae64533a0cfd3d2ce77fabbb4b05d0ac8",
  "c097c00ebe472d92c92faf705af1d4d9c47fed8ac3a1f7141b9e995e28a1662a",
  "8f5a6a16d33e80d7d039a827d76c52b07ca53ab24774ebc97347f085157950d4",
  "ab62c6826c1ff80245c3a864889cdfc9a577d871b8dc579350c7eb6c15a7f6f1",
  "bb0234cbbafc50bf259d0258976d19d843b9bf7a3782be646506fc9afe6887f6",
  "26fc107ed2fa7499bc67cebadf383507f7792147fcb260a6bd6a4566e313ff5b",
  "68317c50f9267a5979d02371e743795f82b76ad757dfefaeabbe9916314e8847",
  "502bacd5e48f64fb46f66aae2f1c7d7ad369fc564cd8833598b582db432bd94e",
  "502bacd5e48f64fb46f66aae2f1c7d7ad369fc564cd8833598b582db432bd94e",
  "e22974c9d80e68d365b7c97661e60374918f035e94c7b1afd7dfcf52b8c66ad4",
  "f41601657e8264b90ebd268e96ae77770401d2c2c8c1c5a89cb7aa2834da73d2",
  "38db496b8c3371df889dd70edf7585d66b3638113ba8549ae1e0e107c5d5f39e",
  "b34ea58fd142e72146d1acca34f92c5464de6a07cf6a69403d12a5cc3f082cba",
  "f5aa6fa61a6c3782fbcb4bf2227e52a5da0f6f6da2fdf89ed47b4da929b0724a",
  "d1df6f721c0af72c3f63a0053ae927127a26995edc811152005366cf6e6dad6a",
  "7e4fcd6ccaf1b0e8a06d28836fca9998db070f18630167e56baccb6e340b1b37",
  "eda563490fcb1b51b0628b14af594712a11aa7e4f3cca8af20c40286d16af5b9",
  "8c9fa34b4de7362e43634cf863d0fe4539b5db11fff9ede838b1e05dc3664c68",
  "8c0f950d6b8eec2b32515c5629c67c4711ce19bd9cf98a7067805b0e7496be12",
  "b398ca6c288e3d9ebb4cbcfc9629f8fd7cba030295fffa0964340aac809c414f",
  "8f55588aae493c81c15ba01b09e4a022da962807c42a6711085da1340fff4ca8"
]
const PROOFS = "30e8a82b2d3b6554eadfd646a2f0c1c8487020c3ee282d41eefe9ee19fbda737"
const RECORDS = "4237a5e26c7a0a0b7455f114b7b5108c2ee0706c9c1678c42b7b44cff5476e7a"

for (const pipelined of [false, true]) {
  t(`Map double${pipelined ? " (pipelined batches)" : ""}: app hashes, proofs and every database record as at d4417ae`, async () => {
    const storage = new MemoryStorage()
    storage.pipelined = pipelined
    const ms = await openCommitMultiStore({ memory: storage, namespaces: names, pruning })
    const got = await goldenRun(ms)
    await ms.close()
    assert.equal(got.appHashes, APP_HASHES)
    assert.is(got.proofs, PROOFS)
    assert.is(recordsDigest(storage), RECORDS)
  })
}

t("LevelDB (writer thread, recycled batch buffers): app hashes and proofs as at d4417ae, and after reopening", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-golden-"))
  try {
    const ms = await openCommitMultiStore({ path: dir, namespaces: names, pruning })
    const got = await goldenRun(ms)
    await ms.close()
    assert.equal(got.appHashes, APP_HASHES)
    assert.is(got.proofs, PROOFS)
    const again = await openCommitMultiStore({ path: dir, namespaces: names, pruning })
    assert.is(Buffer.from(again.lastCommit().hash).toString("hex"), APP_HASHES.at(-1))
    await again.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

t.run()
