/**
 * A fast path for the common case of a plain numeric CSV: the bytes are parsed in place into
 * Float64Arrays (csv-scan.ts), in parallel over byte ranges split at newlines for large files, with no
 * string per cell. It returns null at the first thing it does not handle (a quote in a data row, a
 * cell that is not a plain number or a missing token, a blank line, compression), and the caller then
 * reads the file through DuckDB, whose path finds and names any bad cell. A row with another number of
 * fields than the header stops here with a message naming the row (`raggedRowError`).
 *
 * The result does not depend on how the file is split: every cell is converted by the same code, and
 * a problem is reported for the first range (in file order) that has one.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { inputError } from "../core/errors.js";
import { countLines, parseRange, SCAN_OK, SCAN_RAGGED, type RangeResult, type ScanSpec } from "./csv-scan.js";

export { parseCell } from "./csv-scan.js";

export interface FastCsv {
  names: string[];
  nrows: number;
  values: Map<string, Float64Array>;
  /** some data byte was ≥ 0x80 or NUL (csv-scan `RangeResult.high`): the file is not known to be plain ASCII */
  highBytes: boolean;
}

/** Files below this size are parsed on the calling thread. */
const PARALLEL_MIN_BYTES = 32 << 20;

function headerNames(line: string, delim: string): string[] {
  return line.split(delim).map((h) => {
    const t = h.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
  });
}

/** The error for a data row with another number of fields than the header. */
export function raggedRowError(file: string, row: number, expected: number, found: number, delim: string): Error {
  const d = delim === "\t" ? "tab" : `'${delim}'`;
  return inputError(
    `expected ${expected} fields as in the header, found ${found}; every row needs one value per column — ` +
      `look for a missing or extra ${d} on that row, or put double quotes around text that contains ${d}`,
    { file, row },
  );
}

interface Plan {
  names: string[];
  spec: ScanSpec;
  /** byte ranges [start, end) of the data, in file order */
  ranges: [number, number][];
  size: number;
}

/** Read the header, map the wanted columns to fields and split the data into ranges at newlines. */
function plan(path: string, want: string[], delim: string, threads: number, minParallelBytes = PARALLEL_MIN_BYTES): Plan | null {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.allocUnsafe(Math.min(size, 1 << 20));
    const len = readSync(fd, head, 0, head.length, 0);
    if (len === 0) return null;
    if (head[0] === 0x1f && head[1] === 0x8b) return null; // gzip
    const nl = head.indexOf(10);
    if (nl < 0 || nl >= len) return null;
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const names = headerNames(head.toString("utf8", bom, nl).replace(/\r$/, ""), delim);
    const nf = names.length;
    const slot = new Int32Array(nf).fill(-1);
    for (let k = 0; k < want.length; k++) {
      const j = names.indexOf(want[k]!);
      if (j < 0 || slot[j]! >= 0) return null;
      slot[j] = k;
    }
    const dataStart = nl + 1;
    const n = size - dataStart < minParallelBytes ? 1 : Math.max(1, threads);
    const cuts = [dataStart];
    const probe = Buffer.allocUnsafe(1 << 16);
    for (let j = 1; j < n; j++) {
      let at = dataStart + Math.floor(((size - dataStart) * j) / n);
      // move the cut just after the next newline
      for (;;) {
        const got = readSync(fd, probe, 0, probe.length, at);
        if (got === 0) {
          at = size;
          break;
        }
        const k = probe.indexOf(10);
        if (k >= 0 && k < got) {
          at += k + 1;
          break;
        }
        at += got;
      }
      if (at < size && at > cuts[cuts.length - 1]!) cuts.push(at);
    }
    cuts.push(size);
    const ranges: [number, number][] = [];
    for (let j = 0; j + 1 < cuts.length; j++) ranges.push([cuts[j]!, cuts[j + 1]!]);
    return { names, spec: { nf, slot, nk: want.length, delim: delim.charCodeAt(0) }, ranges, size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Read the named columns of a plain delimited file as numbers on this thread, or null when the file
 * needs the general reader (see the file comment). Throws for a ragged row.
 */
export function readNumericCsvFast(path: string, want: string[], delim = ","): FastCsv | null {
  const p = plan(path, want, delim, 1);
  if (!p) return null;
  const [start, end] = p.ranges[0]!;
  const count = countLines(path, start, end, true);
  const cols = want.map(() => new Float64Array(count));
  const r = parseRange(path, start, end, p.spec, { cols, offset: 0, count }, true);
  return finish(path, want, delim, p, [r], [0, count], cols);
}

/** The columns, or the ragged-row error / null for the first range (in file order) that failed. */
function finish(path: string, want: string[], delim: string, p: Plan, parts: RangeResult[], offsets: number[], cols: Float64Array[]): FastCsv | null {
  for (let j = 0; j < parts.length; j++) {
    const r = parts[j]!;
    if (r.status === SCAN_RAGGED) throw raggedRowError(path, offsets[j]! + r.raggedLine + 1, p.spec.nf, r.raggedFields, delim);
    if (r.status !== SCAN_OK) return null;
    if (r.rows !== offsets[j + 1]! - offsets[j]!) return null; // not one row per line: let the general reader decide
  }
  const values = new Map<string, Float64Array>();
  want.forEach((w, k) => values.set(w, cols[k]!));
  return { names: p.names, nrows: offsets[offsets.length - 1]!, values, highBytes: parts.some((r) => r.high) };
}

/** A worker for one range: `count` resolves with its line count; `parse(offset, buffers)` with its result. */
function rangeWorker(job: { path: string; start: number; end: number; spec: ScanSpec; last: boolean }) {
  const w = new Worker(new URL("./csv-worker.js", import.meta.url), { workerData: job });
  const replies: ((m: unknown) => void)[] = [];
  let failed: ((e: unknown) => void)[] = [];
  const next = () =>
    new Promise<unknown>((resolve, reject) => {
      replies.push(resolve);
      failed.push(reject);
    });
  w.on("message", (m) => {
    failed.shift();
    replies.shift()?.(m);
  });
  const fail = (e: unknown) => {
    for (const f of failed) f(e);
    failed = [];
  };
  w.on("error", fail);
  w.on("exit", (code) => fail(new Error(`internal: CSV worker exited with code ${code}`)));
  const count = next().then((m) => (m as { count: number }).count);
  return {
    count,
    parse(offset: number, buffers: SharedArrayBuffer[]): Promise<RangeResult> {
      const r = next() as Promise<RangeResult>;
      w.postMessage({ offset, buffers });
      return r;
    },
    stop(): void {
      w.postMessage(null);
    },
  };
}

/** Settle a promise into a value or an error, so that a rejection is not unhandled while this thread works. */
function settle<T>(p: Promise<T>): Promise<{ ok: T } | { err: unknown }> {
  return p.then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );
}

function unwrap<T>(s: { ok: T } | { err: unknown }): T {
  if ("err" in s) throw s.err;
  return s.ok;
}

/**
 * As `readNumericCsvFast`, with files of `minParallelBytes` (32 MiB) or more split into `threads` byte
 * ranges (default: the number of cores, at most 8) parsed in parallel: the first on this thread, the others in worker threads. Each
 * range first counts its lines, so that every range writes its rows straight into the final (shared)
 * columns at its offset: no second copy of the data. Identical result to the serial reader.
 */
export async function readNumericCsv(
  path: string,
  want: string[],
  delim = ",",
  opts: { threads?: number; minParallelBytes?: number } = {},
): Promise<FastCsv | null> {
  const p = plan(path, want, delim, opts.threads ?? Math.min(availableParallelism(), 8), opts.minParallelBytes);
  if (!p) return null;
  if (p.ranges.length === 1) return readNumericCsvFast(path, want, delim);
  const last = p.ranges.length - 1;
  const workers = p.ranges.slice(1).map((r, j) => rangeWorker({ path, start: r[0], end: r[1], spec: p.spec, last: j + 1 === last }));
  const counts = workers.map((w) => settle(w.count));
  const r0 = p.ranges[0]!;
  const c0 = countLines(path, r0[0], r0[1], false);
  const offsets = [0, c0];
  let failure: unknown = null;
  for (const c of await Promise.all(counts)) {
    if ("err" in c) failure ??= c.err;
    else offsets.push(offsets[offsets.length - 1]! + c.ok);
  }
  if (failure) {
    workers.forEach((w) => w.stop());
    throw failure;
  }
  const total = offsets[offsets.length - 1]!;
  const buffers = want.map(() => new SharedArrayBuffer(total * 8));
  const cols = buffers.map((b) => new Float64Array(b));
  const results = workers.map((w, j) => settle(w.parse(offsets[j + 1]!, buffers)));
  const parts: RangeResult[] = [parseRange(path, r0[0], r0[1], p.spec, { cols, offset: 0, count: c0 }, false)];
  for (const r of await Promise.all(results)) parts.push(unwrap(r));
  return finish(path, want, delim, p, parts, offsets, cols);
}
