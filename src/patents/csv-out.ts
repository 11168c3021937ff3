/** Streaming CSV output written atomically (temp file beside the target, renamed when complete). */
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { commitTemp, tempPathFor } from "../core/atomic.js";

/** Quote a CSV field when needed (RFC 4180). */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/**
 * A number as CSV text that reads back to the same double: integers as such, otherwise 17 significant
 * digits (toPrecision(17) round-trips exactly and is several times faster than String(x)) with trailing
 * zeros removed; NaN/±Inf → empty.
 */
export function csvNum(x: number): string {
  if (!Number.isFinite(x)) return "";
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const s = x.toPrecision(17);
  if (s.indexOf("e") >= 0) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/** Write rows produced by `row(i)` for i < n to `path` atomically, buffering ~1 MB per write. */
export function writeCsvAtomic(path: string, header: string[], n: number, row: (i: number) => string): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w");
  try {
    let buf = header.map(csvField).join(",") + "\n";
    for (let i = 0; i < n; i++) {
      buf += row(i) + "\n";
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = "";
      }
    }
    if (buf.length) writeSync(fd, buf);
    closeSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  commitTemp(tmp, path);
}
