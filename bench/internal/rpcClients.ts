/**
 * Worker of bench/mempool-rpc.bench.ts: one keep-alive HTTP client per list of JSON-RPC bodies,
 * all lists concurrently, each list in order; posts back the wall time and each reply's
 * `result.code` (-1 for an error reply; a batch reply gives one code per element).
 */
import { Agent, request } from "node:http"
import { parentPort, workerData } from "node:worker_threads"

const { url, bodies } = workerData as { url: string; bodies: string[][] }
const target = new URL(url)

const post = (agent: Agent, body: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method: "POST", path: "/", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let out = ""
      res.setEncoding("utf8")
      res.on("data", (d: string) => (out += d))
      res.on("end", () => resolve(out))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })

const codes: number[] = []
const t = performance.now()
await Promise.all(bodies.map(async (list) => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  for (const body of list) {
    const r = JSON.parse(await post(agent, body)) as { result?: { code: number } } | Array<{ result?: { code: number } }>
    for (const one of Array.isArray(r) ? r : [r]) codes.push(one.result?.code ?? -1)
  }
  agent.destroy()
}))
parentPort!.postMessage({ seconds: (performance.now() - t) / 1000, codes })
