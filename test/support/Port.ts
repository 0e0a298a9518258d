/**
 * A TCP port for a test node to listen on later, chosen outside the kernel's ephemeral range.
 *
 * Why not `listen(0)`: that returns a port from the ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 on Linux), the same range the kernel
 * hands to outgoing connections. Between the pick and the node's own bind, any client socket
 * on the machine (another test's fetch, a libp2p dial) can take it, and the node then fails to
 * listen or a dial reaches the wrong process. Below the range only another explicit bind can
 * take it. Source: Linux ip-sysctl.rst, `ip_local_port_range`.
 */
import { readFileSync } from "node:fs"
import { createServer } from "node:net"

/** Lowest port of the ephemeral range; 32768 where the sysctl cannot be read (not Linux). */
const ephemeralStart = (): number => {
  try {
    const lo = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0])
    return Number.isInteger(lo) && lo > 1024 ? lo : 32768
  } catch {
    return 32768
  }
}

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = createServer()
    s.once("error", () => resolve(false))
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)))
  })

const osPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once("error", reject)
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address()
      const port = typeof addr === "object" && addr ? addr.port : 0
      s.close(() => resolve(port))
    })
  })

/**
 * A port on 127.0.0.1 that was free when checked: random in [10000, start of the ephemeral
 * range), up to 64 tries, then the OS's pick as a last resort. Not reserved: bind it soon.
 */
export const freePort = async (): Promise<number> => {
  const hi = ephemeralStart()
  const lo = 10_000
  if (hi - lo >= 1_000) {
    for (let i = 0; i < 64; i++) {
      const port = lo + Math.floor(Math.random() * (hi - lo))
      if (await bindable(port)) return port
    }
  }
  return osPort()
}
