// The machine conformance suite (test/machines/conformance.ts) on the names machine (modules/names).
import { QUERY_NAMES_BY_OWNER, QUERY_NOTE, QUERY_RESOLVE, QueryNamesByOwnerRequest, QueryNoteRequest, QueryResolveRequest } from "../../modules/names/Messages.ts"
import { NoteRequest, ResolveRequest } from "../../chain/generated/names.ts"
import { baseMachines, fundedGenesis, type MachineFixture } from "../machines/Fixture.ts"
import { machineConformance } from "../machines/conformance.ts"
import { names, namesGenesis, register, setNote, transfer } from "./support.ts"

const fixture: MachineFixture = {
  name: "names",
  machines: () => [...baseMachines(), names()],
  genesis: (keys) => fundedGenesis(keys, { names: namesGenesis(keys.signer) }),
  messages: (keys) => [
    register(keys.signer, "alice.os"),
    register(keys.signer, "chess.alice.os"),
    register(keys.signer, "bob.sys"),
    setNote(keys.signer, "alice.os", "~net-key", new Uint8Array(32).fill(7)),
    transfer(keys.signer, "bob.sys", keys.other)
  ],
  queries: (keys) => [
    { path: QUERY_RESOLVE, data: QueryResolveRequest.encode({ name: "alice.os" }).finish() },
    { path: QUERY_NOTE, data: QueryNoteRequest.encode({ name: "gen.os", key: "~ip" }).finish() },
    { path: QUERY_NAMES_BY_OWNER, data: QueryNamesByOwnerRequest.encode({ owner: keys.signer, startAfter: "", limit: 10 }).finish() }
  ],
  calls: () => [
    { method: "resolve", body: ResolveRequest.encode({ name: "gen.os" }) },
    { method: "note", body: NoteRequest.encode({ name: "gen.os", key: "~ip" }) }
  ],
  sized: (keys) => [setNote(keys.signer, "alice.os", "~a", Uint8Array.of(1)), setNote(keys.signer, "alice.os", "~b", new Uint8Array(2000).fill(1))]
}

machineConformance(fixture).run()
