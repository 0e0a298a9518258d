/**
 * CyberWasm benchmarks (issue 5). Run: `npx node bench/cyberwasm.bench.ts` (builds the example
 * programs into .cache/ on first use). Figures are ratios to a baseline measured in the same run;
 * results go to docs/performance.md ("CyberWasm").
 *
 * 1. Metering overhead: the same compute-heavy AssemblyScript program, instrumented (gas per
 *    segment, stack depth, dirty-page marks) against the uninstrumented original.
 * 2. Commit cost of a call that dirties one page: 16 MiB program against 64 KiB program, and
 *    against a fresh-instance-per-call model (CosmWasm style: instantiate + load all pages per call).
 * 3. Calls per second to the counter program through TestEnv.
 * 4. Footprint of idle programs (state bytes, live-instance heap).
 */
import { sha256 } from "../lib/Bytes.ts"
import { instrument } from "../modules/cyberwasm/instrument/Instrument.ts"
import { addressBytes } from "../modules/cyberwasm/internal/Address.ts"
import { TestEnv } from "../modules/cyberwasm/TestEnv.ts"
import { buildExamples } from "../sdk/assemblyscript/build.ts"
import { program } from "../test/cyberwasm/fixtures/wat.ts"

const wasm = await buildExamples(["compute", "counter"])
const enc = (s: string) => new TextEncoder().encode(s)
const gc = (globalThis as { gc?: () => void }).gc

const time = (f: () => void, minMs = 400): number => {
  f()
  let n = 0
  const t0 = performance.now()
  let t = t0
  while (t - t0 < minMs) {
    f()
    n++
    t = performance.now()
  }
  return (t - t0) / n
}
const best = (f: () => void, rounds = 5, minMs = 300): number => Math.min(...Array.from({ length: rounds }, () => time(f, minMs)))
const fmt = (x: number, unit: string) => `${x < 0.01 ? x.toExponential(2) : x.toFixed(3)} ${unit}`

// ---- 1. metering overhead ----
{
  const plain = new WebAssembly.Instance(new WebAssembly.Module(wasm.compute! as Uint8Array<ArrayBuffer>), { cyberwasm: { abort: () => { throw new Error("abort") } } }).exports as Record<string, Function>
  ;(plain._initialize as () => void)()
  const variants = [["gas+stack", false], ["gas+stack+dirty pages", true]] as const
  for (const [variant, dirty] of variants) {
  const prog = instrument(wasm.compute!, undefined, { dirtyTracking: dirty })
  const metered = new WebAssembly.Instance(new WebAssembly.Module(prog.code as Uint8Array<ArrayBuffer>), { cyberwasm: { abort: () => { throw new Error("abort") } } }).exports as Record<string, Function> & { __cw_gas: WebAssembly.Global }
  metered.__cw_gas.value = 1n << 62n
  ;(metered._initialize as () => void)()
  for (const [name, arg] of [["mix", 2_000_000], ["sieve", 2_000_000]] as const) {
    const a = (plain[name] as (n: number) => unknown)(arg)
    const b = (metered[name] as (n: number) => unknown)(arg)
    if (a !== b) throw new Error(`${name}: results differ ${a} vs ${b}`)
    const tp = best(() => (plain[name] as (n: number) => unknown)(arg))
    const tm = best(() => {
      metered.__cw_gas.value = 1n << 62n
      ;(metered[name] as (n: number) => unknown)(arg)
    })
    metered.__cw_gas.value = 1n << 62n
    ;(metered[name] as (n: number) => unknown)(arg)
    const points = (1n << 62n) - (metered.__cw_gas.value as bigint)
    console.log(`metering [${variant}] ${name}(${arg}): plain ${fmt(tp, "ms")}, instrumented ${fmt(tm, "ms")}, ratio ${(tm / tp).toFixed(2)}x, ${points} points (${(Number(points) / tm / 1e3).toFixed(0)} M points/s)`)
  }
  }
}

// ---- 2. commit cost: one dirty page, 16 MiB vs 64 KiB, vs fresh instance per call ----
{
  // dispatch: with a non-empty input, fill pages 1.. with 7s (so a 16 MiB program stores every page);
  // then add 1 to the i64 at `at` (one dirty page) and return an empty ok result
  const writer = (pages: number, at: number) => program(`(if (local.get 1) (then (memory.fill (i32.const 65536) (i32.const 7) (i32.const ${(pages - 1) * 65536}))))
    (i64.store (i32.const ${at}) (i64.add (i64.load (i32.const ${at})) (i64.const 1)))
    (i32.store (i32.const 16) (i32.const 0)) (i32.store (i32.const 20) (i32.const 0)) (i32.store (i32.const 24) (i32.const 0)) (i32.const 16)`, "", `(memory (export "memory") ${pages})`)
  const env = new TestEnv()
  const small = env.deploy(writer(1, 1024))
  const big = env.deploy(writer(256, 1024))
  // 255 pages new to the state at 30 gas/byte (1,966,080 gas a page) since state growth is priced
  env.call(big, enc("fill"), { gas: 1_000_000_000 })
  const empty = new Uint8Array()
  const batch = (a: string) => () => {
    for (let i = 0; i < 50; i++) env.call(a, empty)
  }
  // interleaved rounds, best of each (the machine is shared)
  let tSmall = Infinity
  let tBig = Infinity
  for (let r = 0; r < 8; r++) {
    tSmall = Math.min(tSmall, time(batch(small), 200) / 50)
    tBig = Math.min(tBig, time(batch(big), 200) / 50)
  }
  const rt = env.machine.runtime
  const info = env.info(big)
  const code = rt.code(env.store, info.codeHash)
  const tFresh = best(() => rt.restore(env.store, info, addressBytes(big), code), 3, 300)
  console.log(`commit one dirty page: 64 KiB program ${fmt(tSmall * 1000, "µs")}/call, 16 MiB program (all ${env.storedPages(big).length} pages stored) ${fmt(tBig * 1000, "µs")}/call: ratio ${(tBig / tSmall).toFixed(2)}x`)
  console.log(`fresh instance per call (CosmWasm style: instantiate + load the 256 stored pages of the 16 MiB program): ${fmt(tFresh, "ms")}, ${(tFresh / tBig).toFixed(0)}x the persistent call`)
}

// ---- 3. calls per second through TestEnv ----
{
  const env = new TestEnv()
  const c = env.deploy(wasm.counter!)
  const t = best(() => env.call(c, enc("inc")), 3, 500)
  console.log(`counter through TestEnv: ${(1000 / t).toFixed(0)} calls/s (${fmt(t * 1000, "µs")}/call)`)
}

// ---- 4. footprint of idle programs ----
{
  const env = new TestEnv()
  const hash = env.upload(wasm.counter!)
  const n = 300
  const bytes0 = env.store.bytes()
  gc?.()
  const heap0 = process.memoryUsage()
  const addrs: string[] = []
  for (let i = 0; i < n; i++) addrs.push(env.deploy(hash))
  for (const a of addrs) env.call(a, enc("inc"))
  gc?.()
  const heap1 = process.memoryUsage()
  const state = (env.store.bytes() - bytes0) / n
  const live = (heap1.rss - heap0.rss) / n
  console.log(`idle counter program: ${state.toFixed(0)} bytes of state, ${(live / 1024).toFixed(0)} KiB RSS per live instance (${n} programs; the instance cache is bounded by instanceCacheBytes)`)
}

// ---- 5. calls per second through the full transaction path (multiplexer + auth + bank + IAVL) ----
{
  const { Registry } = await import("@cosmjs/proto-signing")
  const { accountFromAny, defaultRegistryTypes, SigningStargateClient } = await import("@cosmjs/stargate")
  const { TxRaw } = await import("cosmjs-types/cosmos/tx/v1beta1/tx")
  const { CyberWasmMachine } = await import("../modules/cyberwasm/CyberWasmMachine.ts")
  const { cyberwasmRegistryTypes } = await import("../modules/cyberwasm/Client.ts")
  const { programAddress } = await import("../modules/cyberwasm/internal/Address.ts")
  const M = await import("../modules/cyberwasm/Messages.ts")
  const { CHAIN_ID, makeWallet, TestChain } = await import("../test/auth/support/Chain.ts")
  const { wallet, addresses } = await makeWallet(1)
  const alice = addresses[0]!
  const chain = await TestChain.start({
    extraMachines: [new CyberWasmMachine()],
    balances: [{ address: alice, coins: [{ denom: "boot", amount: "1000000000000" }] }]
  })
  const client = await SigningStargateClient.offline(wallet, { registry: new Registry([...defaultRegistryTypes, ...cyberwasmRegistryTypes]) })
  const accountNumber = BigInt(accountFromAny((await chain.queryClient().auth.account(alice))!).accountNumber)
  let sequence = 0
  const sign = async (msgs: Array<{ typeUrl: string; value: unknown }>, gas = 2_000_000) =>
    TxRaw.encode(await client.sign(alice, msgs, { amount: [{ denom: "boot", amount: String(gas / 100) }], gas: String(gas) }, "", { accountNumber, sequence: sequence++, chainId: CHAIN_ID })).finish()
  const setup = [
    ...(await chain.block([await sign([{ typeUrl: M.TypeUrl.storeCode, value: { sender: alice, wasmByteCode: wasm.counter! } }], 20_000_000)])),
    // the program's first page is new to the state: about 2 M gas (30 gas/byte)
    ...(await chain.block([await sign([{ typeUrl: M.TypeUrl.instantiate, value: { sender: alice, codeHash: sha256(wasm.counter!), admin: alice, input: new Uint8Array(), reserve: 1_000_000n, label: "" } }], 5_000_000)]))
  ]
  if (setup.some((r) => r.code !== 0)) throw new Error(`setup failed: ${setup.find((r) => r.code !== 0)!.log}`)
  const counter = programAddress("cyber", 0n)
  const n = 300
  const txs: Uint8Array[] = []
  for (let i = 0; i < n; i++) txs.push(await sign([{ typeUrl: M.TypeUrl.execute, value: { sender: alice, program: counter, input: enc("inc") } }]))
  const t0 = performance.now()
  const results = await chain.block(txs)
  const t = performance.now() - t0
  const failed = results.filter((r) => r.code !== 0)
  if (failed.length > 0) throw new Error(`failed txs: ${failed[0]!.log}`)
  console.log(`counter through the full tx path (one block of ${n} signed txs: ante with secp256k1 verify, fees, MsgExecute, commit): ${(n / t * 1000).toFixed(0)} tx/s (${(t / n).toFixed(2)} ms/tx)`)
}
