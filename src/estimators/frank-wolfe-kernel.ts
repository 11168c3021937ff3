/**
 * Loader and memory manager of the WebAssembly Frank–Wolfe kernel (kernels/frank-wolfe.wat, built
 * to dist by scripts/build-wasm.mjs). The kernel performs the TypeScript solver's floating-point
 * operations in the same order, so it returns the same bits (test/sdid/kernel.test.ts); it exists
 * because compiled WebAssembly runs at full speed from the first call (no JIT warm-up) and its f64x2
 * gradient pass is several times faster than the JIT's scalar loop.
 *
 * One instance per thread, with one linear memory: each solve copies A, b, x0 (and a caller's Gram
 * matrix) into it, runs, and copies x out, so no view into the memory outlives a call. A Gram matrix
 * computed by `kernelGram(…, keep = true)` stays at the start of the memory for the solves that
 * follow (frankWolfeSparsified's two rounds).
 */
import { readFileSync } from "node:fs";

/** The few WebAssembly JS-API members used here (the project's lib settings carry no WebAssembly types). */
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  fw: (...args: number[]) => number;
  gram: (a: number, R: number, C: number, at: number, G: number) => void;
}

/** The Gram-column provider of the running solve (mode 2), called by the kernel. */
let provider: ((j: number, out: Float64Array) => void) | null = null;
let providerLength = 0;

let loaded: KernelExports | null | undefined;
/** KEYTECH_FW_KERNEL=js runs the TypeScript solver (for comparison); it must agree bit for bit. */
const fromEnv = process.env.KEYTECH_FW_KERNEL;
let forced: "wasm" | "js" | null = fromEnv === "js" || fromEnv === "wasm" ? fromEnv : null;

function load(): KernelExports | null {
  if (loaded !== undefined) return loaded;
  try {
    const bytes = readFileSync(new URL("./kernels/frank-wolfe.wasm", import.meta.url));
    const imports = {
      env: {
        gramColumn: (j: number, out: number) => provider!(j, new Float64Array(k.memory.buffer, out, providerLength)),
      },
    };
    const k = new WA.Instance(new WA.Module(bytes), imports).exports as unknown as KernelExports;
    loaded = k;
  } catch {
    loaded = null; // not built (plain `tsc`) or no WebAssembly SIMD: the TypeScript solver runs
  }
  return loaded;
}

/** Choose the implementation (tests compare both); null = the kernel when it loads. */
export function setFrankWolfeKernel(kind: "wasm" | "js" | null): void {
  forced = kind;
}

/** The kernel, or null when the TypeScript solver is to run. */
export function fwKernel(): KernelExports | null {
  if (forced === "js") return null;
  const k = load();
  if (!k && forced === "wasm") throw new Error("the WebAssembly Frank–Wolfe kernel is not built (run npm run build)");
  return k;
}

/** Bytes 0–63: the kernel's header; a kept Gram matrix starts at 64. */
const HEADER = 64;
let keptGram = { ptr: 0, cols: -1, bytes: 0 };

const align = (p: number) => (p + 15) & ~15;

function reserve(k: KernelExports, end: number): void {
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
}

/**
 * G = A'A (C×C row-major) by the kernel. keep = true leaves it in the kernel's memory for the next
 * `kernelSolve` calls with `gram: "kept"` (returns null); otherwise it is copied into `out`.
 */
export function kernelGram(k: KernelExports, a: Float64Array, R: number, C: number, keep: boolean, out?: Float64Array): Float64Array | null {
  const gBytes = 8 * C * C;
  const G = HEADER;
  const aPtr = align(G + gBytes);
  const at = align(aPtr + 8 * R * C);
  reserve(k, at + 8 * R * C);
  new Float64Array(k.memory.buffer, aPtr, R * C).set(a.subarray(0, R * C));
  k.gram(aPtr, R, C, at, G);
  if (keep) {
    keptGram = { ptr: G, cols: C, bytes: gBytes };
    return null;
  }
  keptGram = { ptr: 0, cols: -1, bytes: 0 };
  const res = out && out.length >= C * C ? out : new Float64Array(C * C);
  res.set(new Float64Array(k.memory.buffer, G, C * C));
  return res;
}

export interface KernelSolveInput {
  R: number;
  C: number;
  a: Float64Array;
  b: Float64Array;
  x0: Float64Array;
  zeta: number;
  minDecrease: number;
  maxIter: number;
  cacheCols: number;
  /** "kept": the matrix left by kernelGram(keep); an array: copied in; null: columns from provider or A */
  gram: "kept" | Float64Array | null;
  provider: ((j: number, out: Float64Array) => void) | null;
}

/** One Frank–Wolfe solve in the kernel; returns x, the iteration count and the objective. */
export function kernelSolve(k: KernelExports, s: KernelSolveInput): { x: Float64Array; iterations: number; value: number } {
  const { R, C } = s;
  let p = HEADER;
  let full = 0;
  let mode = s.provider ? 2 : 0;
  if (s.gram === "kept") {
    if (keptGram.cols !== C) throw new Error("kernelSolve: no kept Gram matrix of this size");
    full = keptGram.ptr;
    p = keptGram.ptr + keptGram.bytes;
    mode = 1;
  } else {
    keptGram = { ptr: 0, cols: -1, bytes: 0 };
    if (s.gram) {
      full = p;
      p += 8 * C * C;
      mode = 1;
    }
  }
  const take = (bytes: number) => {
    const q = align(p);
    p = q + bytes;
    return q;
  };
  const aPtr = take(8 * R * C);
  const bPtr = take(8 * R);
  const xPtr = take(8 * C);
  const ax = take(8 * R);
  const res = take(8 * R);
  const g = take(8 * C);
  const c = take(8 * C);
  const cache = take(8 * s.cacheCols * C);
  const scratch = take(8 * C);
  const at = take(mode === 0 ? 8 * R * C : 0);
  const sup = take(4 * C);
  const slot = take(4 * C);
  const inSup = take(C);
  reserve(k, p);
  const buf = k.memory.buffer;
  new Float64Array(buf, aPtr, R * C).set(s.a.subarray(0, R * C));
  new Float64Array(buf, bPtr, R).set(s.b.subarray(0, R));
  new Float64Array(buf, xPtr, C).set(s.x0.subarray(0, C));
  if (s.gram instanceof Float64Array) new Float64Array(buf, full, C * C).set(s.gram.subarray(0, C * C));
  provider = s.provider;
  providerLength = C;
  let iterations: number;
  try {
    iterations = k.fw(R, C, aPtr, bPtr, xPtr, s.zeta, s.minDecrease, s.maxIter, mode, full, s.cacheCols, ax, res, g, c, sup, inSup, slot, cache, scratch, at);
  } finally {
    provider = null;
  }
  const after = k.memory.buffer; // the provider cannot grow the memory, but read through a fresh view anyway
  return { x: new Float64Array(after, xPtr, C).slice(), iterations, value: new Float64Array(after, 0, 1)[0]! };
}
