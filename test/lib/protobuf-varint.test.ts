/** lib/ProtobufVarint.ts: cosmjs-types' 64-bit varints in [2^31, 2^32) written as protobuf specifies. */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { BinaryReader, BinaryWriter } from "cosmjs-types/binary"
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth"
import { Timestamp } from "cosmjs-types/google/protobuf/timestamp"
import { correctVarint64 } from "../../lib/ProtobufVarint.ts"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
// Base 128 varint, least significant group first (protobuf.dev encoding guide), computed here by
// BigInt arithmetic, independent of any writer.
const varint = (v: bigint): string => {
  let x = BigInt.asUintN(64, v)
  const out: number[] = []
  do {
    const b = Number(x & 127n)
    x >>= 7n
    out.push(x === 0n ? b : b | 128)
  } while (x !== 0n)
  return hex(Uint8Array.from(out))
}

const VALUES = [0n, 1n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 31n + 5n, 3_000_000_000n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 3n, 2n ** 63n - 1n]

test("uint64 and int64 write the protobuf varint for every range, and read back", () => {
  assert.ok(correctVarint64)
  for (const v of VALUES) {
    for (const kind of ["uint64", "int64"] as const) {
      const bytes = new BinaryWriter().uint32(8)[kind](v).finish()
      assert.is(hex(bytes), "08" + varint(v), `${kind} ${v}`)
      const r = new BinaryReader(bytes)
      r.uint32()
      assert.is(r[kind](), v, `${kind} ${v} read back`)
    }
  }
  const neg = new BinaryWriter().int64(-1n).finish()
  assert.is(hex(neg), varint(-1n), "int64 -1 is ten bytes, as before")
})

test("sint64 (zigzag) in the low word's sign range", () => {
  for (const v of [2n ** 30n, -(2n ** 30n) - 1n, 2n ** 31n - 1n]) {
    const bytes = new BinaryWriter().sint64(v).finish()
    assert.is(new BinaryReader(bytes).sint64(), v)
  }
})

test("an account with sequence 2^31 keeps it; a 2038 timestamp keeps its seconds", () => {
  for (const sequence of [2n ** 31n, 2n ** 31n + 5n, 2n ** 32n - 1n]) {
    const bytes = BaseAccount.encode({ address: "cyber1x", accountNumber: 2n ** 31n + 1n, sequence }).finish()
    const back = BaseAccount.decode(bytes)
    assert.is(back.sequence, sequence)
    assert.is(back.accountNumber, 2n ** 31n + 1n)
  }
  const ts = Timestamp.decode(Timestamp.encode({ seconds: 2n ** 31n + 10n, nanos: 7 }).finish())
  assert.is(ts.seconds, 2n ** 31n + 10n)
})

test.run()
