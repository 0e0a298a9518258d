/** Test helper: run the CLI as a child process (no shell) and collect its exit code and output. */
import { execFile } from "node:child_process"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Repository root. */
export const root = new URL("../..", import.meta.url).pathname

/** Exit code and output of one CLI run. */
export interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

/**
 * Run `node <entry> ...args` in the repository root, by default under the pinned Node running
 * the test and with cli/main.ts; `input` is written to stdin. $CYBERKERNEL_HOME points at an
 * unused directory and the keyring passphrase variable is removed, so runs never touch ~/.cyberkernel.
 */
export const cli = (args: ReadonlyArray<string>, opts: { node?: string; entry?: string; input?: string } = {}): Promise<Run> =>
  new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: "0", CYBERKERNEL_HOME: join(tmpdir(), "ck-test-unused-home") }
    delete env.CYBERKERNEL_KEYRING_PASSPHRASE
    const child = execFile(opts.node ?? process.execPath, [opts.entry ?? "cli/main.ts", ...args], { cwd: root, env },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }))
    child.stdin!.end(opts.input ?? "")
  })
