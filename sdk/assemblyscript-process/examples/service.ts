// The light-guest example process (an AssemblyScript component of wit/process-lite.wit). Requests
// are text commands (a JSON string's quotes are stripped, so JavaScript guests can send them):
//   ping N                      -> {"pong":N}
//   incr                        -> {"count":C}   (get-state / set-state)
//   kv-open DB REPORT           -> asks kv to open DB; kv's answer is sent to REPORT as a request
//   kv-set DB KEY VALUE REPORT  -> kv set in our package's DB; kv's answer goes to REPORT
//   share TARGET DB KEY REPORT  -> sends {"op":"kv-get",...,"package":ours} to TARGET with the
//                                  read capability of our DB attached; TARGET's answer goes to REPORT
//   pingpong TARGET N BATCH REPORT -> N "ping i" requests to TARGET, BATCH in flight; each
//                                  response is checked (order, body); then {"pairs":N,"bad":B}
//                                  goes to REPORT (the benchmark's driver)
//   relay TARGET MS REPORT BODY -> sends BODY (the rest of the words) to TARGET expecting an answer
//                                  within MS ms; the answer (or {"error":"offline"|"timeout"}) goes to REPORT
//   silent                      -> no answer (the requester times out)
//   flood N                     -> N requests to itself in one call (past the host's per-call bound: ends it)
//   spin | bomb | trap          -> loops forever | allocates without bound | traps
//   badptr                      -> send-response with a body outside linear memory (the host must
//                                  refuse it: a trap of this process only)
// Responses to our own requests carry the REPORT address as their context (pingpong: the index).
import { Capability, Message, REQUEST, RESPONSE, bytesToString, getState, onMessage, our, sendRequest, sendResponse, setState, stringToBytes } from "../assembly"
export { cabi_realloc, init, handle } from "../assembly"

// The raw import, to hand the host a bad pointer (the SDK never does).
// @ts-ignore: decorator
@external("cyberkernel:process-lite/host@0.1.0", "send-response")
declare function rawSendResponse(bptr: usize, blen: usize, kptr: usize, klen: usize): void

let self: string = ""
// pingpong run: target, pairs asked, sent, answered, wrong answers, where to report
let ppTarget: string = ""
let ppTotal: i32 = 0
let ppSent: i32 = 0
let ppDone: i32 = 0
let ppBad: i32 = 0
let ppReport: string = ""

function ppSend(): void {
  const i = ppSent++
  sendRequest(ppTarget, stringToBytes("ping " + i.toString()), 10000, stringToBytes("#" + i.toString()))
}

function ppAnswer(m: Message): void {
  const want = ppDone++
  if (m.kind != RESPONSE || bytesToString(m.context) != "#" + want.toString() || m.text() != '{"pong":' + want.toString() + "}") ppBad++
  if (ppSent < ppTotal) ppSend()
  if (ppDone == ppTotal) sendRequest(ppReport, stringToBytes('{"pairs":' + ppTotal.toString() + ',"bad":' + ppBad.toString() + "}"))
}
let keep: Array<Uint8Array> = []

function me(): string {
  if (self.length == 0) self = our()
  return self
}

/** "node@process:package:publisher" -> "package:publisher". */
function packageOf(address: string): string {
  const colon = address.indexOf(":")
  return address.substring(colon + 1)
}

function runtime(name: string): string {
  const at = me().indexOf("@")
  return me().substring(0, at) + "@" + name + ":distro:sys"
}

function reply(text: string): void {
  sendResponse(stringToBytes(text))
}

function handleRequest(m: Message): void {
  let text = m.text()
  if (text.length >= 2 && text.charCodeAt(0) == 34 && text.charCodeAt(text.length - 1) == 34) text = text.substring(1, text.length - 1)
  const words = text.split(" ")
  const op = words[0]
  if (op == "ping" && words.length == 2) {
    reply('{"pong":' + words[1] + "}")
  } else if (op == "incr") {
    const s = getState()
    const c: i32 = s == null ? 1 : I32.parseInt(bytesToString(s)) + 1
    setState(stringToBytes(c.toString()))
    reply('{"count":' + c.toString() + "}")
  } else if (op == "kv-open" && words.length == 3) {
    sendRequest(runtime("kv"), stringToBytes('{"op":"open","db":"' + words[1] + '"}'), 5000, stringToBytes(words[2]))
    reply('{"sent":true}')
  } else if (op == "kv-set" && words.length == 5) {
    const body = '{"op":"set","db":"' + words[1] + '","key":"' + words[2] + '","value":"' + words[3] + '"}'
    sendRequest(runtime("kv"), stringToBytes(body), 5000, stringToBytes(words[4]))
    reply('{"sent":true}')
  } else if (op == "share" && words.length == 5) {
    const pkg = packageOf(me())
    const cap = new Capability(runtime("kv"), '{"db":"' + pkg + "/" + words[2] + '","kv":"read"}')
    const body = '{"op":"kv-get","db":"' + words[2] + '","key":"' + words[3] + '","package":"' + pkg + '"}'
    sendRequest(words[1], stringToBytes(body), 5000, stringToBytes(words[4]), [cap])
    reply('{"sent":true}')
  } else if (op == "pingpong" && words.length == 5) {
    ppTarget = words[1]
    ppTotal = I32.parseInt(words[2])
    ppSent = ppDone = ppBad = 0
    ppReport = words[4]
    const batch = I32.parseInt(words[3])
    for (let k = 0; k < batch && ppSent < ppTotal; k++) ppSend()
    reply('{"sent":true}')
  } else if (op == "relay" && words.length >= 5) {
    const body = words.slice(4).join(" ")
    sendRequest(words[1], stringToBytes(body), I32.parseInt(words[2]), stringToBytes(words[3]))
    reply('{"sent":true}')
  } else if (op == "silent") {
    // no answer
  } else if (op == "flood" && words.length == 2) {
    const n = I32.parseInt(words[1])
    const body = stringToBytes("noop")
    for (let k = 0; k < n; k++) sendRequest(me(), body)
    reply('{"flooded":' + n.toString() + "}")
  } else if (op == "spin") {
    let i: i32 = 0
    while (i >= 0) i = (i + 1) & 0xffff
  } else if (op == "bomb") {
    for (;;) keep.push(new Uint8Array(1 << 20))
  } else if (op == "badptr") {
    rawSendResponse(<usize>0xfffffff0, 64, 0, 0)
  } else if (op == "trap") {
    unreachable()
  } else {
    reply('{"error":"unknown command"}')
  }
}

onMessage((m: Message): void => {
  if (m.kind == REQUEST) handleRequest(m)
  else if (m.context.length > 0 && m.context[0] == 35) ppAnswer(m)
  else if (m.kind == RESPONSE) sendRequest(bytesToString(m.context), m.body)
  else sendRequest(bytesToString(m.context), stringToBytes(m.kind == 2 ? '{"error":"offline"}' : '{"error":"timeout"}'))
})
