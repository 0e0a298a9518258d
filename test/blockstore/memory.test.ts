import { openMemoryBlockStore } from "../../node/blockstore/index.ts"
import { conformance } from "./conformance.ts"

conformance("memory", () => openMemoryBlockStore()).run()
