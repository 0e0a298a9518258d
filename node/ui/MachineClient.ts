/**
 * The dashboard as a kernel process (`dashboard:distro:sys`) that queries machines by message, as
 * every node-plane process does (ARCHITECTURE.md, "Two planes, one kernel"): a request to the
 * machine's process `<name>:chain:sys` with a protobuf `RequestQuery` body, answered with a
 * `ResponseQuery` (node/Node.ts machineProcess). Read-only, outside consensus, at the last commit.
 */
import { RequestQuery, ResponseQuery } from "cosmjs-types/tendermint/abci/types"
import { machineProcessId } from "../../kernel/Address.ts"
import type { KernelApi } from "../../kernel/KernelApi.ts"
import { request } from "../../kernel/Message.ts"
import { runtimeId } from "../../runtime/Module.ts"

/** Query machine `machine` at gRPC path `path` with protobuf `data`; rejects with the kernel's SendFailed (offline, timeout). */
export type MachineQuery = (machine: string, path: string, data: Uint8Array) => Promise<ResponseQuery>

/** How long a machine query may take, ms. */
export const MACHINE_QUERY_TIMEOUT_MS = 10_000

/** Spawn the dashboard's kernel process on `kernel` and return its machine query function. */
export const machineClient = (kernel: KernelApi): MachineQuery => {
  const self = kernel.spawn({ id: runtimeId("dashboard"), process: {} })
  return async (machine, path, data) => {
    const reply = await self.request(
      kernel.address(machineProcessId(machine)),
      request(RequestQuery.encode({ path, data, height: 0n, prove: false }).finish(), MACHINE_QUERY_TIMEOUT_MS)
    )
    return ResponseQuery.decode(reply.response.body)
  }
}
