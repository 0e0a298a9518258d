// Query/Programs (modules/cyberwasm/Programs.ts): every program record, paged as the SDK pages,
// with a bounded limit; read through the machine's query as abci_query reaches it.
import { suite } from "uvu"
import * as assert from "uvu/assert"
import { InvalidRequest, TxDecodeError } from "../../chain/ChainError.ts"
import { QueryPath } from "../../modules/cyberwasm/Messages.ts"
import { decodeProgramsResponse, encodeProgramsRequest, MAX_PROGRAMS_PAGE, type QueryProgramsRequest } from "../../modules/cyberwasm/Programs.ts"
import { addressBytes } from "../../modules/cyberwasm/internal/Address.ts"
import { TestEnv } from "../../modules/cyberwasm/TestEnv.ts"
import { program } from "./fixtures/wat.ts"

const test = suite("cyberwasm Query/Programs")
const code = program("(i32.const 0)")
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const ask = (env: TestEnv, req: QueryProgramsRequest) => {
  const bytes = env.machine.query({ chainId: "test", height: env.height, store: env.store, query: () => new Uint8Array(), callAs: () => new Uint8Array() }, QueryPath.programs, encodeProgramsRequest(req))
  return decodeProgramsResponse(bytes)
}
const page = (limit: bigint, extra: Partial<{ key: Uint8Array; offset: bigint; countTotal: boolean; reverse: boolean }> = {}) =>
  ({ pagination: { key: new Uint8Array(), offset: 0n, limit, countTotal: false, reverse: false, ...extra } })

test("no programs: an empty page, no next key, total 0", () => {
  const env = new TestEnv()
  const r = ask(env, page(10n, { countTotal: true }))
  assert.equal(r.programs, [])
  assert.is(r.pagination.nextKey.length, 0)
  assert.is(r.pagination.total, 0n)
  assert.equal(ask(env, {}).programs, [])
})

test("pages walk every program once in ascending address-byte order; the records equal Query/Program's", () => {
  const env = new TestEnv()
  const deployed = Array.from({ length: 7 }, (_, i) => env.deploy(code, { label: `p${i}`, reserve: BigInt(1000 + i) }))
  const sorted = [...deployed].sort((a, b) => Buffer.compare(Buffer.from(addressBytes(a)), Buffer.from(addressBytes(b))))
  assert.not.equal(sorted, deployed, "address order differs from creation order (the test would not see a wrong order otherwise)")
  const seen: string[] = []
  let key: Uint8Array = new Uint8Array()
  for (let i = 0; i < 10; i++) {
    const r = ask(env, page(3n, { key }))
    assert.ok(r.programs.length <= 3)
    seen.push(...r.programs.map((p) => p.address))
    for (const p of r.programs) {
      const one = env.info(p.address)
      assert.is(p.label, one.label)
      assert.is(p.reserve, one.reserve)
      assert.is(hex(p.codeHash), hex(one.codeHash))
      assert.is(p.status, "active")
    }
    if (r.pagination.nextKey.length === 0) break
    assert.is(hex(r.pagination.nextKey), hex(addressBytes(sorted[seen.length]!)), "next_key is the relative key (raw address) of the next record")
    key = r.pagination.nextKey
  }
  assert.equal(seen, sorted)
  const rev = ask(env, page(100n, { reverse: true }))
  assert.equal(rev.programs.map((p) => p.address), [...sorted].reverse())
  const off = ask(env, page(2n, { offset: 5n, countTotal: true }))
  assert.equal(off.programs.map((p) => p.address), sorted.slice(5, 7))
  assert.is(off.pagination.total, 7n, "count_total answers the number of programs")
  assert.is(off.pagination.nextKey.length, 0)
})

test("limit: 0 means the maximum page; above the maximum is refused naming the limit", () => {
  const env = new TestEnv()
  for (let i = 0; i < Number(MAX_PROGRAMS_PAGE) + 3; i++) env.deploy(code)
  const all = ask(env, page(0n, { countTotal: true }))
  assert.is(BigInt(all.programs.length), MAX_PROGRAMS_PAGE)
  assert.is(all.pagination.total, MAX_PROGRAMS_PAGE + 3n)
  assert.ok(all.pagination.nextKey.length > 0)
  assert.is(ask(env, {}).programs.length, Number(MAX_PROGRAMS_PAGE), "no pagination at all: one maximum page")
  assert.is(ask(env, page(0n, { key: all.pagination.nextKey })).programs.length, 3)
  try {
    ask(env, page(MAX_PROGRAMS_PAGE + 1n))
    assert.unreachable("a limit above the maximum must be refused")
  } catch (e) {
    assert.instance(e, InvalidRequest)
    assert.match((e as Error).message, /limit 101 exceeds the maximum of 100/)
  }
  try {
    ask(env, page(5n, { key: all.pagination.nextKey, offset: 1n }))
    assert.unreachable("key and offset together must be refused")
  } catch (e) {
    assert.instance(e, InvalidRequest)
  }
})

test("malformed request bytes are a decode error, not a crash", () => {
  const env = new TestEnv()
  try {
    env.machine.query({ chainId: "test", height: 1, store: env.store, query: () => new Uint8Array(), callAs: () => new Uint8Array() }, QueryPath.programs, Uint8Array.of(10, 50, 1))
    assert.unreachable()
  } catch (e) {
    assert.instance(e, TxDecodeError)
  }
})

test("an evicted program keeps its record and is still listed with its status", () => {
  const env = new TestEnv()
  const a = env.deploy(code, { reserve: 0n })
  const b = env.deploy(code, { reserve: 1_000_000n })
  env.advance(2000)
  const r = ask(env, page(10n, { countTotal: true }))
  const status = Object.fromEntries(r.programs.map((p) => [p.address, p.status]))
  assert.ok(status[a] === "frozen" || status[a] === "evicted", `a reserve-less program is frozen or evicted, got ${status[a]}`)
  assert.ok(b in status)
  assert.is(r.pagination.total, 2n)
})

test.run()
