/**
 * The part of the WebAssembly JS API the CyberWasm runtime uses (the project's tsconfig has no
 * DOM lib, and @types/node does not declare WebAssembly). Shapes follow the WebAssembly JS API
 * spec (https://webassembly.github.io/spec/js-api/).
 */
declare namespace WebAssembly {
  type ImportValue = Function | Global | Memory
  type Imports = Record<string, Record<string, ImportValue>>
  type ExportValue = Function | Global | Memory | Table
  class Module {
    constructor(bytes: Uint8Array<ArrayBuffer> | ArrayBuffer)
    static exports(module: Module): Array<{ name: string; kind: string }>
    static imports(module: Module): Array<{ module: string; name: string; kind: string }>
  }
  class Instance {
    constructor(module: Module, imports?: Imports)
    readonly exports: Record<string, ExportValue>
  }
  class Memory {
    constructor(descriptor: { initial: number; maximum?: number })
    readonly buffer: ArrayBuffer
    grow(delta: number): number
  }
  class Global {
    constructor(descriptor: { value: "i32" | "i64"; mutable?: boolean }, value?: number | bigint)
    value: number | bigint
  }
  class Table {
    readonly length: number
  }
  class CompileError extends Error {}
  class LinkError extends Error {}
  class RuntimeError extends Error {}
  function validate(bytes: Uint8Array<ArrayBuffer> | ArrayBuffer): boolean
}
