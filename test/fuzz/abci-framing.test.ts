/**
 * Fuzzer of the ABCI socket framing (modules/consensus/abci/Framing.ts): random chunking of valid
 * frames round-trips; garbage yields frames or a typed FrameError with bounded buffering; oversized
 * lengths and over-long varints are refused with FrameError. See docs/fuzzing.md.
 */
import { test } from "uvu"
import { FrameDecoder } from "../../modules/consensus/abci/Framing.ts"
import { fuzz, printTotals } from "./support/Fuzz.ts"
import { garbageProperty, oversizedProperty, roundTripProperty, type FrameReaderFactory } from "./support/FramingProperty.ts"

const FILE = "test/fuzz/abci-framing.test.ts"
const real: FrameReaderFactory = (max) => new FrameDecoder(max)

test("framing: random chunking of valid frames round-trips", async () => {
  await fuzz(FILE, "framing round trip", roundTripProperty(real), 5000)
})

test("framing: garbage gives frames or FrameError, buffering bounded by the frame limit", async () => {
  await fuzz(FILE, "framing garbage", garbageProperty(real), 10000)
})

test("framing: oversized lengths and over-long varints are refused with FrameError", async () => {
  await fuzz(FILE, "framing oversized", oversizedProperty(real), 5000)
})

test.after(() => printTotals(FILE))
test.run()
