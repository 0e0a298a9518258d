/**
 * The dashboard's HTTP side (node/ui/Dashboard.ts) on a real HTTP server: static files by exact
 * name with their content types, hostile paths (`..`, encoded dots and slashes, NUL, symlinks,
 * long targets) never reading outside ui/dist, read-only methods, a 503 naming the fix when the
 * bundle is missing, and API parameter validation with typed 400s. The API context is a test
 * double: these routes are the test's own.
 */
import { test } from "uvu"
import * as assert from "uvu/assert"
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { createServer, request, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeDashboard, MAX_QUERY_PARAMS, MAX_TARGET_CHARS } from "../../node/ui/Dashboard.ts"
import { ApiError, intParam, type ApiContext, type ApiRoute } from "../../node/ui/api/index.ts"

const SECRET = "TOP-SECRET-CONTENT"

const routes: ReadonlyArray<ApiRoute> = [
  { name: "echo", description: "echo n", params: { n: intParam("a number", true), tag: { maxLength: 8, pattern: /^[a-z]+$/, expected: "1-8 lowercase letters" } }, handle: (_c, p) => ({ n: Number(p.n), tag: p.tag ?? null }) },
  { name: "missing", description: "always 404", params: {}, handle: () => { throw new ApiError({ code: "NotFound", status: 404, message: "nothing here" }) } },
  { name: "wide", description: "20 optional params", params: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`p${i}`, intParam("a number")])), handle: () => ({}) },
  { name: "broken", description: "throws", params: {}, handle: () => { throw new Error("boom") } }
]

interface Served { readonly port: number; readonly server: Server; readonly dir: string }

const serve = async (built = true): Promise<Served> => {
  const dir = mkdtempSync(join(tmpdir(), "ck-ui-unit-"))
  const dist = join(dir, "dist")
  mkdirSync(dist)
  writeFileSync(join(dir, "secret.txt"), SECRET)
  if (built) {
    writeFileSync(join(dist, "index.html"), "<!doctype html><title>t</title>")
    writeFileSync(join(dist, "app.js"), "console.log(1)")
    writeFileSync(join(dist, "app.css"), "body{}")
    symlinkSync(join(dir, "secret.txt"), join(dist, "link.txt"))
  }
  const dash = makeDashboard({ context: {} as ApiContext, distDir: dist, routes })
  const server = createServer((req, res) => {
    if (!dash.handle(req, res)) {
      res.writeHead(404)
      res.end("not the dashboard")
    }
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  return { port: (server.address() as AddressInfo).port, server, dir }
}

const stop = async (s: Served) => {
  await new Promise<void>((r) => s.server.close(() => r()))
  rmSync(s.dir, { recursive: true, force: true })
}

/** A raw request: the path is sent as given (no URL normalisation, unlike fetch). */
const raw = (port: number, path: string, method = "GET"): Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = ""
      res.setEncoding("utf8")
      res.on("data", (d) => (body += d))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body, headers: res.headers }))
    })
    req.on("error", reject)
    req.end()
  })

test("index.html at /ui and /ui/, assets by name with their content types, no-sniff and a CSP", async () => {
  const s = await serve()
  try {
    for (const p of ["/ui", "/ui/", "/ui/index.html", "/ui?x=1"]) {
      const r = await raw(s.port, p)
      assert.is(r.status, 200, p)
      assert.is(r.type, "text/html; charset=utf-8")
      assert.match(String(r.headers["content-security-policy"]), /default-src 'self'/)
    }
    const js = await raw(s.port, "/ui/app.js")
    assert.is(js.type, "text/javascript; charset=utf-8")
    assert.is(js.body, "console.log(1)")
    assert.is(js.headers["x-content-type-options"], "nosniff")
    assert.is((await raw(s.port, "/ui/app.css")).type, "text/css; charset=utf-8")
    assert.is((await raw(s.port, "/ui/nope.js")).status, 404)
    const head = await raw(s.port, "/ui/app.js", "HEAD")
    assert.is(head.status, 200)
    assert.is(head.body, "")
    assert.is((await raw(s.port, "/uix")).body, "not the dashboard", "a path merely starting with /ui is not taken")
    assert.is((await raw(s.port, "/status")).body, "not the dashboard")
  } finally {
    await stop(s)
  }
})

test("hostile paths never read outside dist: dot segments, encodings, NUL, backslashes, symlinks", async () => {
  const s = await serve()
  try {
    const hostile = [
      "/ui/../secret.txt", "/ui/..%2fsecret.txt", "/ui/%2e%2e/secret.txt", "/ui/%2e%2e%2fsecret.txt", "/ui/%252e%252e/secret.txt",
      "/ui/.%2e/secret.txt", "/ui/..\\secret.txt", "/ui/..%5csecret.txt", "/ui//etc/passwd", "/ui/%2fetc%2fpasswd",
      "/ui/app.js%00.html", "/ui/app.js/", "/ui/./app.js/../../secret.txt", "/ui/link.txt", "/ui/dist/../secret.txt",
      "/ui/api/../../secret.txt", "/ui/api/%2e%2e%2f%2e%2e%2fsecret.txt"
    ]
    for (const p of hostile) {
      const r = await raw(s.port, p)
      assert.ok(r.status === 404 || r.status === 400, `${p}: status ${r.status}`)
      assert.not.match(r.body, SECRET, `${p} leaked the file`)
      assert.not.match(r.body, /root:/, `${p} leaked /etc/passwd`)
    }
    const long = await raw(s.port, "/ui/" + "a".repeat(MAX_TARGET_CHARS))
    assert.is(long.status, 414)
    assert.is(JSON.parse(long.body).error.code, "QueryTooLong")
  } finally {
    await stop(s)
  }
})

test("read-only: other methods get 405; a missing bundle gives 503 saying how to build it", async () => {
  const s = await serve()
  try {
    for (const m of ["POST", "PUT", "DELETE", "OPTIONS"]) {
      const r = await raw(s.port, "/ui/api/echo?n=1", m)
      assert.is(r.status, 405, m)
    }
  } finally {
    await stop(s)
  }
  const bare = await serve(false)
  try {
    const r = await raw(bare.port, "/ui")
    assert.is(r.status, 503)
    assert.match(r.body, /npm install/)
  } finally {
    await stop(bare)
  }
})

test("API params: validated before the route runs, typed 400s naming the parameter; route errors keep their status", async () => {
  const s = await serve()
  try {
    const get = async (p: string) => {
      const r = await raw(s.port, p)
      return { status: r.status, json: JSON.parse(r.body) }
    }
    assert.equal(await get("/ui/api/echo?n=42&tag=abc"), { status: 200, json: { n: 42, tag: "abc" } })
    const cases: Array<[string, number, string, string | undefined]> = [
      ["/ui/api/echo", 400, "MissingParam", "n"],
      ["/ui/api/echo?n=x", 400, "BadParam", "n"],
      ["/ui/api/echo?n=1234567890123", 400, "BadParam", "n"],
      ["/ui/api/echo?n=1&n=2", 400, "BadParam", "n"],
      ["/ui/api/echo?n=1&tag=ABC", 400, "BadParam", "tag"],
      ["/ui/api/echo?n=1&tag=" + "a".repeat(9), 400, "BadParam", "tag"],
      ["/ui/api/echo?n=1&evil=1", 400, "UnknownParam", "evil"],
      ["/ui/api/echo?" + Array.from({ length: MAX_QUERY_PARAMS + 1 }, (_, i) => `n${i}=1`).join("&"), 400, "UnknownParam", "n0"],
      ["/ui/api/nothing", 404, "UnknownRoute", undefined],
      ["/ui/api/missing", 404, "NotFound", undefined],
      ["/ui/api/broken", 500, "Internal", undefined]
    ]
    for (const [path, status, code, param] of cases) {
      const r = await get(path)
      assert.is(r.status, status, path)
      assert.is(r.json.error.code, code, path)
      assert.is(r.json.error.param, param, path)
      assert.type(r.json.error.message, "string")
    }
    const wide = (n: number) => get("/ui/api/wide?" + Array.from({ length: n }, (_, i) => `p${i}=1`).join("&"))
    assert.is((await wide(MAX_QUERY_PARAMS)).status, 200)
    const many = await wide(MAX_QUERY_PARAMS + 1)
    assert.is(many.status, 400)
    assert.match(many.json.error.message, `more than ${MAX_QUERY_PARAMS} query parameters`)
  } finally {
    await stop(s)
  }
})

test.run()
