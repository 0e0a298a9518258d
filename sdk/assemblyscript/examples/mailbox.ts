// Async messages: "send <to> <text>", "ask <to> <text>" (send_with_reply, tag 7),
// "later <to> <blocks> <text>" (send_delayed); any other input is a received message, logged as
// "got:<text>" (replies as "reply:<tag>:<ok>:<data>") and acknowledged with "ack:<text>";
// "log" returns the log.
import { Program, bytesToString, stringToBytes, send, sendWithReply, sendDelayed, isReply, replyTag, replyOk, replyData } from "../assembly"
export { cabi_realloc } from "../assembly"

let received = ""

function append(s: string): void {
  received += (received.length > 0 ? "," : "") + s
}

export function cyberwasm_dispatch(ptr: usize, len: usize): usize {
  return Program.dispatch(ptr, len, (input: Uint8Array): Uint8Array => {
    if (isReply(input)) {
      append("reply:" + replyTag(input).toString() + ":" + (replyOk(input) ? "ok" : "err") + ":" + bytesToString(replyData(input)))
      return new Uint8Array(0)
    }
    const s = bytesToString(input)
    const parts = s.split(" ")
    if (parts[0] == "send" && parts.length >= 3) return stringToBytes(send(parts[1], stringToBytes(parts[2])).toString())
    if (parts[0] == "ask" && parts.length >= 3) return stringToBytes(sendWithReply(parts[1], stringToBytes(parts[2]), 7).toString())
    if (parts[0] == "later" && parts.length >= 4) return stringToBytes(sendDelayed(parts[1], stringToBytes(parts[3]), U64.parseInt(parts[2])).toString())
    if (s == "log") return stringToBytes(received)
    append("got:" + s)
    return stringToBytes("ack:" + s)
  })
}
