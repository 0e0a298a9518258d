/**
 * Generates the machine-interface modules chain/generated/<name>.ts from the WIT files under
 * wit/chain/ and checks that the committed ones are current.
 *
 * Pipeline: `jco types` (pinned 1.34.0) turns each machine's world into a .d.ts; this script reads
 * that .d.ts with the TypeScript compiler API (no WIT parser of our own) and emits, per interface:
 * the record types, one protobuf codec per record (chain/internal/WitWire.ts; field number =
 * 1-based position), the {@link InterfaceSpec} constant `<name>Interface`, the typed client
 * `<name>Client(call, target)`, the handler type `<Name>Handlers` and `<name>Dispatcher(handlers)`
 * (a Machine.onCall).
 *
 * What the .d.ts keeps and how it maps (jco erases integer widths, so the WIT must use these):
 * | WIT                 | .d.ts            | wire                                   |
 * |---------------------|------------------|----------------------------------------|
 * | string              | string           | length-delimited UTF-8                 |
 * | bool                | boolean          | varint 0/1                             |
 * | u32                 | number           | varint (a field doc tag `@signed`: s32)|
 * | u64                 | bigint           | varint (a field doc tag `@signed`: s64)|
 * | list<u8>            | Uint8Array       | length-delimited bytes                 |
 * | list<T> (T string, list<u8> or record) | Array<T> | repeated                |
 * | option<T>           | `f?: T`          | written only when present              |
 * | record              | interface        | nested, length-delimited               |
 * A method is read-only when its doc comment carries `@read-only` (jco keeps doc comments).
 * Variants, enums, flags, tuples, resources and lists of numbers are refused with an error.
 *
 * Usage:
 *   `npx node wit/chain.ts gen`   (npm run wit:gen-chain)   writes chain/generated/<name>.ts
 *   `npx node wit/chain.ts check` (npm run wit:check-chain) regenerates into a temp dir and exits
 *                                 1, naming the files, when chain/generated/ differs (stale).
 */
import { execFileSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import ts from "typescript"

const root = new URL("..", import.meta.url).pathname

/** One machine interface: WIT file (for the header), its world, and the generated module name. */
export interface ChainTarget {
  /** Interface (= machine) name, e.g. "bank". */
  readonly name: string
  /** World exporting the interface, e.g. "bank-machine". */
  readonly world: string
}

/** The machine interfaces (wit/chain/<name>.wit, world <name>-machine). */
export const chainTargets: ReadonlyArray<ChainTarget> = ["auth", "bank", "graph", "cyberwasm", "staking", "distribution", "ibc", "names"].map((name) => ({ name, world: `${name}-machine` }))

/** Default locations (absolute). */
export const WIT_DIR = resolve(root, "wit/chain")
export const OUT_DIR = resolve(root, "chain/generated")

const jcoBin = (): string => join(root, "node_modules/@bytecodealliance/jco/dist/jco.js")
const jcoVersion = (): string => (JSON.parse(readFileSync(join(root, "node_modules/@bytecodealliance/jco/package.json"), "utf8")) as { version: string }).version

// ---------------------------------------------------------------- model

type Scalar = "string" | "bool" | "u32" | "s32" | "u64" | "s64" | "bytes"
interface Field {
  readonly name: string
  readonly wit: string
  readonly kind: Scalar | { readonly record: string }
  readonly list: boolean
  readonly optional: boolean
}
interface RecordDef {
  readonly name: string
  readonly wit: string
  readonly doc: string
  readonly fields: ReadonlyArray<Field>
}
interface FuncDef {
  readonly name: string
  readonly wit: string
  readonly doc: string
  readonly readOnly: boolean
  readonly request: string
  readonly response: string
}
interface InterfaceModel {
  readonly module: string
  readonly records: ReadonlyArray<RecordDef>
  readonly funcs: ReadonlyArray<FuncDef>
}

const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase()
const pascal = (s: string): string => s.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())

/** Doc text and tags of a node's JSDoc, from its source text (`@read-only` is not a TS tag name). */
const jsDoc = (node: ts.Node, sf: ts.SourceFile): { text: string; tags: string[] } => {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? []
  const lines = docs.flatMap((d) => d.getText(sf).replace(/^\/\*\*|\*\/$/g, "").split("\n").map((l) => l.replace(/^\s*\*\s?/, "").trim()).filter((l) => l !== ""))
  return { text: lines.filter((l) => !l.startsWith("@")).join(" "), tags: lines.filter((l) => l.startsWith("@")).map((l) => l.slice(1).split(/\s/)[0]!) }
}

const fail = (file: string, what: string): never => {
  throw new Error(`wit/chain.ts: ${file}: ${what}`)
}

/** Read jco's .d.ts of one interface into the model (TypeScript compiler API). */
export const readModel = (file: string, text: string): InterfaceModel => {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const records: RecordDef[] = []
  const funcs: FuncDef[] = []
  const module = /@module Interface (\S+)/.exec(text)?.[1] ?? fail(file, "no `@module Interface` header")
  const typeName = (t: ts.TypeNode | undefined, where: string): string =>
    t && ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && !t.typeArguments ? t.typeName.text : fail(file, `${where}: expected a record type`)
  for (const st of sf.statements) {
    if (ts.isFunctionDeclaration(st)) {
      const name = st.name?.text ?? fail(file, "unnamed function")
      if (st.parameters.length !== 1) fail(file, `${name}: a method takes exactly one request record`)
      const doc = jsDoc(st, sf)
      funcs.push({
        name,
        wit: kebab(name),
        doc: doc.text,
        readOnly: doc.tags.includes("read-only"),
        request: typeName(st.parameters[0]!.type, `${name} request`),
        response: typeName(st.type, `${name} response`)
      })
    } else if (ts.isInterfaceDeclaration(st)) {
      const rec = st.name.text
      const fields = st.members.map((m): Field => {
        if (!ts.isPropertySignature(m) || !ts.isIdentifier(m.name)) return fail(file, `${rec}: only plain fields are supported`)
        const name = m.name.text
        const signed = jsDoc(m, sf).tags.includes("signed")
        const where = `${rec}.${name}`
        const scalar = (t: ts.TypeNode): Field["kind"] => {
          switch (t.kind) {
            case ts.SyntaxKind.StringKeyword: return "string"
            case ts.SyntaxKind.BooleanKeyword: return "bool"
            case ts.SyntaxKind.NumberKeyword: return signed ? "s32" : "u32"
            case ts.SyntaxKind.BigIntKeyword: return signed ? "s64" : "u64"
          }
          if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && !t.typeArguments) {
            return t.typeName.text === "Uint8Array" ? "bytes" : { record: t.typeName.text }
          }
          return fail(file, `${where}: unsupported type \`${t.getText(sf)}\` (variants, enums, flags, tuples, resources are not supported)`)
        }
        const t = m.type ?? fail(file, `${where}: no type`)
        let list = false
        let kind: Field["kind"]
        if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && t.typeName.text === "Array" && t.typeArguments?.length === 1) {
          list = true
          kind = scalar(t.typeArguments[0]!)
          if (kind === "bool" || kind === "u32" || kind === "s32" || kind === "u64" || kind === "s64") fail(file, `${where}: lists of numbers are not supported`)
        } else kind = scalar(t)
        if (list && m.questionToken) fail(file, `${where}: option<list<T>> is not supported`)
        return { name, wit: kebab(name), kind, list, optional: m.questionToken !== undefined }
      })
      records.push({ name: rec, wit: kebab(rec), doc: jsDoc(st, sf).text, fields })
    } else if (ts.isTypeAliasDeclaration(st)) {
      fail(file, `type ${st.name.text}: only records are supported in machine interfaces`)
    }
  }
  const known = new Set(records.map((r) => r.name))
  for (const r of records) for (const f of r.fields) if (typeof f.kind === "object" && !known.has(f.kind.record)) fail(file, `${r.name}.${f.name}: unknown record ${f.kind.record}`)
  for (const f of funcs) for (const t of [f.request, f.response]) if (!known.has(t)) fail(file, `${f.name}: unknown record ${t}`)
  return { module, records, funcs }
}

// ---------------------------------------------------------------- emit

const tsType = (f: Field): string => {
  const base = typeof f.kind === "object" ? f.kind.record
    : f.kind === "bytes" ? "Uint8Array" : f.kind === "bool" ? "boolean" : f.kind === "string" ? "string" : f.kind === "u64" || f.kind === "s64" ? "bigint" : "number"
  return f.list ? `ReadonlyArray<${base}>` : base
}
const wireType = (f: Field): number => (f.kind === "bool" || f.kind === "u32" || f.kind === "s32" || f.kind === "u64" || f.kind === "s64" ? 0 : 2)
const tagOf = (f: Field, i: number): number => ((i + 1) << 3) | wireType(f)

/** The write expression of one value `v` of field `f` (unconditional). */
const writeValue = (rec: RecordDef, f: Field, tag: number, v: string): string => {
  if (typeof f.kind === "object") return `writeNested(w, ${tag}, ${f.kind.record}, ${v})`
  switch (f.kind) {
    case "string": return `w.uint32(${tag}).string(${v})`
    case "bytes": return `w.uint32(${tag}).bytes(${v})`
    case "bool": return `w.uint32(${tag}).bool(${v})`
    case "u32": return `w.uint32(${tag}).uint32(checkU32("${rec.wit}", "${f.wit}", ${v}))`
    case "s32": return `w.uint32(${tag}).int32(${v})`
    case "u64": return `w.uint32(${tag}).uint64(checkU64("${rec.wit}", "${f.wit}", ${v}))`
    case "s64": return `w.uint32(${tag}).int64(${v})`
  }
}
const isDefault = (f: Field, v: string): string => {
  switch (f.kind) {
    case "string": return `${v} !== ""`
    case "bytes": return `${v}.length > 0`
    case "bool": return v
    case "u32": case "s32": return `${v} !== 0`
    case "u64": case "s64": return `${v} !== 0n`
    default: return "true"
  }
}
const readValue = (f: Field): string => {
  if (typeof f.kind === "object") return `r.nested(${f.kind.record}, "${f.wit}")`
  switch (f.kind) {
    case "bytes": return `r.bytes("${f.wit}").slice()`
    default: return `r.${f.kind}("${f.wit}")`
  }
}
const initValue = (f: Field): string => {
  if (f.list) return "[]"
  if (f.optional) return "undefined"
  if (typeof f.kind === "object") return "undefined"
  switch (f.kind) {
    case "string": return `""`
    case "bytes": return "new Uint8Array(0)"
    case "bool": return "false"
    case "u32": case "s32": return "0"
    case "u64": case "s64": return "0n"
  }
}
const varType = (f: Field): string => {
  const t = tsType({ ...f, list: false })
  if (f.list) return `${t}[]`
  if (f.optional || typeof f.kind === "object") return `${t} | undefined`
  return t
}

const emitRecord = (rec: RecordDef): string => {
  const fieldsDoc = rec.fields.map((f, i) => `${f.wit} = ${i + 1}`).join(", ")
  const out: string[] = []
  out.push(`/** ${rec.doc ? `${rec.doc} ` : ""}(WIT record \`${rec.wit}\`) */`)
  out.push(`export interface ${rec.name} {`)
  for (const f of rec.fields) out.push(`  readonly ${f.name}${f.optional ? "?" : ""}: ${tsType(f)}${f.optional ? " | undefined" : ""}`)
  out.push(`}`)
  out.push(`/** Codec of \`${rec.wit}\`${rec.fields.length ? `: ${fieldsDoc}` : " (no fields)"}. */`)
  out.push(`export const ${rec.name}: RecordCodec<${rec.name}> = recordCodec<${rec.name}>(`)
  out.push(`  "${rec.wit}",`)
  if (rec.fields.length === 0) {
    out.push(`  () => {},`)
    out.push(`  (r) => {`)
    out.push(`    if (r.more()) r.reject(r.tag(), [])`)
    out.push(`    return {}`)
    out.push(`  }`)
    out.push(`)`)
    return out.join("\n")
  }
  out.push(`  (m, w) => {`)
  rec.fields.forEach((f, i) => {
    const tag = tagOf(f, i)
    const v = `m.${f.name}`
    if (f.list) out.push(`    for (const v of ${v}) ${writeValue(rec, f, tag, "v")}`)
    else if (f.optional) out.push(`    if (${v} !== undefined) ${writeValue(rec, f, tag, v)}`)
    else if (typeof f.kind === "object") out.push(`    ${writeValue(rec, f, tag, v)}`)
    else out.push(`    if (${isDefault(f, v)}) ${writeValue(rec, f, tag, v)}`)
  })
  out.push(`  },`)
  out.push(`  (r) => {`)
  for (const f of rec.fields) out.push(`    ${f.list ? "const" : "let"} ${f.name}: ${varType(f)} = ${initValue(f)}`)
  out.push(`    while (r.more()) {`)
  out.push(`      const tag = r.tag()`)
  out.push(`      switch (tag) {`)
  rec.fields.forEach((f, i) => {
    out.push(`        case ${tagOf(f, i)}: ${f.list ? `${f.name}.push(${readValue(f)})` : `${f.name} = ${readValue(f)}`}; break`)
  })
  out.push(`        default: r.reject(tag, [${rec.fields.map((f) => `"${f.wit}"`).join(", ")}])`)
  out.push(`      }`)
  out.push(`    }`)
  const ret = rec.fields.map((f) => (typeof f.kind === "object" && !f.list && !f.optional ? `${f.name}: ${f.name} ?? ${f.kind.record}.decode(EMPTY)` : f.name))
  out.push(`    return { ${ret.join(", ")} }`)
  out.push(`  }`)
  out.push(`)`)
  return out.join("\n")
}

const indentDoc = (doc: string, pad: string): string => (doc ? `${pad}/** ${doc} */\n` : "")

/** The generated module text of one interface. */
export const emitModule = (target: ChainTarget, model: InterfaceModel, version: string): string => {
  const N = pascal(target.name)
  const n = target.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  const needsChecks = model.records.some((r) => r.fields.some((f) => f.kind === "u32" || f.kind === "u64"))
  const needsNested = model.records.some((r) => r.fields.some((f) => typeof f.kind === "object"))
  const needsEmpty = model.records.some((r) => r.fields.some((f) => typeof f.kind === "object" && !f.list && !f.optional))
  const lines: string[] = []
  lines.push(`// GENERATED by wit/chain.ts (\`npm run wit:gen-chain\`) from wit/chain/${target.name}.wit`)
  lines.push(`// (${model.module}, world ${target.world}, through jco types ${version}). Do not edit: edit the WIT and regenerate.`)
  lines.push(`/**`)
  lines.push(` * The \`${target.name}\` machine interface: record types and their protobuf codecs (field number =`)
  lines.push(` * 1-based position in the WIT record), {@link ${n}Interface}, the typed client {@link ${n}Client}`)
  lines.push(` * for callers and {@link ${n}Dispatcher} for the machine's onCall.`)
  lines.push(` */`)
  const wire = ["recordCodec", "type RecordCodec", ...(needsChecks ? ["checkU32", "checkU64"] : []), ...(needsNested ? ["writeNested"] : [])]
  lines.push(`import { UnknownRequest } from "../ChainError.ts"`)
  lines.push(`import type { InterfaceSpec } from "../Interface.ts"`)
  lines.push(`import type { ChainCall, ExecContext } from "../Machine.ts"`)
  lines.push(`import { ${wire.sort((a, b) => a.replace("type ", "").localeCompare(b.replace("type ", ""))).join(", ")} } from "../internal/WitWire.ts"`)
  lines.push(``)
  if (needsEmpty) lines.push(`const EMPTY = new Uint8Array(0)\n`)
  for (const r of model.records) lines.push(emitRecord(r), ``)
  // interface spec
  lines.push(`/** The \`${target.name}\` interface: methods by WIT name, with codecs and read-only marks. */`)
  lines.push(`export const ${n}Interface: InterfaceSpec = {`)
  lines.push(`  name: "${target.name}",`)
  lines.push(`  methods: {`)
  model.funcs.forEach((f, i) => {
    const key = /^[a-z][a-z0-9]*$/.test(f.wit) ? f.wit : `"${f.wit}"`
    lines.push(`    ${key}: { name: "${f.wit}", readOnly: ${f.readOnly}, request: ${f.request}, response: ${f.response} }${i < model.funcs.length - 1 ? "," : ""}`)
  })
  lines.push(`  }`)
  lines.push(`}`)
  lines.push(``)
  // client
  lines.push(`/** Typed caller side of \`${target.name}\`: one method per WIT function. */`)
  lines.push(`export interface ${N}Client {`)
  for (const f of model.funcs) lines.push(`${indentDoc(f.doc, "  ")}  ${f.name}(req: ${f.request}): ${f.response}`)
  lines.push(`}`)
  lines.push(``)
  lines.push(`/** A {@link ${N}Client} over \`call\` (ExecContext.call or .query) to machine \`target\`. Throws what the call throws. */`)
  lines.push(`export const ${n}Client = (call: (c: ChainCall) => Uint8Array, target = "${target.name}"): ${N}Client => ({`)
  model.funcs.forEach((f, i) => {
    lines.push(`  ${f.name}: (req) => ${f.response}.decode(call({ target, method: "${f.wit}", body: ${f.request}.encode(req) }))${i < model.funcs.length - 1 ? "," : ""}`)
  })
  lines.push(`})`)
  lines.push(``)
  // handlers
  lines.push(`/**`)
  lines.push(` * Callee side of \`${target.name}\`: one handler per WIT function; \`caller\` is the calling principal's`)
  lines.push(` * text. \`Ctx\` is the machine's ExecContext (a test double may use another context type).`)
  lines.push(` */`)
  lines.push(`export interface ${N}Handlers<Ctx = ExecContext> {`)
  for (const f of model.funcs) lines.push(`${indentDoc(f.doc, "  ")}  ${f.name}(ctx: Ctx, caller: string, req: ${f.request}): ${f.response}`)
  lines.push(`}`)
  lines.push(``)
  lines.push(`/**`)
  lines.push(` * A Machine.onCall that decodes the request of \`method\` (InvalidRequest, code 18, when malformed),`)
  lines.push(` * runs its handler and encodes the response. UnknownRequest (6) for a method not in the interface.`)
  lines.push(` * \`request\` is the body already decoded with this interface by the executor (no second decode).`)
  lines.push(` */`)
  lines.push(`export const ${n}Dispatcher = <Ctx = ExecContext>(handlers: ${N}Handlers<Ctx>) => (ctx: Ctx, caller: string, method: string, body: Uint8Array, request?: unknown): Uint8Array => {`)
  lines.push(`  switch (method) {`)
  for (const f of model.funcs) lines.push(`    case "${f.wit}": return ${f.response}.encode(handlers.${f.name}(ctx, caller, (request as ${f.request} | undefined) ?? ${f.request}.decode(body)))`)
  lines.push(`    default: throw new UnknownRequest({ log: \`${target.name} has no method "\${method}" (called by \${caller}); methods: ${model.funcs.map((f) => f.wit).join(", ")}\` })`)
  lines.push(`  }`)
  lines.push(`}`)
  lines.push(``)
  return lines.join("\n")
}

// ---------------------------------------------------------------- drive

/** Run `jco types` on `witDir` for every target and return the generated module texts by file name. */
export const generateChain = (witDir: string = WIT_DIR, targets: ReadonlyArray<ChainTarget> = chainTargets): Map<string, string> => {
  const tmp = mkdtempSync(join(tmpdir(), "wit-chain-"))
  const version = jcoVersion()
  try {
    const out = new Map<string, string>()
    for (const t of targets) {
      try {
        execFileSync(process.execPath, [jcoBin(), "types", witDir, "-n", t.world, "-o", tmp, "-q"], { stdio: ["ignore", "ignore", "pipe"] })
      } catch (e) {
        const stderr = String((e as { stderr?: Buffer }).stderr ?? "").split("\n").filter((l) => !l.startsWith("    at ")).join("\n")
        throw new Error(`jco types ${witDir} -n ${t.world} failed:\n${stderr}`)
      }
      const pkg = readdirSync(join(tmp, "interfaces")).find((f) => f.endsWith(`-${t.name}.d.ts`)) ?? fail(t.world, `no interface ${t.name} in jco's output`)
      const file = join(tmp, "interfaces", pkg)
      out.set(`${t.name}.ts`, emitModule(t, readModel(file, readFileSync(file, "utf8")), version))
    }
    return out
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** Files of `outDir` that differ from a fresh generation from `witDir` (changed, missing or extra). Empty when current. */
export const staleChainFiles = (witDir: string = WIT_DIR, outDir: string = OUT_DIR): string[] => {
  const fresh = generateChain(witDir)
  const old = existsSync(outDir) ? readdirSync(outDir).filter((f) => f.endsWith(".ts")) : []
  return [...new Set([...fresh.keys(), ...old])].sort().filter((f) => {
    const p = join(outDir, f)
    return !existsSync(p) || fresh.get(f) !== readFileSync(p, "utf8")
  })
}

const main = (mode: string | undefined): number => {
  if (mode === "gen") {
    const fresh = generateChain()
    mkdirSync(OUT_DIR, { recursive: true })
    for (const f of readdirSync(OUT_DIR)) if (f.endsWith(".ts") && !fresh.has(f)) rmSync(join(OUT_DIR, f))
    for (const [f, text] of fresh) writeFileSync(join(OUT_DIR, f), text)
    process.stdout.write(`generated chain/generated/{${[...fresh.keys()].join(",")}} from wit/chain/\n`)
    return 0
  }
  if (mode === "check") {
    const stale = staleChainFiles()
    if (stale.length > 0) {
      process.stderr.write(`stale machine interfaces: chain/generated/ differs from wit/chain/ in: ${stale.join(", ")}; run \`npm run wit:gen-chain\`\n`)
      return 1
    }
    process.stdout.write("chain/generated/ is current with wit/chain/\n")
    return 0
  }
  process.stderr.write("usage: node wit/chain.ts gen|check\n")
  return 2
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv[2])
