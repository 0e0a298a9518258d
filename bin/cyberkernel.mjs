#!/usr/bin/env node
/**
 * `cyberkernel` executable. The CLI is TypeScript run through Node 24's type stripping, and the
 * project pins Node 24 as the `node` devDependency; the system Node may be older (20). So: on
 * Node >= 23.6 (type stripping on by default) import cli/main.ts directly; otherwise re-exec it
 * under the pinned binary node_modules/node/bin/node with the same arguments, forwarding
 * SIGINT/SIGTERM and the exit code. Plain JavaScript so that any Node can run this file.
 */
import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const root = new URL("../", import.meta.url)
const main = new URL("cli/main.ts", root)
const [major, minor] = process.versions.node.split(".").map(Number)
const stripsTypes = major > 23 || (major === 23 && minor >= 6)

if (stripsTypes) {
  const { runCli } = await import(main.href)
  process.exitCode = await runCli(process.argv.slice(2))
  setTimeout(() => process.exit(), 5000).unref()
} else {
  const pinned = fileURLToPath(new URL("node_modules/node/bin/node", root))
  if (!existsSync(pinned)) {
    process.stderr.write(`cyberkernel needs Node >= 24 (this is ${process.version}); run \`npm install\` in ${fileURLToPath(root)} to get the pinned Node\n`)
    process.exit(1)
  }
  const child = spawn(pinned, [fileURLToPath(main), ...process.argv.slice(2)], { stdio: "inherit" })
  for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig))
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal)
    else process.exit(code ?? 1)
  })
}
