/** Worker-thread entry of the TypeScript fallback, so a long fallback calculation does not block
 * the node's event loop. Receives { snapshot, params } as workerData, posts back a RankResult. */
import { parentPort, workerData } from "node:worker_threads"
import { calculateFallbackSync } from "../RankEngine.ts"

const { snapshot, params } = workerData as { snapshot: Parameters<typeof calculateFallbackSync>[0]; params: Parameters<typeof calculateFallbackSync>[1] }
const r = calculateFallbackSync(snapshot, params)
parentPort!.postMessage(r, [r.ranks.buffer as ArrayBuffer, r.published.buffer as ArrayBuffer])
