// Shared helpers of the names tests: message Anys and the machine under test.
import type { Any } from "cosmjs-types/google/protobuf/any"
import { MSG_REGISTER_URL, MSG_SET_NOTE_URL, MSG_TRANSFER_URL, MsgRegister, MsgSetNote, MsgTransfer } from "../../modules/names/Messages.ts"
import { NamesMachine } from "../../modules/names/Names.ts"

export const names = () => new NamesMachine({ bech32Prefix: "cyber" })

export const register = (sender: string, name: string, owner = ""): Any => ({ typeUrl: MSG_REGISTER_URL, value: MsgRegister.encode({ sender, name, owner }).finish() })
export const setNote = (owner: string, name: string, key: string, value: Uint8Array): Any => ({ typeUrl: MSG_SET_NOTE_URL, value: MsgSetNote.encode({ owner, name, key, value }).finish() })
export const transfer = (owner: string, name: string, newOwner: string): Any => ({ typeUrl: MSG_TRANSFER_URL, value: MsgTransfer.encode({ owner, name, newOwner }).finish() })

/** A genesis section: open zone `os` without owner, a closed zone `sys` and `gen.os` owned by `owner`. */
export const namesGenesis = (owner: string) => ({
  names: [
    { name: "os", owner: "", open: true, notes: [] },
    { name: "sys", owner, open: false, notes: [] },
    { name: "gen.os", owner, open: false, notes: [{ key: "~ip", value: Buffer.from([127, 0, 0, 1]).toString("base64") }] }
  ]
})
