/**
 * Loader and memory manager of the WebAssembly Frank–Wolfe kernel (kernels/frank-wolfe.wat, built
 * to dist by scripts/build-wasm.mjs). The kernel performs the TypeScript solver's floating-point
 * operations in the same order, so it returns the same bits (test/estimators/sdid/kernel.test.ts); it exists
 * because compiled WebAssembly runs at full speed from the first call (no JIT warm-up) and its f64x2
 * gradient pass is several times faster than the JIT's scalar loop.
 *
 * One instance per thread, with one linear memory: each solve copies A, b, x0 (and a caller's Gram
 * matrix) into it, runs, and copies x out, so no view into the memory outlives a call.
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
  noise: (Y: number, T: number, N0: number, T0: number) => number;
  lambdaProblem: (Y: number, T: number, N0: number, T0: number, intercept: number, A: number, b: number) => void;
  omegaProblem: (Y: number, N: number, T: number, N0: number, T0: number, intercept: number, A: number, b: number) => void;
  tau: (Y: number, N: number, T: number, N0: number, T0: number, omega: number, lambda: number, s: number) => number;
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

/** Bytes 0–63: the kernel's header (the objective value at 0). */
const HEADER = 64;

const align = (p: number) => (p + 15) & ~15;

function reserve(k: KernelExports, end: number): void {
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / 65536));
}

/** G = A'A (C×C row-major) by the kernel, into `out` when it is large enough (TypeScript `gramMatrix`). */
export function kernelGram(k: KernelExports, a: Float64Array, R: number, C: number, out?: Float64Array): Float64Array {
  const G = HEADER;
  const aPtr = align(G + 8 * C * C);
  const at = align(aPtr + 8 * R * C);
  reserve(k, at + 8 * R * C);
  new Float64Array(k.memory.buffer, aPtr, R * C).set(a.subarray(0, R * C));
  k.gram(aPtr, R, C, at, G);
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
  /** the whole Gram matrix A'A (copied in), or null: columns from the provider, or from A on first use */
  gram: Float64Array | null;
  provider: ((j: number, out: Float64Array) => void) | null;
  /** the previous kernelSolve had the same A, b, sizes and column source: keep its cached Gram columns */
  reuseCache?: boolean;
}

/** One Frank–Wolfe solve in the kernel; returns x, the iteration count and the objective. */
export function kernelSolve(k: KernelExports, s: KernelSolveInput): { x: Float64Array; iterations: number; value: number } {
  const { R, C } = s;
  let p = HEADER;
  let full = 0;
  let mode = s.provider ? 2 : 0;
  if (s.gram) {
    full = p;
    p += 8 * C * C;
    mode = 1;
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
  if (s.gram) new Float64Array(buf, full, C * C).set(s.gram.subarray(0, C * C));
  provider = s.provider;
  providerLength = C;
  let iterations: number;
  try {
    iterations = k.fw(
      R,
      C,
      aPtr,
      bPtr,
      xPtr,
      s.zeta,
      s.minDecrease,
      s.maxIter,
      mode,
      full,
      s.cacheCols,
      ax,
      res,
      g,
      c,
      sup,
      inSup,
      slot,
      cache,
      scratch,
      at,
      s.reuseCache ? 1 : 0,
    );
  } finally {
    provider = null;
  }
  const after = k.memory.buffer; // the provider cannot grow the memory, but read through a fresh view anyway
  return { x: new Float64Array(after, xPtr, C).slice(), iterations, value: new Float64Array(after, 0, 1)[0]! };
}

/** Lay out Float64 arrays of the given lengths after the header; returns their byte offsets. */
function layout(k: KernelExports, lengths: number[]): number[] {
  let p = HEADER;
  const at = lengths.map((n) => {
    const q = align(p);
    p = q + 8 * n;
    return q;
  });
  reserve(k, p);
  return at;
}

const view = (k: KernelExports, ptr: number, n: number) => new Float64Array(k.memory.buffer, ptr, n);

/** σ̂ of a synthetic-DID panel by the kernel (TypeScript `noiseLevel`, same bits). */
export function kernelNoise(k: KernelExports, Y: Float64Array, T: number, N0: number, T0: number): number {
  const [y] = layout(k, [N0 * T]);
  view(k, y!, N0 * T).set(Y.subarray(0, N0 * T));
  return k.noise(y!, T, N0, T0);
}

/** The λ problem of `sdidWithSettings` built by the kernel (same bits): A N0×T0, b the controls' post means. */
export function kernelLambdaProblem(
  k: KernelExports,
  Y: Float64Array,
  N: number,
  T: number,
  N0: number,
  T0: number,
  intercept: boolean,
): { A: Float64Array; b: Float64Array } {
  const [y, a, b] = layout(k, [N * T, N0 * T0, N0]);
  view(k, y!, N * T).set(Y.subarray(0, N * T));
  k.lambdaProblem(y!, T, N0, T0, intercept ? 1 : 0, a!, b!);
  return { A: view(k, a!, N0 * T0).slice(), b: view(k, b!, N0).slice() };
}

/** The ω problem of `sdidWithSettings` built by the kernel (same bits): A T0×N0, b the treated means. */
export function kernelOmegaProblem(
  k: KernelExports,
  Y: Float64Array,
  N: number,
  T: number,
  N0: number,
  T0: number,
  intercept: boolean,
): { A: Float64Array; b: Float64Array } {
  const [y, a, b] = layout(k, [N * T, T0 * N0, T0]);
  view(k, y!, N * T).set(Y.subarray(0, N * T));
  k.omegaProblem(y!, N, T, N0, T0, intercept ? 1 : 0, a!, b!);
  return { A: view(k, a!, T0 * N0).slice(), b: view(k, b!, T0).slice() };
}

/** τ̂ = (−ω, 1/N₁)' Y (−λ, 1/T₁) by the kernel (TypeScript `sdidTau`, same bits). */
export function kernelTau(k: KernelExports, Y: Float64Array, N: number, T: number, N0: number, T0: number, omega: Float64Array, lambda: Float64Array): number {
  const [y, o, l, s] = layout(k, [N * T, N0, T0, T]);
  view(k, y!, N * T).set(Y.subarray(0, N * T));
  view(k, o!, N0).set(omega.subarray(0, N0));
  view(k, l!, T0).set(lambda.subarray(0, T0));
  return k.tau(y!, N, T, N0, T0, o!, l!, s!);
}
