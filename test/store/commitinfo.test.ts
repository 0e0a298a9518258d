/**
 * App hash = rootmulti CommitInfo hash: the cosmos-sdk store/internal/maps TestSimpleMap
 * vectors (simple Merkle map over sorted (key -> sha256(value)) pairs, RFC-6962 tree).
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { commitInfoHash } from "../../store/internal/Proof.ts"

const enc = new TextEncoder()
const vectors: Array<[string[], string[], string]> = [
  [[], [], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
  [["key1"], ["value1"], "a44d3cc7daba1a4600b00a2434b30f8b970652169810d6dfa9fb1793a2189324"],
  [["key1"], ["value2"], "0638e99b3445caec9d95c05e1a3fc1487b4ddec6a952ff337080360b0dcc078c"],
  [["key1", "key2"], ["value1", "value2"], "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3"],
  [["key2", "key1"], ["value2", "value1"], "8fd19b19e7bb3f2b3ee0574027d8a5a4cec370464ea2db2fbfa5c7d35bb0cff3"],
  [["key1", "key2", "key3"], ["value1", "value2", "value3"], "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc"],
  [["key1", "key3", "key2"], ["value1", "value3", "value2"], "1dd674ec6782a0d586a903c9c63326a41cbe56b3bba33ed6ff5b527af6efb3dc"]
]

test("cosmos-sdk maps TestSimpleMap vectors", () => {
  for (const [keys, values, want] of vectors) {
    const roots = keys.map((name, i) => ({ name, hash: enc.encode(values[i]!) }))
    assert.is(Buffer.from(commitInfoHash(roots)).toString("hex"), want, keys.join(","))
  }
})

test.run()
