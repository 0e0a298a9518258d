// The conformance suite run on the example "notes" machine (test/machines/example/Notes.ts): what a
// plugin author writes to check a machine (docs/machines/writing-a-machine.md).
import { baseMachines, fundedGenesis, type MachineFixture } from "./Fixture.ts"
import { machineConformance } from "./conformance.ts"
import { MSG_ADD_NOTE, NoteCodec, NotesMachine, NOTES_QUERY, U64Codec } from "./example/Notes.ts"

const note = (author: string, text: string) => ({ typeUrl: MSG_ADD_NOTE, value: NoteCodec.encode({ author, text }) })

const fixture: MachineFixture = {
  name: "notes",
  machines: () => [...baseMachines(), new NotesMachine()],
  genesis: (keys) => fundedGenesis(keys, { notes: { notes: [{ author: keys.signer, text: "genesis note" }] } }),
  messages: (keys) => [note(keys.signer, "hello")],
  queries: () => [
    { path: NOTES_QUERY + "Note", data: U64Codec.encode(1n) },
    { path: NOTES_QUERY + "Count", data: new Uint8Array() }
  ],
  calls: (keys) => [
    { method: "count", body: new Uint8Array() },
    { method: "add", body: NoteCodec.encode({ author: keys.signer, text: "by call" }) }
  ],
  sized: (keys) => [note(keys.signer, "a"), note(keys.signer, "a much longer note ".repeat(10))],
  // the call the machine makes while handling a message, and the grant (Machine.grants) allowing it
  crossCall: (keys) => ({
    message: note(keys.signer, "needs bank.balance"),
    grant: { principal: "machine:notes", capability: { interface: "bank", method: "balance", constraints: [] } }
  })
}

machineConformance(fixture).run()
